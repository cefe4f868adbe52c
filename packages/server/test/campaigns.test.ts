import type { RelinkCampaign, RelinkCampaignPreview } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iso } from "../src/clock.ts";
import { inTransaction } from "../src/context.ts";
import { insertRows } from "../src/db/bulk.ts";
import { toJson } from "../src/db/schema.ts";
import { newId } from "../src/ids.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, integration, okJson } from "./beyond-support.ts";
import { S1_MODELS, S2_MODELS } from "./flows-support.ts";

const TOTAL = 10_000;
const VIA_API = 4;

const COLUMNS = [
  "id",
  "workspace_id",
  "tool",
  "category",
  "end_user_origin_id",
  "end_user_organization_name",
  "credentials_sealed",
  "scope_config_id",
  "state",
  "failed_checks",
  "retry_attempt",
  "granted_permissions",
  "missing_permissions",
  "opted_out",
  "next_sync_at",
  "created_at",
  "updated_at",
] as const;

describe.each(availableDialects())("relink campaigns on 10,000 integrations on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  tool.setKey("old", { permissions: ["employees:read"] });
  tool.setKey("new", { permissions: ["employees:read", "time_off:read"] });
  let s1: string;
  const api: string[] = [];
  /** What the bulk rows were made with, to count the expected answers independently. */
  let expected: { affected: number; paused: number; granted: number };
  let campaign: RelinkCampaign;

  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector], config: { enableSimulation: true } });
    s1 = (
      await okJson<{ id: string }>(
        t.request("POST", "/v1/scope-configs", { body: { name: "S1", category: "HRIS", models: S1_MODELS } }),
        201,
      )
    ).id;
    for (let i = 0; i < VIA_API; i++) api.push((await importIntegration(t, "old", `api-${i}`, s1)).id);
    const at = iso(t.clock.now());
    const rows: unknown[][] = [];
    expected = { affected: VIA_API, paused: 0, granted: 0 };
    for (let i = 0; i < TOTAL - VIA_API; i++) {
      const grants = i % 3 === 0;
      const paused = i % 10 === 1;
      if (grants) expected.granted++;
      else {
        expected.affected++;
        if (paused) expected.paused++;
      }
      rows.push([
        newId("int"),
        t.workspaceId,
        "scripted",
        "HRIS",
        `bulk-${i}`,
        `Bulk ${i}`,
        "not-used",
        s1,
        paused ? "INVALID" : "ACTIVE",
        0,
        0,
        toJson(grants ? ["employees:read", "time_off:read"] : ["employees:read"]),
        "[]",
        "[]",
        // Far away: the scheduler leaves the bulk rows alone (their credentials are not real).
        paused ? null : "2999-01-01T00:00:00.000Z",
        at,
        at,
      ]);
    }
    await inTransaction(t.server.ctx, (tx) => insertRows(tx, tx.dialect, "integrations", COLUMNS, rows));
  }, 120_000);
  afterAll(() => t?.close());

  it("previews the exact count before the edit is saved, and writes nothing", async () => {
    const preview = await okJson<RelinkCampaignPreview>(
      t.request("POST", `/v1/scope-configs/${s1}/relink-campaigns/preview`, { body: { models: S2_MODELS } }),
    );
    expect(preview).toEqual({
      source_scope_config_id: s1,
      scope_config_id: null,
      tool: null,
      integrations: TOTAL,
      affected: expected.affected,
      paused: expected.paused,
      already_granted: expected.granted,
      missing: [{ tool: "scripted", permission: "time_off:read", integrations: expected.affected }],
    });
    const scope = await okJson<{ models: unknown }>(t.request("GET", `/v1/scope-configs/${s1}`));
    expect(scope.models).toEqual(S1_MODELS);
    const list = await okJson<{ data: unknown[] }>(
      t.request("GET", `/v1/scope-configs/${s1}/relink-campaigns`),
    );
    expect(list.data).toEqual([]);
  });

  it("creates the campaign in a few seconds; members keep their old scope config, the granted ones move", async () => {
    const started = performance.now();
    campaign = await okJson<RelinkCampaign>(
      t.request("POST", `/v1/scope-configs/${s1}/relink-campaigns`, {
        body: { models: S2_MODELS, name: "S1 with time off" },
      }),
      201,
    );
    const ms = performance.now() - started;
    console.info(`campaign of ${expected.affected} members created in ${Math.round(ms)} ms (${dialect})`);
    // "Under a few seconds" on an idle machine; the bound is generous for a shared, busy one.
    expect(ms).toBeLessThan(20_000);
    expect(campaign).toMatchObject({
      source_scope_config_id: s1,
      tool: null,
      moved: expected.granted,
      progress: {
        total: expected.affected,
        relinked: 0,
        pending: expected.affected - expected.paused,
        paused: expected.paused,
      },
    });
    expect(campaign.scope_config_id).not.toBe(s1);
    const target = await okJson<{ name: string; models: unknown }>(
      t.request("GET", `/v1/scope-configs/${campaign.scope_config_id}`),
    );
    expect(target).toMatchObject({ name: "S1 with time off", models: S2_MODELS });
    expect((await okJson<{ models: unknown }>(t.request("GET", `/v1/scope-configs/${s1}`))).models).toEqual(
      S1_MODELS,
    );
    expect((await integration(t, api[0] as string)).scope_config_id).toBe(s1);
  });

  it("keeps an unrelinked member syncing on its old scope config", async () => {
    await okJson(t.request("POST", `/v1/integrations/${api[3]}/sync`), 202);
    await t.server.scheduler.runDue();
    const runs = await okJson<{
      data: Array<{ trigger: string; scope_config_id: string; sync_state: string }>;
    }>(t.request("GET", `/v1/integrations/${api[3]}/syncs`));
    expect(runs.data[0]).toMatchObject({ trigger: "MANUAL", scope_config_id: s1, sync_state: "SUCCEEDED" });
  });

  it("counts relinked, pending and paused correctly after some relink and one pauses; an event per completion", async () => {
    for (const id of api.slice(0, 2)) {
      const link = await okJson<{ token: string }>(
        t.request("POST", `/v1/integrations/${id}/relink`, {
          body: { scope_config_id: campaign.scope_config_id },
        }),
        201,
      );
      await okJson(
        t.request("POST", "/connect/v1/credentials", {
          key: link.token,
          body: { values: { api_key: "new" } },
        }),
      );
    }
    // One more member pauses (the sandbox brings it to the pause).
    await okJson(
      t.request("POST", `/v1/integrations/${api[2]}/simulate`, {
        body: { auth_outcome: "AUTH_FAILED", pauses_in_seconds: 1 },
      }),
    );
    t.clock.advance(1_000);
    await okJson(t.request("POST", `/v1/integrations/${api[2]}/check-auth`));
    expect((await integration(t, api[2] as string)).state).toBe("INVALID");

    const now = await okJson<RelinkCampaign>(
      t.request("GET", `/v1/scope-configs/${s1}/relink-campaigns/${campaign.id}`),
    );
    expect(now.progress).toEqual({
      total: expected.affected,
      relinked: 2,
      pending: expected.affected - expected.paused - 3,
      paused: expected.paused + 1,
    });
    // Found from the target as well.
    const fromTarget = await okJson<{ data: RelinkCampaign[] }>(
      t.request("GET", `/v1/scope-configs/${campaign.scope_config_id}/relink-campaigns`),
    );
    expect(fromTarget.data.map((c) => c.id)).toEqual([campaign.id]);

    const relinked = await okJson<{ data: Array<{ integration_id: string; status: string }> }>(
      t.request("GET", `/v1/scope-configs/${s1}/relink-campaigns/${campaign.id}/members?status=RELINKED`),
    );
    expect(relinked.data.map((m) => m.integration_id).sort()).toEqual(api.slice(0, 2).sort());
    const events = await apiEvents(t, { type: "relink-campaign-progressed" });
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({
        campaign_id: campaign.id,
        integration_id: api[0],
        scope_config_id: campaign.scope_config_id,
        progress: expect.objectContaining({ total: expected.affected, relinked: 1 }),
      }),
      expect.objectContaining({
        campaign_id: campaign.id,
        integration_id: api[1],
        progress: expect.objectContaining({ relinked: 2 }),
      }),
    ]);
    expect((await integration(t, api[0] as string)).scope_config_id).toBe(campaign.scope_config_id);
  });

  it("previews a tool-wide campaign onto a saved scope config", async () => {
    const preview = await okJson<RelinkCampaignPreview>(
      t.request("POST", `/v1/scope-configs/${campaign.scope_config_id}/relink-campaigns/preview`, {
        body: { tool: "scripted" },
      }),
    );
    expect(preview).toMatchObject({
      scope_config_id: campaign.scope_config_id,
      tool: "scripted",
      integrations: TOTAL,
      affected: expected.affected - 2,
      already_granted: 0,
    });
  });

  it("refuses bad input in the error envelope: unknown scope config, tool, model, another category's tool", async () => {
    const cases: Array<[string, unknown, number, string]> = [
      [`/v1/scope-configs/sc_${"0".repeat(26)}/relink-campaigns/preview`, {}, 404, "NOT_FOUND"],
      [`/v1/scope-configs/${s1}/relink-campaigns/preview`, { tool: "nope" }, 422, "UNKNOWN_TOOL"],
      [
        `/v1/scope-configs/${s1}/relink-campaigns`,
        { models: { spaceships: { setting: "ENABLED" } } },
        422,
        "SCOPE_CONFIG_INVALID",
      ],
      [`/v1/scope-configs/${s1}/relink-campaigns`, { models: "x" }, 400, "INVALID_REQUEST"],
    ];
    for (const [path, body, status, code] of cases) {
      const r = await t.request("POST", path, { body });
      expect(r.status, path).toBe(status);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const r = await t.request("GET", `/v1/scope-configs/${s1}/relink-campaigns/rc_${"0".repeat(26)}`);
    expect(r.status).toBe(404);
  });
});
