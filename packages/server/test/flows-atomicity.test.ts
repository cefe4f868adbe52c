import type { Integration } from "@relink/sdk/contract";
import { afterEach, describe, expect, it } from "vitest";
import type { Dialect } from "../src/db/connect.ts";
import { openCredentials } from "../src/domain/integrations.ts";
import { type CompletionPoint, completeConnect, completeRelink, resolveFlow } from "../src/domain/relink.ts";
import { verifyCredentials } from "../src/domain/tool-checks.ts";
import { signFlowToken, verifyFlowToken } from "../src/flow-tokens/verify.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { S1_MODELS, S2_MODELS, transitions } from "./flows-support.ts";

const HOUR = 3_600_000;

interface World {
  t: TestRelink;
  tool: ReturnType<typeof scriptedConnector>;
  s1: string;
  s2: string;
  integrationId: string;
  relinkToken(scopeConfigId?: string, linkType?: "EMBEDDED" | "MAGIC_LINK"): Promise<string>;
  connectToken(): Promise<string>;
  submit(token: string, apiKey: string): Promise<Response>;
  integration(): Promise<Integration>;
}

const worlds: TestRelink[] = [];
afterEach(async () => {
  for (const t of worlds.splice(0)) await t.close();
});

/** An integration of the scripted tool on key A with scope S1, synced once. Keys B (no time off), C (globex), D (both). */
async function world(dialect: Dialect = "sqlite"): Promise<World> {
  const tool = scriptedConnector();
  tool.setKey("A", { permissions: ["employees:read"] });
  tool.setKey("B", { permissions: ["employees:read"] });
  tool.setKey("C", { permissions: ["employees:read", "time_off:read"], accountId: "globex" });
  tool.setKey("D", { permissions: ["employees:read", "time_off:read"] });
  const t = await createTestRelink({ dialect, connectors: [tool.connector] });
  worlds.push(t);
  const scope = async (name: string, models: unknown) => {
    const r = await t.request("POST", "/v1/scope-configs", { body: { name, category: "HRIS", models } });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: string }).id;
  };
  const s1 = await scope("S1", S1_MODELS);
  const s2 = await scope("S2", S2_MODELS);
  const imported = await t.request("POST", "/v1/integrations", {
    body: {
      tool: "scripted",
      end_user: { origin_id: "acme-1", organization_name: "Acme" },
      credentials: { api_key: "A" },
      scope_config_id: s1,
    },
  });
  expect(imported.status).toBe(201);
  const integrationId = ((await imported.json()) as Integration).id;
  await t.server.scheduler.runDue();
  return {
    t,
    tool,
    s1,
    s2,
    integrationId,
    async relinkToken(scopeConfigId, linkType = "EMBEDDED") {
      const r = await t.request("POST", `/v1/integrations/${integrationId}/relink`, {
        body: { ...(scopeConfigId ? { scope_config_id: scopeConfigId } : {}), link_type: linkType },
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { token: string }).token;
    },
    async connectToken() {
      const signed = await signFlowToken(t.server.ctx, {
        workspaceId: t.workspaceId,
        claims: {
          flow: "connect",
          tool: "scripted",
          end_user: { origin_id: "new-1", organization_name: "New" },
        },
        lifetime: 3600,
      });
      return signed.token;
    },
    submit: (token, apiKey) =>
      t.request("POST", "/connect/v1/credentials", { key: token, body: { values: { api_key: apiKey } } }),
    async integration() {
      const r = await t.request("GET", `/v1/integrations/${integrationId}`);
      return (await r.json()) as Integration;
    },
  };
}

/** Everything a completion may write, to compare before and after a failed one. */
async function snapshot(t: TestRelink) {
  const db = t.server.ctx.db;
  return {
    integrations: await db.selectFrom("integrations").selectAll().orderBy("id").execute(),
    spent: await db.selectFrom("spent_tokens").selectAll().execute(),
    events: await db.selectFrom("events").select(["id", "type"]).orderBy("seq").execute(),
    syncRuns: await db.selectFrom("sync_runs").selectAll().orderBy("id").execute(),
    authChecks: await db.selectFrom("auth_checks").select("id").orderBy("id").execute(),
    links: await db.selectFrom("relink_links").selectAll().orderBy("id").execute(),
  };
}

