import { CompiledQuery } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { loadConfig } from "../src/config.ts";
import {
  pruneHistory,
  retentionScan,
  tokenFailureForgotten,
  tokenMemoryMs,
} from "../src/domain/retention.ts";
import { availableDialects } from "../src/testing/index.ts";
import { createWebhookDispatcher } from "../src/webhooks/dispatcher.ts";
import { HOUR, type PauseWorld, pauseWorld } from "./pause-engine/helpers.ts";
import { type Receiver, startReceiver } from "./webhook-receiver.ts";

const DAY = 24 * HOUR;
const RETENTION = 7 * DAY;

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/**
 * Ids carry their creation time and are monotonic per prefix in a process, so each world starts
 * later than the previous one ended (a clock going back would stamp ids with the later time).
 */
let nextStart = Date.parse("2030-01-01T00:00:00Z");

async function world(dialect: "sqlite" | "postgres"): Promise<{ w: PauseWorld; receiver: Receiver }> {
  const clock = new ManualClock(nextStart);
  nextStart += 365 * DAY;
  const w = await pauseWorld({
    dialect,
    clock,
    config: { retentionMs: RETENTION, allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true },
  });
  const receiver = await startReceiver();
  open.push(
    () => w.close(),
    () => receiver.close(),
  );
  return { w, receiver };
}

