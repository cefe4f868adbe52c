import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import type { Integration } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { availableDialects, createTestRelink, type TestRelink } from "../src/testing/index.ts";

/**
 * Issue 17: "three days of refused sessions pause the integration exactly as scheduled syncs do",
 * side by side, on both databases. Two relink servers on one clock, each with an integration of
 * the demo HR system whose key is revoked at the same instant: one is checked only by relink's
 * scheduler (scheduled syncs at the sync interval), the other only by the product's sync sessions,
 * opened at the very instants the scheduler checked. After every check both show the same state,
 * auth health (failing since, failed checks, pauses at) and the same announced transitions at the
 * same times, and both pause on the same check.
 */

const HOUR = 3_600_000;
const PAUSE_AFTER = 72 * HOUR;
const INTERVAL = 7 * HOUR; // not a divisor of 72 h: the pause falls on the first check after it

describe.each(availableDialects())("refused sessions pause as scheduled syncs do (%s)", (dialect) => {
  const clock = new ManualClock(Date.parse("2026-06-01T09:00:00.000Z"));
  let hris: RunningDemoHris;
  let scheduled: TestRelink;
  let sessions: TestRelink;
  let sessionKey: string;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    const options = {
      dialect,
      clock,
      config: { pauseAfterMs: PAUSE_AFTER, syncIntervalMs: INTERVAL },
      extraConnectors: demoHrisConnectors(hris.url, () => clock.now().getTime()),
    };
    scheduled = await createTestRelink(options);
    sessions = await createTestRelink(options);
    const created = await sessions.request("POST", "/v1/api-keys", {
      body: { name: "product sync", scopes: ["credentials:read"] },
    });
    sessionKey = ((await created.json()) as { key: string }).key;
  });
  afterAll(async () => {
    await scheduled?.close();
    await sessions?.close();
    await hris?.close();
  });

  const issueToolKey = async () => {
    const r = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"] }),
    });
    return ((await r.json()) as { key: string }).key;
  };
  const importIntegration = async (t: TestRelink, toolKey: string) => {
    const r = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "demo-hris",
        end_user: { origin_id: "acme", organization_name: "Acme Corp" },
        credentials: { api_key: toolKey },
      },
    });
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as Integration;
  };
  /** What the pause engine decided, as the API shows it. */
  const health = async (t: TestRelink, id: string) => {
    const { state, auth } = (await (await t.request("GET", `/v1/integrations/${id}`)).json()) as Integration;
    return {
      state,
      status: auth.status,
      failing_since: auth.failing_since,
      failed_checks: auth.failed_checks,
      pauses_at: auth.pauses_at,
    };
  };
  const transitions = async (t: TestRelink, id: string) =>
    (
      await t.database.db
        .selectFrom("events")
        .select(["type", "data", "created_at"])
        .where("integration_id", "=", id)
        .where("type", "in", ["integration-auth-status-changed", "integration-state-changed"])
        .orderBy("seq")
        .execute()
    ).map((e) => {
      const data = e.data as Record<string, unknown>;
      return {
        type: e.type,
        at: e.created_at,
        to: data.auth_status ?? data.state,
        reason: data.reason ?? null,
        failing_since: data.failing_since ?? null,
        pauses_at: data.pauses_at ?? null,
      };
    });
  const checksOf = async (t: TestRelink, id: string) =>
    t.database.db
      .selectFrom("auth_checks")
      .select(["outcome", "trigger", "checked_at"])
      .where("integration_id", "=", id)
      .orderBy("id")
      .execute();

  it("after every check the same health and transitions, and the pause on the same check", async () => {
    const keyA = await issueToolKey();
    const keyB = await issueToolKey();
    const bySchedule = await importIntegration(scheduled, keyA);
    const bySessions = await importIntegration(sessions, keyB);
    // The first scheduled sync succeeds, and so does the product's first session.
    await scheduled.server.scheduler.runDue();
    const opened = await sessions.request("POST", `/v1/integrations/${bySessions.id}/sync-sessions`, {
      key: sessionKey,
      body: {},
    });
    expect(opened.status, await opened.clone().text()).toBe(201);
    expect(await health(sessions, bySessions.id)).toEqual(await health(scheduled, bySchedule.id));

    // Both keys revoked at the same instant.
    for (const key of [keyA, keyB]) {
      expect((await fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" })).status).toBe(204);
    }

    let refusedSessions = 0;
    for (
      let hour = 0;
      hour < 2 * 72 && (await health(scheduled, bySchedule.id)).state !== "INVALID";
      hour++
    ) {
      clock.advance(HOUR);
      const before = (await checksOf(scheduled, bySchedule.id)).length;
      await scheduled.server.scheduler.runDue();
      if ((await checksOf(scheduled, bySchedule.id)).length === before) continue;
      // The scheduler checked now: the product opens a session at this same instant.
      const r = await sessions.request("POST", `/v1/integrations/${bySessions.id}/sync-sessions`, {
        key: sessionKey,
        body: {},
      });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("AUTHENTICATION_FAILED");
      refusedSessions++;
      expect(await health(sessions, bySessions.id), `after ${hour + 1} h`).toEqual(
        await health(scheduled, bySchedule.id),
      );
    }

    const paused = await health(sessions, bySessions.id);
    expect(paused.state).toBe("INVALID");
    expect(paused).toEqual(await health(scheduled, bySchedule.id));
    // Checked at the interval: the streak opened at the first check and paused at the first one at
    // or after failing_since + 72 h.
    expect(refusedSessions).toBe(Math.ceil(PAUSE_AFTER / INTERVAL) + 1);
    expect(await transitions(sessions, bySessions.id)).toEqual(await transitions(scheduled, bySchedule.id));
    expect((await transitions(sessions, bySessions.id)).map((e) => `${e.type}:${e.to}`)).toEqual([
      "integration-auth-status-changed:FAILING",
      "integration-state-changed:INVALID",
    ]);
    const scheduledChecks = await checksOf(scheduled, bySchedule.id);
    const sessionChecks = await checksOf(sessions, bySessions.id);
    expect(sessionChecks.map((c) => [c.outcome, c.checked_at])).toEqual(
      scheduledChecks.map((c) => [c.outcome, c.checked_at]),
    );
    expect(new Set(sessionChecks.slice(1).map((c) => c.trigger))).toEqual(new Set(["SESSION"]));
    expect(new Set(scheduledChecks.slice(1).map((c) => c.trigger))).toEqual(new Set(["SYNC"]));
  });
});