describe.each(availableDialects())("completion on %s", (dialect) => {
  it("two simultaneous submissions of one relink token: exactly one completes", async () => {
    const w = await world(dialect);
    const token = await w.relinkToken(w.s2);
    const release = w.tool.block();
    const before = w.tool.calls.checkAuth;
    const both = [w.submit(token, "D"), w.submit(token, "D")];
    // Both are past the token check and inside the tool check before either may go on.
    await expect.poll(() => w.tool.calls.checkAuth - before, { timeout: 30_000 }).toBe(2);
    release();
    const answers = await Promise.all(both);
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<Record<string, unknown>>));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(bodies).toContainEqual(expect.objectContaining({ status: "COMPLETED" }));
    expect(bodies).toContainEqual({ error: expect.objectContaining({ code: "TOKEN_ALREADY_USED" }) });
    const events = await w.t.server.ctx.db
      .selectFrom("events")
      .select("type")
      .where("type", "=", "integration-relinked")
      .execute();
    expect(events).toHaveLength(1);
  });

  it("two simultaneous submissions of one connect token: one integration", async () => {
    const w = await world(dialect);
    const token = await w.connectToken();
    const release = w.tool.block();
    const before = w.tool.calls.checkAuth;
    const both = [w.submit(token, "D"), w.submit(token, "D")];
    await expect.poll(() => w.tool.calls.checkAuth - before, { timeout: 30_000 }).toBe(2);
    release();
    const statuses = (await Promise.all(both)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const created = await w.t.server.ctx.db
      .selectFrom("integrations")
      .select("id")
      .where("end_user_origin_id", "=", "new-1")
      .execute();
    expect(created).toHaveLength(1);
  });

  const relinkPoints: CompletionPoint[] = [
    "token-spent",
    "credentials-replaced",
    "sync-queued",
    "link-completed",
    "events-recorded",
  ];

  it.each(relinkPoints)(
    "a relink failing at %s leaves the old credentials and scope, all of them",
    async (point) => {
      const w = await world(dialect);
      w.tool.revoke("A");
      const token = await w.relinkToken(w.s2);
      const { ctx } = w.t.server;
      const subject = await resolveFlow(ctx, await verifyFlowToken(ctx, token));
      const verified = await verifyCredentials(ctx, w.tool.connector, { api_key: "D" });
      const before = await snapshot(w.t);

      const crash = new Error(`simulated crash at ${point}`);
      await expect(
        completeRelink(ctx, {
          subject,
          verified,
          optedOut: [],
          failpoint: (at) => {
            if (at === point) throw crash;
          },
        }),
      ).rejects.toBe(crash);
      expect(await snapshot(w.t)).toEqual(before);
      const row = before.integrations.find((r) => r.id === w.integrationId)!;
      expect(openCredentials(ctx, row)).toEqual({ api_key: "A" });

      // The token was not spent: the same flow completes, all at once.
      const done = await completeRelink(ctx, { subject, verified, optedOut: [] });
      expect(done).toMatchObject({ status: "COMPLETED", scope_config_id: w.s2 });
      const after = await w.t.server.ctx.db
        .selectFrom("integrations")
        .selectAll()
        .where("id", "=", w.integrationId)
        .executeTakeFirstOrThrow();
      expect(openCredentials(ctx, after)).toEqual({ api_key: "D" });
      expect(after.scope_config_id).toBe(w.s2);
      expect(after.granted_permissions).toEqual(["employees:read", "time_off:read"]);
    },
  );

  it.each(["token-spent", "link-completed"] as const)(
    "a connect failing at %s creates nothing",
    async (point) => {
      const w = await world(dialect);
      const token = await w.connectToken();
      const { ctx } = w.t.server;
      const subject = await resolveFlow(ctx, await verifyFlowToken(ctx, token));
      const verified = await verifyCredentials(ctx, w.tool.connector, { api_key: "D" });
      const before = await snapshot(w.t);
      await expect(
        completeConnect(ctx, {
          subject,
          verified,
          optedOut: [],
          failpoint: (at) => {
            if (at === point) throw new Error("simulated crash");
          },
        }),
      ).rejects.toThrow("simulated crash");
      expect(await snapshot(w.t)).toEqual(before);
    },
  );
});

