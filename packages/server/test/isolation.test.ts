import { API_KEY_SCOPES } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWorkspace } from "../src/domain/workspaces.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../src/testing/index.ts";

/**
 * A key of one workspace can never see or change anything of another: every route that takes an
 * id answers 404, exactly as for an id that does not exist. Walks the OpenAPI document so that a
 * route added later is covered too.
 */
describe("workspace isolation", () => {
  let t: TestRelink;
  let otherKey: string;
  const ids: Record<string, string> = {};
  const tool = scriptedConnector();

  beforeAll(async () => {
    t = await createTestRelink({ connectors: [tool.connector] });
    tool.setKey("k");
    const sc = await (
      await t.request("POST", "/v1/scope-configs", {
        body: { name: "S", category: "HRIS", models: { teams: { setting: "ENABLED" } } },
      })
    ).json();
    ids.sc = sc.id;
    const integration = await (
      await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "o", organization_name: "O" },
          credentials: { api_key: "k" },
        },
      })
    ).json();
    ids.int = integration.id;
    const link = await (
      await t.request("POST", `/v1/integrations/${integration.id}/relink`, {
        body: { link_type: "MAGIC_LINK" },
      })
    ).json();
    ids.lnk = link.id;
    const campaign = await (
      await t.request("POST", `/v1/scope-configs/${sc.id}/relink-campaigns`, { body: {} })
    ).json();
    ids.rc = campaign.id;
    const key = await (await t.request("POST", "/v1/api-keys", { body: { name: "second" } })).json();
    ids.key = key.id;
    const syncKey = await (
      await t.request("POST", "/v1/api-keys", { body: { name: "sync", scopes: ["credentials:read"] } })
    ).json();
    const session = await (
      await t.request("POST", `/v1/integrations/${integration.id}/sync-sessions`, {
        key: syncKey.key,
        body: {},
      })
    ).json();
    ids.ss = session.id;
    // Every scope: the walk meets the workspace check, never a missing scope.
    const other = await createWorkspace(t.server.ctx, "Other");
    otherKey = (await createApiKey(t.server.ctx, other.workspaceId, "all scopes", API_KEY_SCOPES)).key;
  });
  afterAll(() => t.close());

  it("answers 404 on every route with an id of another workspace, and changes nothing", async () => {
    const doc = await (await t.request("GET", "/openapi.json", { key: null })).json();
    const prefixes: Record<string, string> = {
      "scope-configs": ids.sc!,
      integrations: ids.int!,
      "api-keys": ids.key!,
    };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (!path.startsWith("/v1/") || !path.includes("{id}")) continue;
      const resource = path.split("/")[2]!;
      const id = prefixes[resource];
      if (!id) continue;
      for (const method of Object.keys(operations)) {
        const url = path
          .replace("{id}", id)
          .replace("{link_id}", ids.lnk!)
          .replace("{campaign_id}", ids.rc!)
          .replace("{session_id}", ids.ss!)
          .replace("{model}", "teams");
        const body = url.endsWith("/finish")
          ? { outcome: "SUCCEEDED" }
          : method === "put"
            ? { value: false }
            : method === "patch"
              ? { name: "hijacked" }
              : method === "post"
                ? {}
                : undefined;
        const response = await t.request(method.toUpperCase(), url, { key: otherKey, body });
        expect(response.status, `${method.toUpperCase()} ${url}`).toBe(404);
        expect((await response.json()).error.code).toBe("NOT_FOUND");
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);

    const mine = await (await t.request("GET", `/v1/integrations/${ids.int}`)).json();
    expect(mine.state).toBe("ACTIVE");
    const sessions = await (await t.request("GET", `/v1/integrations/${ids.int}/sync-sessions`)).json();
    expect(sessions.data.find((x: { id: string }) => x.id === ids.ss)?.status).toBe("OPEN");
    const links = await (await t.request("GET", `/v1/integrations/${ids.int}/relink-links`)).json();
    expect(links.data.find((l: { id: string }) => l.id === ids.lnk)?.status).toBe("OUTSTANDING");
    expect((await (await t.request("GET", `/v1/scope-configs/${ids.sc}`)).json()).name).toBe("S");
    expect(
      (
        await t.request("GET", "/v1/tools", {
          key: (await (await t.request("POST", "/v1/api-keys", { body: { name: "x" } })).json()).key,
        })
      ).status,
    ).toBe(200);
  });

  it("lists nothing of another workspace", async () => {
    for (const path of ["/v1/integrations", "/v1/scope-configs"]) {
      const page = await (await t.request("GET", path, { key: otherKey })).json();
      expect(page.data, path).toEqual([]);
    }
    const keys = await (await t.request("GET", "/v1/api-keys", { key: otherKey })).json();
    expect(keys.data.map((k: { id: string }) => k.id)).not.toContain(ids.key);
  });

  it("cannot use another workspace's scope config", async () => {
    const response = await t.request("POST", "/v1/integrations", {
      key: otherKey,
      body: {
        tool: "scripted",
        end_user: { origin_id: "o", organization_name: "O" },
        credentials: { api_key: "k" },
        scope_config_id: ids.sc,
      },
    });
    expect(response.status).toBe(404);
    const tool = await t.request("GET", `/v1/tools/scripted?scope_config_id=${ids.sc}`, { key: otherKey });
    expect(tool.status).toBe(404);
  });
});
