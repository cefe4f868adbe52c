import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnector } from "@relink/demo-hris/connectors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRelink, type TestRelink } from "../../src/testing/index.ts";
import { checkInvariants } from "./invariants.ts";
import { report, scale } from "./support.ts";

/**
 * Issue 11 item 3: the real demo-hris connector against the real demo HR system behind a fault
 * proxy, with a ManualClock so that each fault lasts days of simulated time in a second or two.
 * For every fault: no false pause (no streak, no state change), no stuck worker (every claim
 * released, the next healthy check succeeds), bounded retries (backoff up to the interval, a
 * `Retry-After` honoured), and a redirect to an internal address never followed.
 */

const HOUR = 3_600_000;
type Mode =
  | "ok"
  | "500"
  | "502"
  | "503"
  | "429"
  | "timeout"
  | "malformed"
  | "truncated"
  | "slow-body"
  | "reset"
  | "redirect"
  | "dns";
const FAULTS: Mode[] = [
  "500",
  "502",
  "503",
  "429",
  "timeout",
  "malformed",
  "truncated",
  "slow-body",
  "reset",
  "redirect",
  "dns",
];

let mode: Mode = "ok";
let hris: RunningDemoHris;
let proxy: Server;
let canary: Server;
let canaryHits = 0;
let proxyUrl = "";
let t: TestRelink;
const ids: string[] = [];
const held = new Set<ServerResponse>();

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "connection"),
  ) as Record<string, string>;
  const answer = await fetch(hris.url + (req.url ?? "/"), {
    method: req.method,
    headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
  res.end(Buffer.from(await answer.arrayBuffer()));
}

function fault(req: IncomingMessage, res: ServerResponse): void {
  switch (mode) {
    case "500":
    case "502":
    case "503":
      res.writeHead(Number(mode), { "content-type": "application/json" }).end('{"error":"down"}');
      return;
    case "429":
      res
        .writeHead(429, { "retry-after": "7200", "content-type": "application/json" })
        .end('{"error":"slow down"}');
      return;
    case "timeout":
      held.add(res); // never answered; the connector's timeout gives up
      res.on("close", () => held.delete(res));
      return;
    case "malformed":
      res.writeHead(200, { "content-type": "application/json" }).end('{"company": {"id": "acme", "permiss');
      return;
    case "truncated":
      // Declares more than it sends, then the connection drops.
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"company":');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case "slow-body": {
      res.writeHead(200, { "content-type": "application/json" });
      let n = 0;
      const timer = setInterval(() => {
        if (n++ > 100 || res.destroyed) return clearInterval(timer);
        res.write(" ");
      }, 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    case "reset":
      req.socket.destroy();
      return;
    case "redirect":
      res.writeHead(302, { location: `${canaryUrl}/latest/meta-data/` }).end();
      return;
    default:
      void forward(req, res).catch(() => res.destroy());
  }
}
let canaryUrl = "";

beforeAll(async () => {
  hris = await startDemoHris({ port: 0 });
  canary = createServer((_req, res) => {
    canaryHits++;
    res
      .writeHead(200, { "content-type": "application/json" })
      .end('{"company":{"id":"acme","name":"x"},"permissions":[]}');
  });
  canaryUrl = await listen(canary);
  proxy = createServer(fault);
  proxyUrl = await listen(proxy);
  const realFetch = globalThis.fetch;
  const connector = demoHrisConnector({
    baseUrl: proxyUrl,
    timeoutMs: 250,
    // DNS failure, without asking a real resolver: what undici throws for ENOTFOUND.
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
      if (mode === "dns") {
        const cause = Object.assign(new Error("getaddrinfo ENOTFOUND hris.invalid"), { code: "ENOTFOUND" });
        return Promise.reject(new TypeError("fetch failed", { cause }));
      }
      // The connector's 250 ms timeout is the fault under test for a tool that never answers or
      // trickles its body; any other answer may take longer than that on a busy machine, and
      // must not turn a healthy check into an inconclusive one: those get a generous deadline.
      if (mode === "timeout" || mode === "slow-body") return realFetch(input, init);
      return realFetch(input, { ...init, signal: AbortSignal.timeout(60_000) });
    }) as typeof fetch,
  });
  t = await createTestRelink({
    connectors: [connector],
    config: { pauseAfterMs: 72 * HOUR, syncIntervalMs: 3 * HOUR },
  });
  await t.request("POST", "/v1/scope-configs", {
    body: { name: "Teams", category: "HRIS", is_default: true, models: { teams: { setting: "ENABLED" } } },
  });
  for (let i = 0; i < 3; i++) {
    const key = await (
      await fetch(`${hris.url}/admin/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
      })
    ).json();
    const created = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "demo-hris",
        end_user: { origin_id: `o${i}`, organization_name: `Org ${i}` },
        credentials: { api_key: key.key },
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    ids.push((await created.json()).id);
  }
  await t.server.scheduler.runDue();
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await t?.close();
  await new Promise((r) => proxy?.close(r));
  proxy?.closeAllConnections();
  await new Promise((r) => canary?.close(r));
  await hris?.close();
});

const STEP = 30 * 60_000;

describe("faults from the tool, for days of simulated time", () => {
  it.each(FAULTS)(
    "%s: no false pause, no stuck worker, bounded retries",
    async (fault) => {
      const days = scale(2, 10);
      const from = t.clock.now().toISOString();
      mode = fault;
      for (let step = 0; step < (days * 24 * HOUR) / STEP; step++) {
        t.clock.advance(STEP);
        await t.server.scheduler.runDue();
      }
      const rows = await t.database.db
        .selectFrom("integrations")
        .selectAll()
        .where("id", "in", ids)
        .execute();
      for (const row of rows) {
        expect(row.state, `${fault}: ${row.id}`).toBe("ACTIVE");
        expect(row.failing_since, `${fault}: a streak was opened`).toBeNull();
        expect(row.lease_owner, `${fault}: a claim left behind`).toBeNull();
        expect(row.next_sync_at).not.toBeNull();
      }
      const checks = await t.database.db
        .selectFrom("auth_checks")
        .select(["integration_id", "outcome", "checked_at"])
        .where("integration_id", "in", ids)
        .where("checked_at", ">", from)
        .orderBy("checked_at")
        .execute();
      expect(
        checks.every((c) => c.outcome === "INCONCLUSIVE"),
        `${fault}: ${JSON.stringify(checks.slice(0, 3))}`,
      ).toBe(true);
      const perIntegration = ids.map((id) => checks.filter((c) => c.integration_id === id));
      for (const own of perIntegration) {
        expect(own.length, `${fault}: at least a check a day`).toBeGreaterThanOrEqual(days);
        // Backoff up to the 3 h interval: never more than the steps allow, and the tail spaced by the interval.
        expect(own.length, `${fault}: retries bounded`).toBeLessThanOrEqual((days * 24) / 3 + 12);
        const tail = own.slice(-4).map((c) => Date.parse(c.checked_at));
        for (let i = 1; i < tail.length; i++)
          expect((tail[i] ?? 0) - (tail[i - 1] ?? 0), `${fault}: retries spaced`).toBeGreaterThanOrEqual(
            fault === "429" ? 2 * HOUR : 3 * HOUR,
          );
      }
      if (fault === "429") {
        const row = rows[0];
        expect(
          Date.parse(row?.next_sync_at ?? "") - Date.parse(row?.last_checked_at ?? ""),
        ).toBeGreaterThanOrEqual(2 * HOUR);
      }
      const events = await t.database.db
        .selectFrom("events")
        .select("type")
        .where("integration_id", "in", ids)
        .where("created_at", ">", from)
        .where("type", "in", ["integration-state-changed", "integration-auth-status-changed"])
        .execute();
      expect(events, `${fault}: announced a change`).toEqual([]);
      expect(canaryHits, "a redirect was followed").toBe(0);

      // The tool comes back: the next checks succeed, the backoff resets.
      mode = "ok";
      for (let step = 0; step < 8; step++) {
        t.clock.advance(STEP);
        await t.server.scheduler.runDue();
      }
      const after = await t.database.db
        .selectFrom("integrations")
        .selectAll()
        .where("id", "in", ids)
        .execute();
      for (const row of after) {
        expect(row.retry_attempt, `${fault}: recovered`).toBe(0);
        expect(row.last_succeeded_at && row.last_succeeded_at > from).toBe(true);
      }
      const invariants = await checkInvariants(t.database.db, {
        secrets: t.server.ctx.secrets,
        clean: true,
        now: t.clock.now(),
      });
      expect(invariants.violations).toEqual([]);
      report(`tool-faults/${fault}`, {
        // The checker reads every event each time: counted once, at the last fault.
        eventsChecked: fault === FAULTS.at(-1) ? invariants.eventsChecked : 0,
        note: `${days} simulated days, ${checks.length} checks`,
      });
    },
    60_000,
  );
});