describe("until completion", () => {
  it("syncs keep running on the old key and scope S1 while a relink to S2 is outstanding and opened", async () => {
    const w = await world();
    const token = await w.relinkToken(w.s2, "MAGIC_LINK");
    const flow = await w.t.request("GET", "/connect/v1/flow", { key: token });
    expect(flow.status).toBe(200);
    expect((await w.submit(token, "B")).status).toBe(422);
    expect((await w.submit(token, "C")).status).toBe(409);

    for (let i = 0; i < 2; i++) {
      w.t.clock.advance(3 * HOUR);
      await w.t.server.scheduler.runDue();
      const current = await w.integration();
      expect(current).toMatchObject({ state: "ACTIVE", scope_config_id: w.s1 });
      expect(current.last_sync).toMatchObject({
        trigger: "SCHEDULE",
        sync_state: "SUCCEEDED",
        scope_config_id: w.s1,
      });
      expect(w.tool.calls.syncedWith.at(-1)).toBe("A");
    }

    expect((await w.submit(token, "D")).status).toBe(200);
    await w.t.server.scheduler.runDue();
    expect(w.tool.calls.syncedWith.at(-1)).toBe("D");
    expect((await w.integration()).last_sync).toMatchObject({
      trigger: "RELINK",
      sync_state: "SUCCEEDED",
      scope_config_id: w.s2,
      warnings: [],
    });
    // It was healthy: no auth or state change to announce, only the relink.
    const events = await w.t.server.ctx.db
      .selectFrom("events")
      .select(["type", "data"])
      .where("integration_id", "=", w.integrationId)
      .orderBy("seq")
      .execute();
    expect(transitions(events)).toEqual(["integration-created", "integration-relinked"]);
  });

  it("a relink never re-enables a disabled integration", async () => {
    const w = await world();
    const disabled = await w.t.request("PUT", `/v1/integrations/${w.integrationId}/enabled`, {
      body: { value: false },
    });
    expect(disabled.status).toBe(200);
    const token = await w.relinkToken();
    expect((await w.submit(token, "D")).status).toBe(200);
    const after = await w.integration();
    expect(after).toMatchObject({ state: "INACTIVE", next_sync_at: null, scope_config_id: w.s1 });
    const row = await w.t.server.ctx.db
      .selectFrom("integrations")
      .selectAll()
      .where("id", "=", w.integrationId)
      .executeTakeFirstOrThrow();
    expect(openCredentials(w.t.server.ctx, row)).toEqual({ api_key: "D" });
    const open = await w.t.server.ctx.db
      .selectFrom("sync_runs")
      .select("id")
      .where("integration_id", "=", w.integrationId)
      .where("status", "=", "QUEUED")
      .execute();
    expect(open).toHaveLength(0);
  });

  it("a queued manual sync becomes the relink's sync", async () => {
    const w = await world();
    const queued = await w.t.request("POST", `/v1/integrations/${w.integrationId}/sync`);
    expect(queued.status).toBe(202);
    const { sync_id } = (await queued.json()) as { sync_id: string };
    const token = await w.relinkToken(w.s2);
    expect((await w.submit(token, "D")).status).toBe(200);
    await w.t.server.scheduler.runDue();
    const last = (await w.integration()).last_sync;
    expect(last).toMatchObject({
      id: sync_id,
      trigger: "RELINK",
      scope_config_id: w.s2,
      sync_state: "SUCCEEDED",
    });
  });
});
