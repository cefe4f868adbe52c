import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnector } from "@relink/demo-hris/connectors";
import type { Integration, SyncSessionFinished, SyncSessionOpened } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { availableDialects, createTestRelink, type TestRelink } from "../src/testing/index.ts";
import { EMPLOYEES_SCOPE } from "./records-support.ts";

/**
 * Sync sessions over HTTP, on both databases, against the demo HR system: a healthy integration's
 * session hands out credentials that work with the tool; a revoked key is refused and opens the
 * streak; three days of refused sessions pause the integration at the same moment scheduled syncs
 * would; a reported AUTHENTICATION_FAILED with valid credentials counts for nothing; an unfinished
 * session ends FAILED with SESSION_EXPIRED; credentials never reach a log line or an event.
 */

const HOUR = 3_600_000;
const PAUSE_AFTER = 72 * HOUR;

const SCOPE = EMPLOYEES_SCOPE;

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

describe.each(availableDialects())("sync sessions (%s)", (dialect) => {
  let hris: RunningDemoHris;
  let t: TestRelink;
  let sessionKey: string;
  let n = 0;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    t = await createTestRelink({
      dialect,
      clock: new ManualClock(Date.now()),
      connectors: [demoHrisConnector({ baseUrl: hris.url })],
      config: { pauseAfterMs: PAUSE_AFTER },
    });
    expect((await t.request("POST", "/v1/scope-configs", { body: SCOPE })).status).toBe(201);
    const created = await t.request("POST", "/v1/api-keys", {
      body: { name: "product sync", scopes: ["credentials:read"] },
    });
    sessionKey = ((await created.json()) as { key: string }).key;
  });
  afterAll(async () => {
    await t?.close();
    await hris?.close();
  });

  const issueToolKey = async (permissions = ["employees:read", "teams:read"]) => {
    const r = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions }),
    });
    return ((await r.json()) as { key: string }).key;
  };
  const revokeToolKey = (key: string) => fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" });

  const importIntegration = async (toolKey: string): Promise<Integration> => {
    const r = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "demo-hris",
        end_user: { origin_id: `org-${++n}`, organization_name: `Org ${n}` },
        credentials: { api_key: toolKey },
      },
    });
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as Integration;
  };
  const open = (id: string, body: unknown = {}) =>
    t.request("POST", `/v1/integrations/${id}/sync-sessions`, { key: sessionKey, body });
  const finish = (id: string, sessionId: string, body: unknown) =>
    t.request("POST", `/v1/integrations/${id}/sync-sessions/${sessionId}/finish`, { key: sessionKey, body });
  const get = async (id: string) =>
    (await (await t.request("GET", `/v1/integrations/${id}`)).json()) as Integration;
  const eventsOf = (id: string) =>
    t.database.db
      .selectFrom("events")
      .select(["type", "data"])
      .where("integration_id", "=", id)
      .orderBy("seq")
      .execute();
  const checksOf = (id: string) =>
    t.database.db
      .selectFrom("auth_checks")
      .select(["outcome", "trigger"])
      .where("integration_id", "=", id)
      .orderBy("id")
      .execute();

  it("a session on a healthy integration hands out credentials that work with the tool, and finishing records an EXTERNAL run", async () => {
    const toolKey = await issueToolKey();
    const integration = await importIntegration(toolKey);
    const r = await open(integration.id);
    expect(r.status, await r.clone().text()).toBe(201);
    const session = (await r.json()) as SyncSessionOpened;
    expect(session.id).toMatch(/^ss_/);
    expect(session.integration_id).toBe(integration.id);
    expect(session.credentials).toEqual({ api_key: toolKey });
    expect(session.granted_permissions).toEqual(["employees:read", "teams:read"]);
    expect(session.auth).toMatchObject({ status: "OK", failing_since: null, pauses_at: null });
    const employees = session.scope_config.models.find((m) => m.model === "employees");
    expect(employees?.fields).toContain("first_name");
    expect(employees?.fields).not.toContain("home_address");
    const ttl = Date.parse(session.expires_at) - t.clock.now().getTime();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);

    // The product's own sync, with the credentials it was given.
    const tool = await fetch(`${hris.url}/api/employees`, {
      headers: { authorization: `Bearer ${session.credentials.api_key}` },
    });
    expect(tool.status).toBe(200);
    const { data } = (await tool.json()) as { data: unknown[] };
    expect(data.length).toBeGreaterThan(0);

    const done = await finish(integration.id, session.id, {
      outcome: "SUCCEEDED",
      records: { employees: data.length },
      warnings: [{ code: "SLOW_TOOL", message: "the tool took 3 s a page" }],
    });
    expect(done.status, await done.clone().text()).toBe(200);
    const finished = (await done.json()) as SyncSessionFinished;
    expect(finished.session).toMatchObject({
      status: "FINISHED",
      outcome: "SUCCEEDED",
      sync_id: finished.sync.id,
    });
    expect(finished.sync).toMatchObject({
      trigger: "EXTERNAL",
      status: "FINISHED",
      sync_state: "SUCCEEDED",
      records: { employees: data.length },
      warnings: [{ code: "SLOW_TOOL", message: "the tool took 3 s a page" }],
    });
    const announced = (await eventsOf(integration.id)).filter((e) => e.type === "sync-finished");
    expect(announced.at(-1)?.data).toMatchObject({ sync_id: finished.sync.id, trigger: "EXTERNAL" });
    expect((await get(integration.id)).last_sync?.id).toBe(finished.sync.id);
    const checks = await checksOf(integration.id);
    expect(checks.at(-1)).toEqual({ outcome: "OK", trigger: "SESSION" });

    // Finished once only.
    const again = await finish(integration.id, session.id, { outcome: "SUCCEEDED" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe("SESSION_FINISHED");

    // Recorded with the key that opened it; the management key lists who took the credentials.
    const listed = (await (
      await t.request("GET", `/v1/integrations/${integration.id}/sync-sessions`)
    ).json()) as {
      data: Array<{ id: string; api_key_id: string }>;
    };
    const keys = (await (await t.request("GET", "/v1/api-keys")).json()) as {
      data: Array<{ id: string; name: string }>;
    };
    const opener = keys.data.find((k) => k.name === "product sync");
    expect(listed.data[0]).toMatchObject({ id: session.id, api_key_id: opener?.id });

    // The credentials left only in the 201 body.
    expect(JSON.stringify(t.logs)).not.toContain(toolKey);
    const allEvents = await t.database.db.selectFrom("events").select("data").execute();
    expect(JSON.stringify(allEvents)).not.toContain(toolKey);
  });

  it("refuses a session on a revoked key with AUTHENTICATION_FAILED and opens the streak; three days of refused sessions pause it exactly when scheduled syncs would", async () => {
    const toolKey = await issueToolKey();
    const integration = await importIntegration(toolKey);
    await revokeToolKey(toolKey);

    const first = await open(integration.id);
    expect(first.status).toBe(409);
    const refused = (await first.json()) as ErrorBody;
    expect(refused.error.code).toBe("AUTHENTICATION_FAILED");
    const auth = refused.error.details?.auth as { failing_since: string; pauses_at: string; status: string };
    expect(auth.status).toBe("FAILING");
    expect(auth.failing_since).toBe(t.clock.now().toISOString());
    expect(Date.parse(auth.pauses_at) - Date.parse(auth.failing_since)).toBe(PAUSE_AFTER);
    expect(JSON.stringify(refused)).not.toContain(toolKey);
    expect((await get(integration.id)).auth).toMatchObject({ status: "FAILING", failed_checks: 1 });

    // A refused session every 8 hours for three days: the integration stays ACTIVE (FAILING) until
    // the first check at or after failing_since + 72 h, which pauses it, as the scheduler's would.
    const pausesAt = Date.parse(auth.pauses_at);
    for (;;) {
      t.clock.advance(8 * HOUR);
      const r = await open(integration.id);
      expect(r.status).toBe(409);
      const body = (await r.json()) as ErrorBody;
      expect(body.error.code).toBe("AUTHENTICATION_FAILED");
      const state = (await get(integration.id)).state;
      if (t.clock.now().getTime() < pausesAt) {
        expect(state).toBe("ACTIVE");
      } else {
        expect(state).toBe("INVALID");
        expect(body.error.details?.state).toBe("INVALID");
        break;
      }
    }
    const paused = await open(integration.id);
    expect(paused.status).toBe(409);
    expect(((await paused.json()) as ErrorBody).error.code).toBe("INTEGRATION_PAUSED");

    const transitions = (await eventsOf(integration.id))
      .filter((e) => e.type === "integration-auth-status-changed" || e.type === "integration-state-changed")
      .map(
        (e) =>
          `${e.type}:${(e.data as { auth_status?: string; state?: string }).auth_status ?? (e.data as { state: string }).state}`,
      );
    expect(transitions).toEqual([
      "integration-auth-status-changed:FAILING",
      "integration-state-changed:INVALID",
    ]);
    const states = (await eventsOf(integration.id)).filter((e) => e.type === "integration-state-changed");
    expect(states[0]?.data).toMatchObject({ reason: "AUTHENTICATION_FAILED" });
  });

  it("a reported AUTHENTICATION_FAILED with valid credentials does not count: relink's own check decides", async () => {
    const integration = await importIntegration(await issueToolKey());
    const session = (await (await open(integration.id)).json()) as SyncSessionOpened;
    const r = await finish(integration.id, session.id, { outcome: "AUTHENTICATION_FAILED" });
    expect(r.status).toBe(200);
    const finished = (await r.json()) as SyncSessionFinished;
    expect(finished.sync.sync_state).toBe("FAILED");
    expect(finished.sync.error).toMatch(/found the credentials valid/);
    expect(finished.session.outcome).toBe("AUTHENTICATION_FAILED");
    const after = await get(integration.id);
    expect(after.auth).toMatchObject({ status: "OK", failing_since: null, failed_checks: 0 });
    expect((await checksOf(integration.id)).slice(-2)).toEqual([
      { outcome: "OK", trigger: "SESSION" },
      { outcome: "OK", trigger: "SESSION" },
    ]);
  });

  it("a reported AUTHENTICATION_FAILED that relink's check confirms counts towards the streak", async () => {
    const toolKey = await issueToolKey();
    const integration = await importIntegration(toolKey);
    const session = (await (await open(integration.id)).json()) as SyncSessionOpened;
    await revokeToolKey(toolKey);
    const r = await finish(integration.id, session.id, { outcome: "AUTHENTICATION_FAILED" });
    const finished = (await r.json()) as SyncSessionFinished;
    expect(finished.sync.sync_state).toBe("AUTHENTICATION_FAILED");
    expect((await get(integration.id)).auth.status).toBe("FAILING");
  });

  it("an outage refuses the session with 503 TOOL_UNREACHABLE and Retry-After, and never opens a streak", async () => {
    const integration = await importIntegration(await issueToolKey());
    await fetch(`${hris.url}/admin/outage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 503, duration_ms: 60_000 }),
    });
    try {
      const r = await open(integration.id);
      expect(r.status).toBe(503);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await r.json()) as ErrorBody).error.code).toBe("TOOL_UNREACHABLE");
      expect((await get(integration.id)).auth).toMatchObject({ failing_since: null, failed_checks: 0 });
    } finally {
      await fetch(`${hris.url}/admin/outage`, { method: "DELETE" });
    }
  });

  it("a disabled integration refuses sessions with INTEGRATION_INACTIVE", async () => {
    const integration = await importIntegration(await issueToolKey());
    const disabled = await t.request("PUT", `/v1/integrations/${integration.id}/enabled`, {
      body: { value: false },
    });
    expect(disabled.status, await disabled.clone().text()).toBeLessThan(300);
    const r = await open(integration.id);
    expect(r.status).toBe(409);
    expect(((await r.json()) as ErrorBody).error.code).toBe("INTEGRATION_INACTIVE");
  });

  it("max_check_age reuses a recent OK check, is at most 15m, and defaults to checking now", async () => {
    const integration = await importIntegration(await issueToolKey());
    expect((await open(integration.id)).status).toBe(201);
    const checks = (await checksOf(integration.id)).length;
    t.clock.advance(60_000);
    expect((await open(integration.id, { max_check_age: "5m" })).status).toBe(201);
    expect((await checksOf(integration.id)).length).toBe(checks);
    expect((await open(integration.id)).status).toBe(201);
    expect((await checksOf(integration.id)).length).toBe(checks + 1);
    for (const max_check_age of ["16m", "1h", "soon", 5]) {
      const r = await open(integration.id, { max_check_age });
      expect(r.status).toBe(400);
      expect(((await r.json()) as ErrorBody).error.code).toBe("INVALID_REQUEST");
    }
    // No body at all is the default.
    const bare = await t.server.app.request(`/v1/integrations/${integration.id}/sync-sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${sessionKey}` },
    });
    expect(bare.status).toBe(201);
  });

  it("sessions opened at once (their rows written together) each get a session of their own, stored with the reused check", async () => {
    const integration = await importIntegration(await issueToolKey());
    expect((await open(integration.id)).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => open(integration.id, { max_check_age: "15m" })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(201));
    const ids = (await Promise.all(answers.map((r) => r.json()))).map((s) => (s as SyncSessionOpened).id);
    expect(new Set(ids).size).toBe(12);
    const stored = await t.database.db
      .selectFrom("sync_sessions")
      .select(["id", "status", "check_id", "api_key_id"])
      .where("integration_id", "=", integration.id)
      .orderBy("id")
      .execute();
    expect(stored).toHaveLength(13);
    const [first, ...reusing] = stored;
    expect(reusing.map((s) => s.id).sort()).toEqual([...ids].sort());
    for (const s of reusing) {
      expect(s.status).toBe("OPEN");
      expect(s.check_id).toBe(first?.check_id);
    }
    const listed = await t.request("GET", `/v1/integrations/${integration.id}/sync-sessions?limit=50`);
    expect(((await listed.json()) as { data: unknown[] }).data).toHaveLength(13);
  });

  it("a session not finished by expires_at ends FAILED with SESSION_EXPIRED", async () => {
    const integration = await importIntegration(await issueToolKey());
    const session = (await (await open(integration.id)).json()) as SyncSessionOpened;
    t.clock.set(Date.parse(session.expires_at) + 1);
    await t.server.scheduler.runDue();
    const row = await t.database.db
      .selectFrom("sync_sessions")
      .selectAll()
      .where("id", "=", session.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "EXPIRED", outcome: "SESSION_EXPIRED" });
    const run = await t.database.db
      .selectFrom("sync_runs")
      .selectAll()
      .where("id", "=", row.sync_id as string)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ trigger: "EXTERNAL", sync_state: "FAILED" });
    expect(run.error).toMatch(/SESSION_EXPIRED/);
    const late = await finish(integration.id, session.id, { outcome: "SUCCEEDED" });
    expect(late.status).toBe(409);
    expect(((await late.json()) as ErrorBody).error.code).toBe("SESSION_EXPIRED");
  });

  it("answers 404 for unknown integrations and sessions, and refuses bad reports", async () => {
    const integration = await importIntegration(await issueToolKey());
    const unknownInt = `int_${"0".repeat(26)}`;
    expect((await open(unknownInt)).status).toBe(404);
    expect((await finish(integration.id, `ss_${"0".repeat(26)}`, { outcome: "SUCCEEDED" })).status).toBe(404);
    const session = (await (await open(integration.id)).json()) as SyncSessionOpened;
    for (const body of [
      {},
      { outcome: "DONE" },
      { outcome: "SUCCEEDED", records: { employees: -1 } },
      { outcome: "SUCCEEDED", warnings: [{ code: "lower", message: "x" }] },
      { outcome: "SUCCEEDED", extra: true },
    ]) {
      const r = await finish(integration.id, session.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await finish(integration.id, session.id, { outcome: "SUCCEEDED" })).status).toBe(200);
  });
});
