import type { ConnectFlow, Integration, RelinkLinkCreated, SyncRun } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, S2_MODELS, startFlowWorld, transitions } from "./flows-support.ts";

/**
 * The whole relink story over real HTTP with the demo HR system: an integration on key A
 * (employees) with scope S1 is paused after A is revoked; a relink link to S2 (adds time off) shows
 * `time_off:read` as newly required; key B lacks it, key C is another company's, key D completes.
 */
describe.each(availableDialects())("relink story over HTTP (demo HR system, API key) on %s", (dialect) => {
  let w: FlowWorld;
  beforeAll(async () => {
    w = await startFlowWorld({ dialect });
  });
  afterAll(() => w?.close());

  it("pauses, relinks to a broader scope with the right key only, and syncs on it", async () => {
    const s1 = await w.scopeConfig("Employees", S1_MODELS);
    const s2 = await w.scopeConfig("Employees and time off", S2_MODELS);
    const keyA = await w.issueKey("acme", ["employees:read"]);
    const imported = await w.api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: "acme-1", organization_name: "Acme Corp" },
      credentials: { api_key: keyA },
      scope_config_id: s1,
    });
    expect(imported.status).toBe(201);
    const { id } = (await imported.json()) as Integration;
    await w.relink.relink.scheduler.runDue();
    expect((await w.integration(id)).last_sync?.sync_state).toBe("SUCCEEDED");

    // Key A revoked: the integration fails its checks until it is paused.
    await w.revokeKey(keyA);
    await w.pauseBy(id);
    expect((await w.integration(id)).state).toBe("INVALID");

    // A magic link to S2.
    const made = await w.api("POST", `/v1/integrations/${id}/relink`, {
      scope_config_id: s2,
      link_type: "MAGIC_LINK",
      language: "de",
    });
    expect(made.status).toBe(201);
    const link = (await made.json()) as RelinkLinkCreated;
    expect(link.link).toBe(`${w.url}/link#token=${link.token}`);
    const days = (Date.parse(link.expires_at) - w.clock.now().getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);

    const listed = await w.api("GET", `/v1/integrations/${id}/relink-links?status=OUTSTANDING`);
    const links = (await listed.json()) as { data: Array<{ id: string; status: string }> };
    expect(links.data).toEqual([expect.objectContaining({ id: link.id, status: "OUTSTANDING" })]);
    expect(JSON.stringify(links)).not.toContain(link.token);

    // The hosted page: no token in its request, a strict CSP.
    const page = await fetch(`${w.url}/link`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");

    // What the flow shows: time_off:read newly required, where to grant it.
    const flowResponse = await w.connect("GET", "/connect/v1/flow", link.token);
    expect(flowResponse.status).toBe(200);
    const flow = (await flowResponse.json()) as ConnectFlow;
    expect(flow).toMatchObject({
      flow: "relink",
      integration_id: id,
      tool: { id: "demo-hris", auth: { method: "API_KEY" } },
      end_user: { origin_id: "acme-1", organization_name: "Acme Corp" },
      current_scope_config: { id: s1, name: "Employees" },
      target_scope_config: { id: s2, name: "Employees and time off" },
      newly_required_permissions: ["time_off:read"],
      locale: "de",
      expires_at: link.expires_at,
    });
    expect(flow.required_permissions.map((p) => [p.id, p.newly_required])).toEqual([
      ["employees:read", false],
      ["time_off:read", true],
    ]);
    expect(flow.required_permissions[1]?.where_to_grant).toContain("Time off");

    // Key B: the same company, without time off.
    const keyB = await w.issueKey("acme", ["employees:read"]);
    const b = await w.connect("POST", "/connect/v1/credentials", link.token, { values: { api_key: keyB } });
    expect(b.status).toBe(422);
    const bError = (await b.json()) as { error: { code: string; details: { missing: unknown[] } } };
    expect(bError.error.code).toBe("PERMISSIONS_MISSING");
    expect(bError.error.details.missing).toEqual([
      {
        permission: "time_off:read",
        label: "Time off (read)",
        description: expect.any(String),
        where_to_grant: expect.stringContaining("Time off"),
        models: ["time_off_requests"],
        fields: expect.arrayContaining(["time_off_requests.start_date"]),
      },
    ]);

    // Key C: everything, but another company.
    const keyC = await w.issueKey("globex", ["employees:read", "time_off:read"]);
    const c = await w.connect("POST", "/connect/v1/credentials", link.token, { values: { api_key: keyC } });
    expect(c.status).toBe(409);
    expect(((await c.json()) as { error: { code: string } }).error.code).toBe("ACCOUNT_MISMATCH");

    // Nothing changed so far.
    const before = await w.integration(id);
    expect(before).toMatchObject({ state: "INVALID", scope_config_id: s1 });
    expect(transitions(await w.events(id))).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
    ]);

    // Key D: the same company, both permissions.
    const keyD = await w.issueKey("acme", ["employees:read", "time_off:read"]);
    const d = await w.connect("POST", "/connect/v1/credentials", link.token, { values: { api_key: keyD } });
    expect(d.status).toBe(200);
    expect(await d.json()).toEqual({
      status: "COMPLETED",
      flow: "relink",
      integration_id: id,
      scope_config_id: s2,
      remote_account: { id: "acme", name: "Acme Corp" },
      warnings: [],
    });

    const after = await w.integration(id);
    expect(after).toMatchObject({
      state: "ACTIVE",
      scope_config_id: s2,
      missing_permissions: [],
      next_sync_at: w.clock.now().toISOString(),
      auth: { status: "OK", failing_since: null, failed_checks: 0, pauses_at: null },
    });

    // The next sync: trigger RELINK, on key D and S2, no warnings.
    await w.relink.relink.scheduler.runDue();
    const synced = await w.integration(id);
    expect(synced.last_sync).toMatchObject({
      trigger: "RELINK",
      sync_state: "SUCCEEDED",
      scope_config_id: s2,
      warnings: [],
    } satisfies Partial<SyncRun>);
    expect(synced.last_sync?.records.time_off_requests).toBeGreaterThan(0);

    const events = await w.events(id);
    expect(transitions(events)).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
      "integration-relinked",
      "auth:OK",
      "state:ACTIVE:RELINKED",
    ]);
    expect(events.find((e) => e.type === "integration-relinked")?.data).toEqual({
      integration_id: id,
      previous_scope_config_id: s1,
      scope_config_id: s2,
      relinked_at: after.updated_at,
    });
    expect(events.at(-1)).toMatchObject({ type: "sync-finished", data: { trigger: "RELINK" } });

    // The link is used up.
    const again = await w.connect("POST", "/connect/v1/credentials", link.token, {
      values: { api_key: keyD },
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("TOKEN_ALREADY_USED");
    const completedLinks = await w.api("GET", `/v1/integrations/${id}/relink-links`);
    expect(((await completedLinks.json()) as { data: Array<{ status: string }> }).data[0]?.status).toBe(
      "COMPLETED",
    );

    // Neither the token nor any key is ever logged.
    const logs = w.logLines.join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [link.token, keyA, keyB, keyC, keyD]) expect(logs).not.toContain(secret);
  });
});
