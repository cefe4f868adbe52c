import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnector } from "@relink/demo-hris/connectors";
import { RelinkAuthError, RelinkClient } from "@relink/sdk";
import type { Integration } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { availableDialects, createTestRelink, type TestRelink } from "../src/testing/index.ts";

/**
 * The SDK against a real server (both databases) and the demo HR system: `withSyncSession` opens,
 * runs the product's own sync with the credentials it was given, finishes; a throw finishes it
 * FAILED and is rethrown; a `RelinkAuthError` reports AUTHENTICATION_FAILED (which relink's own
 * check overrules while the credentials work); a refusal comes back typed and the callback never
 * runs. `integrations.records` iterates the synced records.
 */
describe.each(availableDialects())("SDK sync sessions and records (%s)", (dialect) => {
  let hris: RunningDemoHris;
  let t: TestRelink;
  let relink: RelinkClient;
  let integration: Integration;
  let toolKey: string;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    t = await createTestRelink({
      dialect,
      clock: new ManualClock(Date.now()),
      connectors: [demoHrisConnector({ baseUrl: hris.url })],
    });
    const scope = await t.request("POST", "/v1/scope-configs", {
      body: {
        name: "Employees",
        category: "HRIS",
        is_default: true,
        models: {
          employees: { setting: "ENABLED", fields: { home_address: "DISABLED", date_of_birth: "DISABLED" } },
        },
      },
    });
    expect(scope.status).toBe(201);
    const key = (await (
      await t.request("POST", "/v1/api-keys", {
        body: { name: "product", scopes: ["credentials:read", "records:read"] },
      })
    ).json()) as { key: string };
    relink = new RelinkClient({
      baseUrl: "http://relink.test",
      apiKey: key.key,
      fetch: (input, init) => Promise.resolve(t.server.app.request(String(input), init)),
      maxRetries: 0,
    });
    const issued = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        company_id: "acme",
        permissions: ["employees:read", "employees.personal:read"],
      }),
    });
    toolKey = ((await issued.json()) as { key: string }).key;
    const imported = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "demo-hris",
        end_user: { origin_id: "acme", organization_name: "Acme" },
        credentials: { api_key: toolKey },
      },
    });
    expect(imported.status).toBe(201);
    integration = (await imported.json()) as Integration;
  });
  afterAll(async () => {
    await t?.close();
    await hris?.close();
  });

  it("withSyncSession runs the product's sync with working credentials and records it", async () => {
    const result = await relink.integrations.withSyncSession(
      integration.id,
      async ({ credentials, scopeConfig, signal }) => {
        const fields = scopeConfig.models.find((m) => m.model === "employees")?.fields ?? [];
        expect(fields).not.toContain("home_address");
        const r = await fetch(`${hris.url}/api/employees`, {
          headers: { authorization: `Bearer ${credentials.api_key}` },
          signal,
        });
        expect(r.status).toBe(200);
        const { data } = (await r.json()) as { data: unknown[] };
        return { records: { employees: data.length } };
      },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sync).toMatchObject({ trigger: "EXTERNAL", sync_state: "SUCCEEDED" });
    expect(result.sync.records.employees).toBeGreaterThan(0);
  });

  it("a throw finishes the session FAILED and is rethrown; a RelinkAuthError reports AUTHENTICATION_FAILED, overruled by relink's check", async () => {
    await expect(
      relink.integrations.withSyncSession(integration.id, async () => {
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    // The session list is a management route: this key cannot read it.
    await expect(Promise.resolve(relink.integrations.syncSessions(integration.id))).rejects.toMatchObject({
      code: "INSUFFICIENT_SCOPE",
    });
    await expect(
      relink.integrations.withSyncSession(integration.id, async () => {
        throw new RelinkAuthError("the tool said 401");
      }),
    ).rejects.toBeInstanceOf(RelinkAuthError);
    const syncs = (await (await t.request("GET", `/v1/integrations/${integration.id}/syncs`)).json()) as {
      data: Array<{ trigger: string; sync_state: string; error: string | null }>;
    };
    const runs = syncs.data.filter((s) => s.trigger === "EXTERNAL").slice(0, 2);
    expect(runs.map((s) => s.sync_state)).toEqual(["FAILED", "FAILED"]);
    expect(runs[0]?.error).toMatch(/found the credentials valid/);
    expect(
      ((await (await t.request("GET", `/v1/integrations/${integration.id}`)).json()) as Integration).auth
        .status,
    ).toBe("OK");
  });

  it("integrations.records iterates the synced records, only the enabled fields", async () => {
    await t.server.scheduler.runDue();
    const seen: Array<{ remote_id: string; fields: Record<string, unknown> }> = [];
    for await (const record of relink.integrations.records(integration.id, "employees", { limit: 2 }))
      seen.push(record);
    expect(seen.length).toBeGreaterThan(2);
    for (const r of seen) {
      expect(r.fields).not.toHaveProperty("home_address");
      expect(r.fields).toHaveProperty("first_name");
    }
  });

  it("a refusal comes back typed and the callback never runs", async () => {
    await fetch(`${hris.url}/admin/api-keys/${toolKey}`, { method: "DELETE" });
    let ran = false;
    const result = await relink.integrations.withSyncSession(integration.id, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.code).toBe("AUTHENTICATION_FAILED");
    if (result.refusal.code === "AUTHENTICATION_FAILED")
      expect(result.refusal.auth?.failing_since).not.toBeNull();
  });
});