const count = async (
  w: PauseWorld,
  table: "sync_runs" | "events" | "webhook_deliveries" | "webhook_attempts",
) =>
  Number(
    (
      await w.t.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe.each(availableDialects())("retention (%s)", (dialect) => {
  it("removes finished history older than RELINK_RETENTION and keeps everything still needed", async () => {
    const { w, receiver } = await world(dialect);
    const db = w.t.database.db;
    const dispatcher = createWebhookDispatcher(w.t.server.ctx, { random: () => 0.5 });
    const endpoint = (await (
      await w.t.request("POST", "/v1/webhook-endpoints", { body: { url: receiver.url } })
    ).json()) as { id: string };
    // A second endpoint, disabled at once: its deliveries stay PENDING until it is enabled again.
    const parked = (await (
      await w.t.request("POST", "/v1/webhook-endpoints", { body: { url: `${receiver.url}/parked` } })
    ).json()) as { id: string };

    w.tool.setKey("good");
    w.tool.setKey("doomed");
    const healthy = await w.importIntegration("good");
    const failing = await w.importIntegration("doomed");
    expect(
      (await w.t.request("PATCH", `/v1/webhook-endpoints/${parked.id}`, { body: { enabled: false } })).status,
    ).toBe(200);
    // Ten days of syncs every 3 hours; the second integration's key is revoked on day 1 (paused on day 4).
    for (let hour = 0; hour < 10 * 24; hour += 3) {
      if (hour === 24) w.tool.revoke("doomed");
      await w.step(3 * HOUR);
      await dispatcher.drain();
    }
    expect((await w.get(failing.id)).state).toBe("INVALID");
    expect((await w.get(healthy.id)).state).toBe("ACTIVE");

    const now = w.t.clock.now().getTime();
    const cutoff = new Date(now - RETENTION).toISOString();
    const before = {
      runs: await count(w, "sync_runs"),
      events: await count(w, "events"),
      deliveries: await count(w, "webhook_deliveries"),
      attempts: await count(w, "webhook_attempts"),
      parked: await db
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("endpoint_id", "=", parked.id)
        .execute(),
      recentRuns: await db.selectFrom("sync_runs").selectAll().where("queued_at", ">=", cutoff).execute(),
      lastRuns: await Promise.all(
        [healthy.id, failing.id].map((id) =>
          db
            .selectFrom("sync_runs")
            .select("id")
            .where("integration_id", "=", id)
            .orderBy("id", "desc")
            .limit(1)
            .executeTakeFirstOrThrow(),
        ),
      ),
    };
    expect(before.parked.length).toBeGreaterThan(0);

    const report = await pruneHistory(w.t.server.ctx);
    expect(report.syncRuns).toBeGreaterThan(0);
    expect(report.deliveries).toBeGreaterThan(0);
    expect(report.attempts).toBeGreaterThanOrEqual(report.deliveries);
    expect(report.events).toBeGreaterThan(0);

    // The counts removed are the counts reported.
    expect(await count(w, "sync_runs")).toBe(before.runs - report.syncRuns);
    expect(await count(w, "events")).toBe(before.events - report.events);
    expect(await count(w, "webhook_deliveries")).toBe(before.deliveries - report.deliveries);
    expect(await count(w, "webhook_attempts")).toBe(before.attempts - report.attempts);

    // Nothing recent went; each integration keeps its latest run, whatever its age.
    const runsLeft = await db.selectFrom("sync_runs").selectAll().execute();
    expect(runsLeft.filter((r) => r.queued_at >= cutoff)).toEqual(before.recentRuns);
    expect(runsLeft.filter((r) => r.queued_at < cutoff)).toEqual([]);
    for (const last of before.lastRuns) expect(runsLeft.map((r) => r.id)).toContain(last.id);

    // Old finished deliveries (and their attempts) went; the parked ones and their events stayed.
    const deliveriesLeft = await db.selectFrom("webhook_deliveries").selectAll().execute();
    for (const d of deliveriesLeft) {
      if (d.endpoint_id === endpoint.id) expect(d.created_at >= cutoff).toBe(true);
    }
    expect(deliveriesLeft.filter((d) => d.endpoint_id === parked.id).map((d) => d.id)).toEqual(
      before.parked.map((d) => d.id),
    );
    const orphanAttempts = await db
      .selectFrom("webhook_attempts as a")
      .leftJoin("webhook_deliveries as d", "d.id", "a.delivery_id")
      .select("a.id")
      .where("d.id", "is", null)
      .execute();
    expect(orphanAttempts).toEqual([]);
    const eventsLeft = await db.selectFrom("events").select(["id", "created_at"]).execute();
    const eventIds = new Set(eventsLeft.map((e) => e.id));
    for (const d of deliveriesLeft) expect(eventIds.has(d.event_id)).toBe(true);
    for (const e of eventsLeft.filter((e) => e.created_at < cutoff)) {
      expect(deliveriesLeft.some((d) => d.event_id === e.id && d.endpoint_id === parked.id)).toBe(true);
    }

    // The API still answers over what is left, and the pause rules are untouched.
    const events = await w.t.request("GET", "/v1/events?limit=100");
    expect(events.status).toBe(200);
    const syncs = await w.t.request("GET", `/v1/integrations/${healthy.id}/syncs`);
    expect(syncs.status).toBe(200);
    expect(((await syncs.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect((await w.get(failing.id)).state).toBe("INVALID");

    // A second round finds nothing more; enabling the parked endpoint still delivers its backlog.
    expect(Object.values(await pruneHistory(w.t.server.ctx)).every((n) => n === 0)).toBe(true);
    await w.t.request("PATCH", `/v1/webhook-endpoints/${parked.id}`, { body: { enabled: true } });
    await dispatcher.drain();
    expect(receiver.received.filter((r) => r.path === "/hooks/parked")).toHaveLength(before.parked.length);
  });

  it("removes relink links that expired before the window, and old spent tokens and OAuth sign-ins", async () => {
    const { w } = await world(dialect);
    const db = w.t.database.db;
    w.tool.setKey("good");
    const integration = await w.importIntegration("good");
    const link = async (expires_in: number) => {
      const res = await w.t.request("POST", `/v1/integrations/${integration.id}/relink`, {
        body: { link_type: "MAGIC_LINK", expires_in },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const short = await link(120);
    const month = await link(30 * 86_400);
    w.t.clock.advance(RETENTION + DAY);
    const fresh = await link(3_600);
    const now = w.t.clock.now();
    await db
      .insertInto("spent_tokens")
      .values([
        {
          jti: "old",
          workspace_id: w.t.workspaceId,
          integration_id: integration.id,
          spent_at: new Date(now.getTime() - tokenMemoryMs(RETENTION) - 1000).toISOString(),
        },
        {
          jti: "recent",
          workspace_id: w.t.workspaceId,
          integration_id: integration.id,
          spent_at: new Date(now.getTime() - 31 * DAY).toISOString(),
        },
      ])
      .execute();

    const report = await pruneHistory(w.t.server.ctx);
    expect(report.links).toBe(1);
    expect(report.spentTokens).toBe(1);
    const links = (await db.selectFrom("relink_links").select("id").execute()).map((r) => r.id).sort();
    expect(links).toEqual([month, fresh].sort());
    expect(links).not.toContain(short);
    expect((await db.selectFrom("spent_tokens").select("jti").execute()).map((r) => r.jti)).toEqual([
      "recent",
    ]);
  });
  it("reads each table through its id index: a round costs what it removes, not the table's size", async () => {
    const { w } = await world(dialect);
    const db = w.t.database.db;
    for (const table of [
      "webhook_deliveries",
      "events",
      "sync_runs",
      "relink_links",
      "grant_revocations",
    ] as const) {
      const compiled = retentionScan(db, table, w.t.clock.now().getTime()).compile();
      if (dialect === "sqlite") {
        const plan = await db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
        );
        const text = plan.rows.map((r) => r.detail).join("\n");
        // The outer scan is a range of the id index (SQLite names it an autoindex) in id order.
        expect(text, table).toMatch(
          new RegExp(`SEARCH ${table} USING (?:COVERING )?INDEX \\S+ \\(id<\\?\\)`),
        );
        expect(text, table).not.toMatch(/TEMP B-TREE/);
      } else {
        const text = await db.transaction().execute(async (trx) => {
          await trx.executeQuery(CompiledQuery.raw("set local enable_seqscan = off"));
          const plan = await trx.executeQuery<{ "QUERY PLAN": string }>(
            CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
          );
          return plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        });
        // On a small table PostgreSQL may read the range as a bitmap and sort it: still only the range.
        expect(text, table).toMatch(/Index Cond: \(\(?id < /);
      }
    }
  });
});

describe("retention rules", () => {
  it("never forgets a token failure while the token could still be presented within the window", () => {
    // A failure recorded at T is deleted after T + tokenMemoryMs; the token it concerns was issued at
    // the latest at T and lives 30 days at most, so by then it expired longer ago than the retention.
    const recordedAt = Date.parse("2026-01-01T00:00:00Z");
    const issuedAt = recordedAt;
    const expiresAt = issuedAt + 30 * DAY;
    const deletedAfter = recordedAt + tokenMemoryMs(RETENTION);
    expect(tokenFailureForgotten(expiresAt, deletedAfter + 1, RETENTION)).toBe(true);
    expect(tokenFailureForgotten(expiresAt, expiresAt + RETENTION - 1, RETENTION)).toBe(false);
  });

  it("refuses a retention shorter than the webhook retry window", () => {
    expect(loadConfig({ RELINK_RETENTION: "90d" }).retentionMs).toBe(90 * DAY);
    expect(loadConfig({}).retentionMs).toBe(30 * DAY);
    expect(() => loadConfig({ RELINK_RETENTION: "3d" })).toThrow(/RELINK_RETENTION.*at least 7d/);
    expect(() => loadConfig({ RELINK_RETENTION: "soon" })).toThrow(/RELINK_RETENTION/);
  });
});
