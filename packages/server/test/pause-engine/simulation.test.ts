import { afterEach, describe, expect, it } from "vitest";
import { HOUR, type PauseWorld, pauseWorld, transitions } from "./helpers.ts";

/**
 * docs/design.md section 4, walked through with an injected clock: checks every 3 hours for days,
 * one integration at a time.
 */
describe("the pause engine over three days of checks every 3 hours", () => {
  let w: PauseWorld;
  afterEach(() => w?.close());

  it("pauses at the first failing check at or after 72 hours, not before, and recovers through check-auth", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    expect((await w.get(integration.id)).last_sync?.sync_state).toBe("SUCCEEDED");

    w.tool.revoke("k1");
    await w.step(3 * HOUR);
    const failingSince = w.t.clock.now().toISOString();
    let view = await w.get(integration.id);
    expect(view.state).toBe("ACTIVE");
    expect(view.auth).toMatchObject({
      status: "FAILING",
      failing_since: failingSince,
      failed_checks: 1,
      pauses_at: new Date(Date.parse(failingSince) + 72 * HOUR).toISOString(),
    });
    expect(view.last_sync?.sync_state).toBe("AUTHENTICATION_FAILED");
    expect(transitions(await w.events(integration.id))).toEqual(["integration-created", "auth:FAILING"]);

    for (let check = 2; check <= 24; check++) {
      await w.step(3 * HOUR);
      view = await w.get(integration.id);
      expect(view.state, `check ${check}, ${(check - 1) * 3} h after the first failure`).toBe("ACTIVE");
      expect(view.auth.failed_checks).toBe(check);
    }
    // 24 checks: 69 hours of failures. The next one is at exactly 72 hours.
    await w.step(3 * HOUR);
    view = await w.get(integration.id);
    expect(view.state).toBe("INVALID");
    expect(view.auth).toMatchObject({
      status: "FAILING",
      failing_since: failingSince,
      failed_checks: 25,
      pauses_at: null,
    });
    expect(view.next_sync_at).toBeNull();
    expect(transitions(await w.events(integration.id))).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
    ]);
    const paused = (await w.events(integration.id)).find((e) => e.type === "integration-state-changed");
    expect(paused?.data).toMatchObject({ previous_state: "ACTIVE", integration_id: integration.id });

    // Paused: no scheduled checks or syncs, and no manual sync.
    const checks = w.tool.calls.checkAuth;
    for (let i = 0; i < 8; i++) await w.step(3 * HOUR);
    expect(w.tool.calls.checkAuth).toBe(checks);
    const manual = await w.t.request("POST", `/v1/integrations/${integration.id}/sync`);
    expect(manual.status).toBe(409);
    expect(((await manual.json()) as { error: { code: string } }).error.code).toBe("INTEGRATION_INVALID");

    // A manual check that still fails changes nothing but the count.
    let checked = await w.t.request("POST", `/v1/integrations/${integration.id}/check-auth`);
    expect(checked.status).toBe(200);
    let body = (await checked.json()) as {
      outcome: string;
      integration: { state: string; auth: { failed_checks: number } };
    };
    expect(body.outcome).toBe("AUTH_FAILED");
    expect(body.integration.state).toBe("INVALID");
    expect(body.integration.auth.failed_checks).toBe(26);

    // The credentials work again: an OK check ends the streak and resumes scheduling.
    w.tool.setKey("k1");
    checked = await w.t.request("POST", `/v1/integrations/${integration.id}/check-auth`);
    body = (await checked.json()) as typeof body;
    expect(body.outcome).toBe("OK");
    view = await w.get(integration.id);
    expect(view.state).toBe("ACTIVE");
    expect(view.auth).toMatchObject({ status: "OK", failing_since: null, failed_checks: 0, pauses_at: null });
    expect(view.next_sync_at).toBe(w.t.clock.now().toISOString());
    await w.step(0);
    expect((await w.get(integration.id)).last_sync?.sync_state).toBe("SUCCEEDED");
    expect(transitions(await w.events(integration.id))).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
      "auth:OK",
      "state:ACTIVE:AUTH_RECOVERED",
    ]);
  });

  it("an outage day in the middle neither counts nor resets the streak", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    w.tool.revoke("k1");
    await w.step(3 * HOUR);
    const failingSince = w.t.clock.now().toISOString();

    for (let h = 3; h < 24; h += 3) await w.step(3 * HOUR); // day 1: failures
    expect((await w.get(integration.id)).auth.failed_checks).toBe(8);

    w.tool.setOutage("INCONCLUSIVE"); // day 2: the tool is down
    for (let h = 0; h < 24; h += 3) {
      await w.step(3 * HOUR);
      const view = await w.get(integration.id);
      expect(view.last_sync?.sync_state).toBe("FAILED");
      expect(view.auth).toMatchObject({ status: "FAILING", failing_since: failingSince, failed_checks: 8 });
    }
    w.tool.setOutage(null); // day 3: failures again, the streak goes on from day 1
    for (let h = 45; h < 69; h += 3) await w.step(3 * HOUR);
    expect(w.t.clock.now().getTime() - Date.parse(failingSince)).toBe(69 * HOUR);
    expect((await w.get(integration.id)).state).toBe("ACTIVE");
    await w.step(3 * HOUR);
    const view = await w.get(integration.id);
    expect(view.state).toBe("INVALID");
    expect(view.auth.failed_checks).toBe(8 + 9); // day 1, then 48 h to 72 h
    expect(transitions(await w.events(integration.id))).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
    ]);
    const checks = await w.t.database.db
      .selectFrom("auth_checks")
      .select(["outcome"])
      .where("integration_id", "=", integration.id)
      .execute();
    expect(checks.filter((c) => c.outcome === "INCONCLUSIVE")).toHaveLength(8);
  });

  it("a tool outage of any length never pauses, and retries back off within the interval", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    w.tool.setOutage("INCONCLUSIVE");
    const gaps: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = w.t.clock.now().getTime();
      const next = Date.parse((await w.get(integration.id)).next_sync_at ?? "");
      w.t.clock.set(next);
      await w.t.server.scheduler.runDue();
      gaps.push(next - before);
    }
    for (let i = 0; i < 10; i++) await w.step(3 * HOUR * 4);
    const view = await w.get(integration.id);
    expect(view.state).toBe("ACTIVE");
    expect(view.auth.status).toBe("OK");
    expect(view.auth.failing_since).toBeNull();
    // First the normal slot, then 1 min, 2 min, 4 min, … capped at the 3 h interval.
    expect(gaps.slice(1, 5)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(Math.max(...gaps)).toBe(3 * HOUR);
    expect(transitions(await w.events(integration.id))).toEqual(["integration-created"]);
  });

  it("a success on day 2 resets the streak: the pause comes 72 h after the new streak opened", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    w.tool.revoke("k1");
    await w.step(3 * HOUR);
    const first = w.t.clock.now().getTime();
    for (let h = 3; h < 48; h += 3) await w.step(3 * HOUR);
    w.tool.setKey("k1");
    await w.step(3 * HOUR); // 48 h after the first failure: OK
    let view = await w.get(integration.id);
    expect(view.auth).toMatchObject({ status: "OK", failing_since: null, failed_checks: 0 });
    expect(view.last_sync?.sync_state).toBe("SUCCEEDED");

    w.tool.revoke("k1");
    await w.step(3 * HOUR); // 51 h: a new streak opens
    const second = w.t.clock.now().getTime();
    expect(second - first).toBe(51 * HOUR);
    while (w.t.clock.now().getTime() < second + 69 * HOUR) {
      await w.step(3 * HOUR);
      expect((await w.get(integration.id)).state).toBe("ACTIVE");
    }
    expect(w.t.clock.now().getTime() - first).toBeGreaterThan(72 * HOUR);
    await w.step(3 * HOUR);
    view = await w.get(integration.id);
    expect(view.state).toBe("INVALID");
    expect(view.auth.failing_since).toBe(new Date(second).toISOString());
    expect(transitions(await w.events(integration.id))).toEqual([
      "integration-created",
      "auth:FAILING",
      "auth:OK",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
    ]);
  });

  it("a disabled integration is never scheduled, and an OK check never re-enables it", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    w.tool.revoke("k1");
    await w.step(3 * HOUR);
    const disabled = await w.t.request("PUT", `/v1/integrations/${integration.id}/enabled`, {
      body: { value: false },
    });
    expect(disabled.status).toBe(200);
    const checks = w.tool.calls.checkAuth;
    for (let i = 0; i < 30; i++) await w.step(3 * HOUR);
    expect(w.tool.calls.checkAuth).toBe(checks);
    w.tool.setKey("k1");
    const refused = await w.t.request("POST", `/v1/integrations/${integration.id}/check-auth`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("INTEGRATION_INACTIVE");
    const sync = await w.t.request("POST", `/v1/integrations/${integration.id}/sync`);
    expect(((await sync.json()) as { error: { code: string } }).error.code).toBe("INTEGRATION_INACTIVE");
    const view = await w.get(integration.id);
    expect(view.state).toBe("INACTIVE");
    expect(view.next_sync_at).toBeNull();
  });

  it("disabling ends a queued manual sync (announced once), and enabling again does not run it", async () => {
    w = await pauseWorld();
    w.tool.setKey("k1");
    const integration = await w.importIntegration("k1");
    await w.step(0);
    const queued = await w.t.request("POST", `/v1/integrations/${integration.id}/sync`);
    expect(queued.status).toBe(202);
    const { sync_id } = (await queued.json()) as { sync_id: string };
    expect(
      (await w.t.request("PUT", `/v1/integrations/${integration.id}/enabled`, { body: { value: false } }))
        .status,
    ).toBe(200);
    const run = await w.t.database.db
      .selectFrom("sync_runs")
      .selectAll()
      .where("id", "=", sync_id)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      status: "FINISHED",
      sync_state: "CANCELLED",
      error: "the integration was disabled",
    });
    const finished = (await w.events(integration.id)).filter(
      (e) => e.type === "sync-finished" && e.data.sync_id === sync_id,
    );
    expect(finished).toHaveLength(1);
    expect(finished[0]?.data.sync_state).toBe("CANCELLED");

    expect(
      (await w.t.request("PUT", `/v1/integrations/${integration.id}/enabled`, { body: { value: true } }))
        .status,
    ).toBe(200);
    const syncs = w.tool.calls.sync;
    await w.step(0);
    expect(w.tool.calls.sync).toBe(syncs + 1);
    const runs = await w.t.database.db
      .selectFrom("sync_runs")
      .select(["trigger", "status"])
      .where("integration_id", "=", integration.id)
      .orderBy("id")
      .execute();
    expect(runs.at(-1)).toEqual({ trigger: "SCHEDULE", status: "FINISHED" });
    expect(runs.filter((r) => r.status !== "FINISHED")).toEqual([]);
  });
});
