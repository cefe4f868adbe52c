import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, integration, okJson } from "./beyond-support.ts";

const HOUR = 3_600_000;

describe.each(availableDialects())("the gap on resume: paused_from and paused_until on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  tool.setKey("k");
  tool.setKey("k2");

  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector], config: { enableSimulation: true } });
  });
  afterAll(() => t?.close());

  /** Pauses the integration through the scheduler (the sandbox brings the streak to its end). */
  async function pause(id: string): Promise<string> {
    await t.server.scheduler.runDue();
    await okJson(
      t.request("POST", `/v1/integrations/${id}/simulate`, {
        body: { auth_outcome: "AUTH_FAILED", pauses_in_seconds: 1 },
      }),
    );
    t.clock.advance(1_000);
    await t.server.scheduler.runDue();
    expect((await integration(t, id)).state).toBe("INVALID");
    await okJson(t.request("POST", `/v1/integrations/${id}/simulate`, { body: { auth_outcome: null } }));
    return t.clock.now().toISOString();
  }

  const syncFinished = async (id: string) =>
    (await apiEvents(t, { integration_id: id, type: "sync-finished" })).map((e) => e.data);

  it("recovered by a check: the state change and the first sync carry the window; later syncs do not; backfill_from stays", async () => {
    const made = await importIntegration(t, "k", "acme");
    expect(made.backfill_from).toBeNull();
    const pausedAt = await pause(made.id);
    t.clock.advance(5 * HOUR);
    const resumedAt = t.clock.now().toISOString();
    const check = await okJson<{ integration: { state: string; backfill_from: string | null } }>(
      t.request("POST", `/v1/integrations/${made.id}/check-auth`),
    );
    expect(check.integration).toMatchObject({ state: "ACTIVE", backfill_from: pausedAt });
    const change = (await apiEvents(t, { integration_id: made.id, type: "integration-state-changed" })).at(
      -1,
    );
    expect(change?.data).toMatchObject({
      state: "ACTIVE",
      previous_state: "INVALID",
      reason: "AUTH_RECOVERED",
      paused_from: pausedAt,
      paused_until: resumedAt,
    });
    const before = (await syncFinished(made.id)).length;
    await t.server.scheduler.runDue();
    const runs = await syncFinished(made.id);
    expect(runs.length).toBe(before + 1);
    expect(runs.at(-1)).toMatchObject({
      sync_state: "SUCCEEDED",
      paused_from: pausedAt,
      paused_until: resumedAt,
    });
    t.clock.advance(3 * HOUR + 1_000);
    await t.server.scheduler.runDue();
    const later = (await syncFinished(made.id)).at(-1);
    expect(later?.sync_state).toBe("SUCCEEDED");
    expect(later).not.toHaveProperty("paused_from");
    expect((await integration(t, made.id)).backfill_from).toBe(pausedAt);
    // The pause itself carries no window.
    const pauseChange = (
      await apiEvents(t, { integration_id: made.id, type: "integration-state-changed" })
    ).find((e) => e.data.state === "INVALID");
    expect(pauseChange?.data).not.toHaveProperty("paused_from");
  });

  it("resumed by a relink: the RELINKED change and the relink's sync carry the window", async () => {
    const made = await importIntegration(t, "k2", "globex");
    const pausedAt = await pause(made.id);
    t.clock.advance(2 * HOUR);
    const link = await okJson<{ token: string }>(
      t.request("POST", `/v1/integrations/${made.id}/relink`, { body: {} }),
      201,
    );
    tool.setKey("k2-new");
    await okJson(
      t.request("POST", "/connect/v1/credentials", {
        key: link.token,
        body: { values: { api_key: "k2-new" } },
      }),
    );
    const resumedAt = t.clock.now().toISOString();
    const change = (await apiEvents(t, { integration_id: made.id, type: "integration-state-changed" })).at(
      -1,
    );
    expect(change?.data).toMatchObject({
      reason: "RELINKED",
      paused_from: pausedAt,
      paused_until: resumedAt,
    });
    await t.server.scheduler.runDue();
    expect((await syncFinished(made.id)).at(-1)).toMatchObject({
      trigger: "RELINK",
      paused_from: pausedAt,
      paused_until: resumedAt,
    });
  });
});
