import type { WebhookDelivery, WebhookEndpointWithSecret } from "@relink/sdk/contract";
import { verifyWebhook } from "@relink/sdk/server";
import { afterEach, describe, expect, it } from "vitest";
import { iso } from "../src/clock.ts";
import type { Config } from "../src/config.ts";
import { inTransaction } from "../src/context.ts";
import type { Dialect } from "../src/db/connect.ts";
import { recordEvent } from "../src/domain/events.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { newId } from "../src/ids.ts";
import {
  availableDialects,
  createTestRelink,
  syntheticEvent,
  type TestRelink,
  waitFor,
} from "../src/testing/index.ts";
import { createWebhookDispatcher } from "../src/webhooks/dispatcher.ts";
import { DELIVERY_WINDOW_MS, RETRY_DELAYS_MS } from "../src/webhooks/retry.ts";
import { type Receiver, startReceiver, validSignatures } from "./webhook-receiver.ts";

const HOUR = 3_600_000;

interface Harness {
  t: TestRelink;
  receiver: Receiver;
  /** Records an event the way the pause engine does (in a transaction, outbox). */
  emit(type: string, integrationId: string | null, data?: Record<string, unknown>): Promise<string>;
  endpoint(body?: Record<string, unknown>): Promise<WebhookEndpointWithSecret>;
  deliveries(query?: string): Promise<WebhookDelivery[]>;
  drain(): Promise<number>;
}

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function harness(dialect: Dialect, config: Partial<Config> = {}): Promise<Harness> {
  const t = await createTestRelink({
    dialect,
    // Three times the server's default deadline: under heavy load a loopback answer (above all the
    // 5 MiB one) took more than 10 s, and the attempt was logged as a timeout with no status.
    config: {
      allowPrivateWebhookUrls: true,
      allowHttpWebhookUrls: true,
      webhookTimeoutMs: 30_000,
      ...config,
    },
  });
  const receiver = await startReceiver();
  open.push(
    () => t.close(),
    () => receiver.close(),
  );
  return {
    t,
    receiver,
    emit: (type, integrationId, data = {}) =>
      inTransaction(t.server.ctx, (tx) =>
        recordEvent(
          tx,
          syntheticEvent({
            workspaceId: t.workspaceId,
            type,
            integrationId,
            data: { integration_id: integrationId, ...data },
            createdAt: iso(t.clock.now()),
          }),
        ),
      ).then((e) => e.id),
    async endpoint(body = {}) {
      const res = await t.request("POST", "/v1/webhook-endpoints", { body: { url: receiver.url, ...body } });
      expect(res.status).toBe(201);
      return (await res.json()) as WebhookEndpointWithSecret;
    },
    async deliveries(query = "") {
      const res = await t.request("GET", `/v1/webhook-deliveries?limit=200${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: WebhookDelivery[] }).data;
    },
    drain: () => t.server.webhooks.drain(),
  };
}

const ids = (h: Harness) => h.receiver.received.map((r) => r.headers["webhook-id"]);

describe.each(availableDialects())("webhooks on %s", (dialect) => {
  it("signs every delivery per Standard Webhooks, verified by an independent implementation", async () => {
    const h = await harness(dialect);
    const { secret } = await h.endpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const integrationId = newId("int");
    const eventId = await h.emit("integration-state-changed", integrationId, { state: "INVALID" });
    expect(await h.drain()).toBe(1);

    const [got] = h.receiver.received;
    expect(got).toBeDefined();
    expect(got!.headers["webhook-id"]).toBe(eventId);
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(got!.headers["webhook-timestamp"]).toBe(String(Math.floor(h.t.clock.now().getTime() / 1000)));
    expect(got!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(await validSignatures(secret, got!)).toEqual([true]);
    expect(got!.json).toEqual({
      id: eventId,
      type: "integration-state-changed",
      created_at: iso(h.t.clock.now()),
      data: { integration_id: integrationId, state: "INVALID" },
    });
    // A tampered body or another secret does not verify.
    expect(await validSignatures(secret, { ...got!, body: got!.body.replace("INVALID", "ACTIVE") })).toEqual([
      false,
    ]);
    const other = await h.endpoint();
    expect(await validSignatures(other.secret, got!)).toEqual([false]);

    const [delivery] = await h.deliveries(`&event_id=${eventId}`);
    expect(delivery).toMatchObject({
      event_id: eventId,
      event_type: "integration-state-changed",
      integration_id: integrationId,
      status: "SUCCEEDED",
      attempt_count: 1,
      last_response_status: 200,
      next_attempt_at: null,
      attempts: [{ response_status: 200, response_body: "ok", error: null }],
    });
  });

  it("retries with exponential backoff and jitter for 3 days, then marks the delivery FAILED", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    h.receiver.status(500);
    const created = h.t.clock.now().getTime();
    const eventId = await h.emit("integration-auth-status-changed", newId("int"));
    expect(await h.drain()).toBe(1);

    const attemptTimes: number[] = [created];
    for (let i = 0; i < 100; i++) {
      const [d] = await h.deliveries(`&event_id=${eventId}`);
      if (d!.status !== "PENDING") break;
      const due = Date.parse(d!.next_attempt_at!);
      // Nothing happens before the attempt is due.
      h.t.clock.set(due - 1);
      expect(await h.drain()).toBe(0);
      h.t.clock.set(due);
      expect(await h.drain()).toBe(1);
      attemptTimes.push(due);
    }
    const [final] = await h.deliveries(`&event_id=${eventId}`);
    expect(final!.status).toBe("FAILED");
    expect(final!.next_attempt_at).toBeNull();
    expect(final!.attempt_count).toBe(attemptTimes.length);
    expect(final!.attempts).toHaveLength(attemptTimes.length);
    expect(final!.attempts.every((a) => a.response_status === 500 && a.response_body === "500")).toBe(true);
    expect(final!.attempts.map((a) => Date.parse(a.attempted_at))).toEqual(attemptTimes);

    // The gaps follow the schedule within the jitter; the last attempt is 3 days after the event.
    const gaps = attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]!);
    for (const [i, gap] of gaps.slice(0, -1).entries()) {
      const base = RETRY_DELAYS_MS[Math.min(i, RETRY_DELAYS_MS.length - 1)]!;
      expect(gap).toBeGreaterThanOrEqual(base * 0.9 - 1);
      expect(gap).toBeLessThanOrEqual(base * 1.1 + 1);
    }
    expect(attemptTimes.at(-1)).toBe(created + DELIVERY_WINDOW_MS);
    expect(h.receiver.received).toHaveLength(attemptTimes.length);
    expect(new Set(ids(h))).toEqual(new Set([eventId]));

    // Manual redelivery of a failed delivery, once the receiver works again.
    h.receiver.status(204);
    const retry = await h.t.request("POST", `/v1/webhook-deliveries/${final!.id}/retry`);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ status: "PENDING" });
    expect(await h.drain()).toBe(1);
    const [after] = await h.deliveries(`&event_id=${eventId}`);
    expect(after).toMatchObject({ status: "SUCCEEDED", last_response_status: 204 });
  });

  it("waits as long as a 429 or 503 answer's Retry-After asks, never less than the backoff", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    const next = async (eventId: string) =>
      Date.parse((await h.deliveries(`&event_id=${eventId}`))[0]!.next_attempt_at!) -
      h.t.clock.now().getTime();
    h.receiver.answer((_r, res) => {
      res.writeHead(429, { "retry-after": "600" }).end();
    });
    const limited = await h.emit("sync-finished", newId("int"));
    await h.drain();
    expect(await next(limited)).toBe(600_000);
    h.receiver.answer((_r, res) => {
      res
        .writeHead(503, { "retry-after": new Date(h.t.clock.now().getTime() + 3_600_000).toUTCString() })
        .end();
    });
    const unavailable = await h.emit("sync-finished", newId("int"));
    await h.drain();
    expect(await next(unavailable)).toBe(3_600_000);
    h.receiver.answer((_r, res) => {
      res.writeHead(500, { "retry-after": "600" }).end();
    });
    const failing = await h.emit("sync-finished", newId("int"));
    await h.drain();
    expect(await next(failing)).toBeLessThanOrEqual(5_500);
  });

  it("keeps per-integration order while one event is failing; other integrations go on", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    const one = newId("int");
    const two = newId("int");
    let failing = "";
    h.receiver.answer((r, res) => {
      res.writeHead(r.json.id === failing ? 503 : 200).end();
    });
    const a = await h.emit("integration-auth-status-changed", one, { n: 1 });
    failing = a;
    const b = await h.emit("integration-state-changed", one, { n: 2 });
    const c = await h.emit("integration-relinked", one, { n: 3 });
    const d = await h.emit("integration-created", two, { n: 4 });
    await h.drain();
    // Sent in parallel: two integrations, no order between them.
    expect(ids(h).sort()).toEqual([a, d].sort());

    // Still failing on its first retries: the later events of that integration are not attempted.
    for (const delay of RETRY_DELAYS_MS.slice(0, 3)) {
      h.t.clock.advance(delay * 1.1 + 1);
      await h.drain();
    }
    expect(ids(h).slice(2)).toEqual([a, a, a]);
    const waiting = await h.deliveries(`&integration_id=${one}&status=PENDING`);
    expect(waiting.map((w) => w.event_id).sort()).toEqual([a, b, c].sort());
    expect(waiting.filter((w) => w.event_id !== a).every((w) => w.attempt_count === 0)).toBe(true);

    // A later event of the other integration still goes out at once.
    const e = await h.emit("sync-finished", two);
    await h.drain();
    expect(ids(h).at(-1)).toBe(e);

    failing = "";
    h.t.clock.advance(RETRY_DELAYS_MS[3]! * 1.1 + 1);
    await h.drain();
    expect(ids(h).slice(-3)).toEqual([a, b, c]);
    expect(ids(h).filter((id) => id === b || id === c)).toEqual([b, c]);
  });

  it("a receiver down for a simulated day gets everything afterwards, in order, once per webhook-id", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    await h.receiver.down();
    const integrations = [newId("int"), newId("int"), newId("int")];
    const emitted = new Map<string, string[]>(integrations.map((i) => [i, []]));
    // Over 24 hours, an event every 20 minutes on one of three integrations; the dispatcher keeps trying.
    for (let minute = 0; minute < 24 * 60; minute += 20) {
      const integration = integrations[(minute / 20) % 3]!;
      emitted.get(integration)!.push(await h.emit("sync-finished", integration, { minute }));
      await h.drain();
      h.t.clock.advance(20 * 60_000);
    }
    expect(h.receiver.received).toHaveLength(0);
    const pending = await h.deliveries("&status=PENDING");
    expect(pending).toHaveLength(72);

    await h.receiver.up();
    // The head of each integration is retried at most 12 hours (+ jitter) later; the rest follow at once.
    for (let step = 0; step < 14 * 6; step++) {
      h.t.clock.advance(10 * 60_000);
      await h.drain();
    }
    expect(await h.deliveries("&status=PENDING")).toHaveLength(0);
    expect(await h.deliveries("&status=FAILED")).toHaveLength(0);
    const got = ids(h);
    expect(got).toHaveLength(72);
    expect(new Set(got).size).toBe(72);
    for (const [integration, events] of emitted) {
      const order = h.receiver.received
        .filter((r) => r.json.data.integration_id === integration)
        .map((r) => r.json.id);
      expect(order).toEqual(events);
    }
    // Every refused connection was logged as an attempt.
    const delivered = await h.deliveries("&status=SUCCEEDED");
    expect(delivered.every((d) => d.attempts.at(-1)!.response_status === 200)).toBe(true);
    expect(delivered.some((d) => d.attempts.some((a) => a.error?.includes("ECONNREFUSED")))).toBe(true);
  });

  it("rotating the secret signs with both secrets during the grace period", async () => {
    const h = await harness(dialect);
    const created = await h.endpoint();
    const rotated = await h.t.request("POST", `/v1/webhook-endpoints/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret: fresh, previous_secret_expires_at } = (await rotated.json()) as WebhookEndpointWithSecret;
    expect(fresh).not.toBe(created.secret);
    expect(previous_secret_expires_at).toBe(iso(new Date(h.t.clock.now().getTime() + 24 * HOUR)));

    await h.emit("integration-created", newId("int"));
    await h.drain();
    const during = h.receiver.received.at(-1)!;
    expect(during.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(await validSignatures(fresh, during)).toEqual([true, false]);
    expect(await validSignatures(created.secret, during)).toEqual([false, true]);

    h.t.clock.advance(24 * HOUR + 1);
    await h.emit("integration-created", newId("int"));
    await h.drain();
    const after = h.receiver.received.at(-1)!;
    expect(await validSignatures(fresh, after)).toEqual([true]);
    expect(await validSignatures(created.secret, after)).toEqual([false]);

    // No grace: the old secret stops at once. The list never shows a secret.
    const again = await h.t.request("POST", `/v1/webhook-endpoints/${created.id}/rotate-secret`, {
      body: { grace_period: "0s" },
    });
    const newest = (await again.json()) as WebhookEndpointWithSecret;
    expect(newest.previous_secret_expires_at).toBeNull();
    await h.emit("integration-created", newId("int"));
    await h.drain();
    expect(await validSignatures(newest.secret, h.receiver.received.at(-1)!)).toEqual([true]);
    const list = await (await h.t.request("GET", "/v1/webhook-endpoints")).json();
    expect(JSON.stringify(list)).not.toContain("whsec_");
    const tooLong = await h.t.request("POST", `/v1/webhook-endpoints/${created.id}/rotate-secret`, {
      body: { grace_period: "30d" },
    });
    expect(tooLong.status).toBe(400);
  });

  it("two dispatchers claiming at once never send a delivery twice and keep the order", async () => {
    const h = await harness(dialect, { webhookConcurrency: 8 });
    await h.endpoint();
    const integrations = Array.from({ length: 5 }, () => newId("int"));
    const emitted = new Map<string, string[]>(integrations.map((i) => [i, []]));
    for (let n = 0; n < 60; n++) {
      const integration = integrations[n % 5]!;
      emitted.get(integration)!.push(await h.emit("sync-finished", integration, { n }));
    }
    const other = createWebhookDispatcher(h.t.server.ctx);
    open.push(() => other.stop());
    await Promise.all([h.drain(), other.drain(), h.drain()]);
    expect(ids(h)).toHaveLength(60);
    expect(new Set(ids(h)).size).toBe(60);
    for (const [integration, events] of emitted) {
      expect(
        h.receiver.received.filter((r) => r.json.data.integration_id === integration).map((r) => r.json.id),
      ).toEqual(events);
    }
  });

  it("a running dispatcher drains a backlog in batches: once each, in order, a failing head holds only its integration", async () => {
    const h = await harness(dialect, { webhookConcurrency: 8, webhookTickMs: 50 });
    await h.endpoint();
    const integrations = Array.from({ length: 6 }, () => newId("int"));
    const [bad] = integrations;
    const emitted = new Map<string, string[]>(integrations.map((i) => [i, []]));
    let failing = true;
    h.receiver.answer(async (r, res) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      res.writeHead(failing && r.json.data.integration_id === bad ? 503 : 200).end();
    });
    // A backlog first (the dispatcher stopped), then more while it runs.
    for (let n = 0; n < 90; n++) {
      const integration = integrations[n % 6]!;
      emitted.get(integration)!.push(await h.emit("sync-finished", integration, { n }));
    }
    h.t.server.webhooks.start();
    for (let n = 90; n < 120; n++) {
      const integration = integrations[n % 6]!;
      emitted.get(integration)!.push(await h.emit("sync-finished", integration, { n }));
    }
    const until = (what: string, done: () => boolean) => waitFor(what, done);
    const of = (integration: string) =>
      h.receiver.received.filter((r) => r.json.data.integration_id === integration).map((r) => r.json.id);
    await until("the other integrations delivered", () =>
      integrations.slice(1).every((i) => of(i).length === 20),
    );
    for (const integration of integrations.slice(1))
      expect(of(integration)).toEqual(emitted.get(integration));
    // The failing head was tried once (its retry is due in 5 s of the manual clock); the rest wait.
    expect(of(bad!)).toEqual([emitted.get(bad!)![0]]);
    const waiting = await h.deliveries(`&integration_id=${bad}&status=PENDING`);
    expect(waiting).toHaveLength(20);
    expect(waiting.filter((d) => d.attempt_count > 0).map((d) => d.event_id)).toEqual([
      emitted.get(bad!)![0],
    ]);

    // The receiver recovers; the retry (found by polling) goes, then the rest follow in order.
    failing = false;
    h.t.clock.advance(RETRY_DELAYS_MS[0]! * 1.1 + 1);
    await until("the failing integration caught up", () => of(bad!).length === 21);
    expect([...new Set(of(bad!))]).toEqual(emitted.get(bad!));
    expect(of(bad!).slice(0, 2)).toEqual([emitted.get(bad!)![0], emitted.get(bad!)![0]]);
    expect(h.receiver.received).toHaveLength(121);
    await h.t.server.webhooks.stop();
    expect(await h.deliveries("&status=SUCCEEDED")).toHaveLength(120);
  });

  it("logs slow receivers as timeouts and truncates huge answers in the log", async () => {
    const h = await harness(dialect, { webhookTimeoutMs: 300 });
    await h.endpoint();
    // Never answered: the dispatcher gives up on its own (the receiver drops the connection at the end).
    h.receiver.answer(() => {});
    const slow = await h.emit("sync-finished", newId("int"));
    await h.drain();
    const [timedOut] = await h.deliveries(`&event_id=${slow}`);
    expect(timedOut!.status).toBe("PENDING");
    expect(timedOut!.attempts[0]).toMatchObject({ response_status: null, error: "timed out after 300 ms" });
    expect(timedOut!.attempts[0]!.latency_ms).toBeGreaterThanOrEqual(290);

    // A huge answer, with the harness's usual deadline: the answer arrives, only its log is cut.
    const g = await harness(dialect);
    await g.endpoint();
    g.receiver.answer((_r, res) => {
      res.writeHead(500, { "content-type": "text/plain" }).end("x".repeat(5 * 1024 * 1024));
    });
    const huge = await g.emit("sync-finished", newId("int"));
    await g.drain();
    const [big] = await g.deliveries(`&event_id=${huge}`);
    expect(big!.attempts[0]!.error).toBeNull();
    expect(big!.attempts[0]!.response_status).toBe(500);
    expect(big!.attempts[0]!.response_body).toBe(`${"x".repeat(2048)}…[truncated]`);
  });

  it("logs answers with NUL characters and binary bodies safely", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    h.receiver.answer((_r, res) => {
      res.writeHead(400).end(Buffer.from([0x62, 0x61, 0x64, 0x00, 0xff, 0xfe, 0x21]));
    });
    const eventId = await h.emit("sync-finished", newId("int"));
    expect(await h.drain()).toBe(1);
    const [d] = await h.deliveries(`&event_id=${eventId}`);
    expect(d!.attempts[0]).toMatchObject({ response_status: 400, response_body: "bad\uFFFD\uFFFD\uFFFD!" });
  });

  it("stopping finishes the attempts under way and leaves nothing claimed", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    h.receiver.answer((_r, res) => {
      setTimeout(() => res.writeHead(200).end(), 200);
    });
    const first = new Promise((resolve) => h.receiver.onRequest(resolve));
    h.t.server.webhooks.start();
    for (let n = 0; n < 5; n++) await h.emit("sync-finished", newId("int"), { n });
    await first;
    await h.t.server.webhooks.stop();
    const claimed = await h.t.server.ctx.db
      .selectFrom("webhook_deliveries")
      .select(["id", "status"])
      .where("lease_owner", "is not", null)
      .execute();
    expect(claimed).toEqual([]);
    const delivered = await h.deliveries("&status=SUCCEEDED");
    expect(delivered.length).toBe(h.receiver.received.length);
    expect(delivered.length).toBeGreaterThan(0);
  });

  it("does not follow redirects", async () => {
    const h = await harness(dialect);
    await h.endpoint();
    h.receiver.answer((r, res) => {
      if (r.path === "/hooks") res.writeHead(307, { location: "/elsewhere" }).end();
      else res.writeHead(200).end();
    });
    const eventId = await h.emit("sync-finished", newId("int"));
    await h.drain();
    expect(h.receiver.received.map((r) => r.path)).toEqual(["/hooks"]);
    const [d] = await h.deliveries(`&event_id=${eventId}`);
    expect(d).toMatchObject({ status: "PENDING", last_response_status: 307 });
  });

  it("filters by event type; a disabled endpoint's deliveries wait until it is enabled again", async () => {
    const h = await harness(dialect);
    const onlyDeleted = await h.endpoint({ event_types: ["integration-deleted"] });
    const all = await h.endpoint();
    await h.emit("integration-created", newId("int"));
    await h.emit("integration-deleted", newId("int"));
    await h.drain();
    expect((await h.deliveries(`&endpoint_id=${onlyDeleted.id}`)).map((d) => d.event_type)).toEqual([
      "integration-deleted",
    ]);
    expect(await h.deliveries(`&endpoint_id=${all.id}`)).toHaveLength(2);

    const integration = newId("int");
    const first = await h.emit("integration-state-changed", integration);
    const patch = await h.t.request("PATCH", `/v1/webhook-endpoints/${all.id}`, { body: { enabled: false } });
    expect(await patch.json()).toMatchObject({ enabled: false });
    await h.emit("integration-state-changed", integration); // not queued for the disabled endpoint
    const before = h.receiver.received.length;
    h.t.clock.advance(HOUR);
    await h.drain();
    expect(h.receiver.received.length).toBe(before);
    const test = await h.t.request("POST", `/v1/webhook-endpoints/${all.id}/test`);
    expect(test.status).toBe(409);

    await h.t.request("PATCH", `/v1/webhook-endpoints/${all.id}`, { body: { enabled: true } });
    await h.drain();
    expect(ids(h).slice(before)).toEqual([first]);
  });

  it("sends a test event to one endpoint only", async () => {
    const h = await harness(dialect);
    const target = await h.endpoint({ event_types: ["sync-finished"] });
    await h.endpoint();
    const res = await h.t.request("POST", `/v1/webhook-endpoints/${target.id}/test`);
    expect(res.status).toBe(202);
    const queued = (await res.json()) as WebhookDelivery;
    expect(queued).toMatchObject({ endpoint_id: target.id, event_type: "webhook-test", status: "PENDING" });
    await h.drain();
    expect(h.receiver.received).toHaveLength(1);
    const [got] = h.receiver.received;
    expect(got!.json).toMatchObject({ type: "webhook-test", data: { endpoint_id: target.id } });
    expect(await validSignatures(target.secret, got!)).toEqual([true]);
    const [done] = await h.deliveries(`&endpoint_id=${target.id}`);
    expect(done!.status).toBe("SUCCEEDED");
  });

  it("refuses, at delivery time, a URL that now resolves to a private address (DNS rebinding)", async () => {
    const h = await harness(dialect, { allowPrivateWebhookUrls: false, allowHttpWebhookUrls: true });
    // Saved while it resolved elsewhere; now it resolves to loopback.
    const created = await h.t.request("POST", "/v1/webhook-endpoints", {
      body: { url: "http://93.184.215.14/hooks" },
    });
    const { id } = (await created.json()) as { id: string };
    await h.t.server.ctx.db
      .updateTable("webhook_endpoints")
      .set({ url: `http://localhost:${h.receiver.port}/hooks` })
      .where("id", "=", id)
      .execute();
    const literal = await h.t.request("POST", "/v1/webhook-endpoints", {
      body: { url: "http://93.184.215.14/other" },
    });
    const { id: literalId } = (await literal.json()) as { id: string };
    await h.t.server.ctx.db
      .updateTable("webhook_endpoints")
      .set({ url: `http://127.0.0.1:${h.receiver.port}/hooks` })
      .where("id", "=", literalId)
      .execute();

    await h.emit("sync-finished", newId("int"));
    await h.drain();
    expect(h.receiver.received).toHaveLength(0);
    const logged = await h.deliveries();
    expect(logged).toHaveLength(2);
    const errors = logged.map((d) => d.attempts[0]!.error).sort();
    expect(errors[0]).toMatch(/^127\.0\.0\.1, a loopback address/);
    // A name's refusal never says what it resolves to (issue 15, item 5).
    expect(errors[1]).toMatch(/^the host localhost resolves to an address that is not allowed/);
  });

  it("lists the event log newest first with filters and cursor pagination", async () => {
    const h = await harness(dialect);
    const a = newId("int");
    const b = newId("int");
    const start = h.t.clock.now();
    const emitted: string[] = [];
    for (let n = 0; n < 7; n++) {
      emitted.push(await h.emit(n % 2 ? "sync-finished" : "integration-state-changed", n < 4 ? a : b, { n }));
      h.t.clock.advance(60_000);
    }
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.t.request("GET", `/v1/events?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ id: string }>; next_cursor: string | null };
      all.push(...body.data.map((e) => e.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(all).toEqual([...emitted].reverse());

    const get = async (query: string) =>
      (
        (await (await h.t.request("GET", `/v1/events?${query}`)).json()) as { data: Array<{ id: string }> }
      ).data.map((e) => e.id);
    expect(await get("type=sync-finished")).toEqual([emitted[5], emitted[3], emitted[1]]);
    expect(await get(`integration_id=${a}`)).toEqual(emitted.slice(0, 4).reverse());
    const after = new Date(start.getTime() + 2.5 * 60_000).toISOString();
    const before = new Date(start.getTime() + 5.5 * 60_000).toISOString();
    expect(await get(`created_after=${after}&created_before=${before}`)).toEqual([
      emitted[5],
      emitted[4],
      emitted[3],
    ]);
    const [event] = ((await (await h.t.request("GET", "/v1/events?limit=1")).json()) as { data: unknown[] })
      .data;
    expect(event).toEqual({
      id: emitted[6],
      type: "integration-state-changed",
      integration_id: b,
      created_at: iso(new Date(start.getTime() + 6 * 60_000)),
      data: { integration_id: b, n: 6 },
    });
    expect((await h.t.request("GET", "/v1/events?cursor=bm9wZQ")).status).toBe(400);
  });

  it("keeps workspaces apart: another workspace's endpoints, deliveries and events are not found", async () => {
    const h = await harness(dialect);
    const mine = await h.endpoint();
    await h.emit("integration-created", newId("int"));
    await h.drain();
    const [delivery] = await h.deliveries();
    const { apiKey } = await createWorkspace(h.t.server.ctx, "Other");
    const as = (method: string, path: string, body?: unknown) =>
      h.t.request(method, path, { key: apiKey.key, ...(body === undefined ? {} : { body }) });

    expect((await as("GET", `/v1/webhook-endpoints/${mine.id}`)).status).toBe(404);
    expect((await as("PATCH", `/v1/webhook-endpoints/${mine.id}`, { enabled: false })).status).toBe(404);
    expect((await as("DELETE", `/v1/webhook-endpoints/${mine.id}`)).status).toBe(404);
    expect((await as("POST", `/v1/webhook-endpoints/${mine.id}/rotate-secret`)).status).toBe(404);
    expect((await as("POST", `/v1/webhook-endpoints/${mine.id}/test`)).status).toBe(404);
    expect((await as("GET", `/v1/webhook-deliveries/${delivery!.id}`)).status).toBe(404);
    expect((await as("POST", `/v1/webhook-deliveries/${delivery!.id}/retry`)).status).toBe(404);
    for (const path of ["/v1/webhook-endpoints", "/v1/webhook-deliveries", "/v1/events"]) {
      expect(await (await as("GET", path)).json()).toEqual({ data: [], next_cursor: null });
    }
    // A delivery being attempted right now cannot be retried on top.
    await h.t.server.ctx.db
      .updateTable("webhook_deliveries")
      .set({ lease_owner: "elsewhere", lease_expires_at: iso(new Date(h.t.clock.now().getTime() + 60_000)) })
      .where("id", "=", delivery!.id)
      .execute();
    expect((await h.t.request("POST", `/v1/webhook-deliveries/${delivery!.id}/retry`)).status).toBe(409);
    // Still there for its owner, without its secret.
    const own = await h.t.request("GET", `/v1/webhook-endpoints/${mine.id}`);
    expect(await own.json()).toMatchObject({ id: mine.id, url: h.receiver.url, enabled: true });
    expect(
      JSON.stringify(await (await h.t.request("GET", `/v1/webhook-endpoints/${mine.id}`)).json()),
    ).not.toContain("whsec_");
    expect((await h.t.request("GET", `/v1/webhook-deliveries/${delivery!.id}`)).status).toBe(200);
    expect((await h.t.request("DELETE", `/v1/webhook-endpoints/${mine.id}`)).status).toBe(204);
    expect(await h.deliveries()).toEqual([]);
  });

  it("delivers lifecycle events of an imported integration (integration-created, state changes)", async () => {
    const { scriptedConnector } = await import("../src/testing/scripted-connector.ts");
    const tool = scriptedConnector();
    const t = await createTestRelink({
      dialect,
      connectors: [tool.connector],
      config: { allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true },
    });
    const receiver = await startReceiver();
    open.push(
      () => t.close(),
      () => receiver.close(),
    );
    const endpoint = await t.request("POST", "/v1/webhook-endpoints", { body: { url: receiver.url } });
    const { secret } = (await endpoint.json()) as { secret: string };
    tool.setKey("k1");
    const imported = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "o1", organization_name: "Acme" },
        credentials: { api_key: "k1" },
      },
    });
    expect(imported.status).toBe(201);
    const { id } = (await imported.json()) as { id: string };
    await t.request("PUT", `/v1/integrations/${id}/enabled`, { body: { value: false } });
    await t.request("PUT", `/v1/integrations/${id}/enabled`, { body: { value: true } });
    await t.server.webhooks.drain();
    expect(receiver.received.map((r) => [r.json.type, r.json.data.reason ?? null])).toEqual([
      ["integration-created", null],
      ["integration-state-changed", "DISABLED"],
      ["integration-state-changed", "ENABLED"],
    ]);
    // The SDK's verifier (WebCrypto) accepts what the server signed, typed by the contract.
    for (const r of receiver.received) {
      const event = await verifyWebhook({
        body: r.body,
        headers: r.headers,
        secret,
        currentDate: t.clock.now(),
      });
      expect(event).toEqual(r.json);
    }
  });
});

describe("webhook delivery latency", () => {
  it("delivers promptly after commit (in-process wake-up), never waiting for the next poll", async () => {
    // Polling every 10 minutes: what arrives within seconds was woken by the commit. (The
    // commit-to-receipt latency itself, p50 and p99, is measured by bench/webhooks.ts.)
    const h = await harness("sqlite", { webhookTickMs: 600_000 });
    await h.endpoint();
    h.t.server.start();
    const latencies: number[] = [];
    for (let n = 0; n < 40; n++) {
      const eventId = await h.emit("sync-finished", newId("int"), { n });
      const committed = performance.now();
      const got = await waitFor(`event ${n} delivered`, () =>
        h.receiver.received.find((r) => r.json.id === eventId),
      );
      latencies.push(got.at - committed);
    }
    expect(h.receiver.received).toHaveLength(40);
    expect(Math.max(...latencies)).toBeLessThan(30_000);
  });
});
