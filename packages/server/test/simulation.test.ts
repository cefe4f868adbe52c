import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, integration, okJson } from "./beyond-support.ts";

interface Simulation {
  integration_id: string;
  auth_outcome: string | null;
  remaining_checks: number | null;
  integration: { state: string; auth: { status: string; failed_checks: number; pauses_at: string | null } };
}
interface CheckAnswer {
  outcome: string;
  integration: { state: string; auth: { status: string; failed_checks: number } };
}

describe.each(availableDialects())("the sandbox (POST /v1/integrations/{id}/simulate) on %s", (dialect) => {
  describe("disabled (the default)", () => {
    let t: TestRelink;
    const tool = scriptedConnector();
    tool.setKey("k");
    beforeAll(async () => {
      t = await createTestRelink({ dialect, connectors: [tool.connector] });
    });
    afterAll(() => t?.close());

    it("answers 404 naming RELINK_ENABLE_SIMULATION, and forces nothing", async () => {
      const made = await importIntegration(t, "k", "acme");
      const r = await t.request("POST", `/v1/integrations/${made.id}/simulate`, {
        body: { auth_outcome: "AUTH_FAILED" },
      });
      expect(r.status).toBe(404);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("NOT_FOUND");
      expect(body.error.message).toContain("RELINK_ENABLE_SIMULATION=true");
      const check = await okJson<CheckAnswer>(t.request("POST", `/v1/integrations/${made.id}/check-auth`));
      expect(check.outcome).toBe("OK");
    });
  });

  describe("enabled", () => {
    let t: TestRelink;
    const tool = scriptedConnector();
    tool.setKey("k");
    beforeAll(async () => {
      t = await createTestRelink({
        dialect,
        connectors: [tool.connector],
        config: { enableSimulation: true },
      });
    });
    afterAll(() => t?.close());

    const simulate = (id: string, body: unknown, status = 200) =>
      okJson<Simulation>(t.request("POST", `/v1/integrations/${id}/simulate`, { body }), status);
    const check = (id: string) => okJson<CheckAnswer>(t.request("POST", `/v1/integrations/${id}/check-auth`));

    it("forces AUTH_FAILED for exactly N checks without asking the tool, then the tool answers again", async () => {
      const made = await importIntegration(t, "k", "n-checks");
      const set = await simulate(made.id, { auth_outcome: "AUTH_FAILED", checks: 2 });
      expect(set).toMatchObject({ auth_outcome: "AUTH_FAILED", remaining_checks: 2 });
      const calls = tool.calls.checkAuth;
      const first = await check(made.id);
      expect(first.outcome).toBe("AUTH_FAILED");
      expect(first.integration.auth).toMatchObject({ status: "FAILING", failed_checks: 1 });
      expect((await check(made.id)).integration.auth.failed_checks).toBe(2);
      expect(tool.calls.checkAuth).toBe(calls);
      const third = await check(made.id);
      expect(third.outcome).toBe("OK");
      expect(tool.calls.checkAuth).toBe(calls + 1);
      const types = (await apiEvents(t, { integration_id: made.id })).map((e) =>
        e.type === "integration-auth-status-changed" ? `auth:${e.data.auth_status}` : e.type,
      );
      expect(types).toEqual(["integration-created", "auth:FAILING", "auth:OK"]);
    });

    it("forces INCONCLUSIVE until cleared: no streak opens; clearing with null lets the tool answer", async () => {
      const made = await importIntegration(t, "k", "inconclusive");
      await simulate(made.id, { auth_outcome: "INCONCLUSIVE" });
      for (let i = 0; i < 3; i++) {
        const answer = await check(made.id);
        expect(answer.outcome).toBe("INCONCLUSIVE");
        expect(answer.integration.auth.status).toBe("OK");
      }
      const cleared = await simulate(made.id, { auth_outcome: null });
      expect(cleared).toMatchObject({ auth_outcome: null, remaining_checks: null });
      expect((await check(made.id)).outcome).toBe("OK");
    });

    it("jumps the streak to 'pauses in 1 minute': the early warning says so, and the scheduler pauses it a minute later", async () => {
      const made = await importIntegration(t, "k", "pause-soon");
      await t.server.scheduler.runDue();
      const now = t.clock.now().getTime();
      const set = await simulate(made.id, { auth_outcome: "AUTH_FAILED", pauses_in_seconds: 60 });
      expect(set.integration.state).toBe("ACTIVE");
      expect(Date.parse(set.integration.auth.pauses_at ?? "")).toBe(now + 60_000);
      const warning = (await apiEvents(t, { integration_id: made.id })).find(
        (e) => e.type === "integration-auth-status-changed",
      );
      expect(warning?.data).toMatchObject({
        auth_status: "FAILING",
        pauses_at: set.integration.auth.pauses_at,
      });

      t.clock.advance(59_000);
      await t.server.scheduler.runDue();
      expect((await integration(t, made.id)).state).toBe("ACTIVE");
      t.clock.advance(1_000);
      await t.server.scheduler.runDue();
      const paused = await integration(t, made.id);
      expect(paused.state).toBe("INVALID");
      const last = (await apiEvents(t, { integration_id: made.id, type: "integration-state-changed" })).at(
        -1,
      );
      expect(last?.data).toMatchObject({ state: "INVALID", reason: "AUTHENTICATION_FAILED" });
    });

    it("refuses bad input in the error envelope, another workspace's or an unknown id with 404, a paused integration's jump with 409", async () => {
      const made = await importIntegration(t, "k", "bad-input");
      for (const body of [
        { checks: 0 },
        { auth_outcome: "BROKEN" },
        { pauses_in_seconds: -1 },
        { extra: 1 },
      ]) {
        const r = await t.request("POST", `/v1/integrations/${made.id}/simulate`, { body });
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("INVALID_REQUEST");
      }
      const unknown = await t.request("POST", `/v1/integrations/int_${"0".repeat(26)}/simulate`, {
        body: { auth_outcome: "OK" },
      });
      expect(unknown.status).toBe(404);
      await t.request("PUT", `/v1/integrations/${made.id}/enabled`, { body: { value: false } });
      const r = await t.request("POST", `/v1/integrations/${made.id}/simulate`, {
        body: { pauses_in_seconds: 60 },
      });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("INTEGRATION_INACTIVE");
    });
  });
});
