import { API_KEY_SCOPES } from "@relink/sdk/contract";
import { mintRelinkToken } from "@relink/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createWorkspace } from "../../src/domain/workspaces.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../../src/testing/index.ts";
import { report } from "./support.ts";

/**
 * Issue 11 item 6, completing isolation.test.ts (which walks the integrations, scope configs and
 * API keys): every route of `/openapi.json` that names a resource, called with another
 * workspace's API key, answers exactly as for an id that does not exist, lists filtered by
 * another workspace's ids show nothing of it, and a flow token of the other workspace for this
 * workspace's integration is refused exactly like one for an unknown integration.
 */

let t: TestRelink;
let otherKey: string;
let otherWorkspace: string;
const mine: Record<string, string> = {};
let mySigning: { id: string; secret: string };

beforeAll(async () => {
  const tool = scriptedConnector("scripted");
  tool.setKey("k1");
  t = await createTestRelink({
    connectors: [tool.connector],
    config: { allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true },
  });
  const post = async (path: string, body: unknown) => {
    const r = await t.request("POST", path, { body });
    expect(r.status, `${path}: ${await r.clone().text()}`).toBeLessThan(300);
    return (await r.json()) as Record<string, string>;
  };
  mine.endpoint = (await post("/v1/webhook-endpoints", { url: "http://127.0.0.1:9/hooks" })).id as string;
  mine.sc = (
    await post("/v1/scope-configs", {
      name: "S",
      category: "HRIS",
      models: { teams: { setting: "ENABLED" } },
    })
  ).id as string;
  mine.int = (
    await post("/v1/integrations", {
      tool: "scripted",
      end_user: { origin_id: "o", organization_name: "O" },
      credentials: { api_key: "k1" },
    })
  ).id as string;
  mine.link = (await post(`/v1/integrations/${mine.int}/relink`, {})).id as string;
  mine.campaign = (await post(`/v1/scope-configs/${mine.sc}/relink-campaigns`, {})).id as string;
  mine.apiKey = (await post("/v1/api-keys", { name: "second" })).id as string;
  const signing = await post("/v1/signing-keys", { algorithm: "HS256" });
  mine.signingKey = signing.id as string;
  mySigning = { id: signing.id as string, secret: signing.secret as string };
  const events = (await (await t.request("GET", "/v1/events")).json()) as { data: Array<{ id: string }> };
  mine.event = events.data[0]?.id ?? "";
  const deliveries = (await (await t.request("GET", "/v1/webhook-deliveries")).json()) as {
    data: Array<{ id: string }>;
  };
  mine.delivery = deliveries.data[0]?.id ?? "";
  expect(mine.event && mine.delivery).toBeTruthy();
  const other = await createWorkspace(t.server.ctx, "Other");
  // Every scope: the walk meets the workspace check, never a missing scope.
  otherKey = (await createApiKey(t.server.ctx, other.workspaceId, "all scopes", API_KEY_SCOPES)).key;
  otherWorkspace = other.workspaceId;
});
afterAll(() => t?.close());

const RESOURCE_ID: Record<string, keyof typeof mine> = {
  "scope-configs": "sc",
  integrations: "int",
  "api-keys": "apiKey",
  "signing-keys": "signingKey",
  "webhook-endpoints": "endpoint",
  "webhook-deliveries": "delivery",
};
/** A valid body for each change, so that the ownership check, not validation, answers. */
const body = (method: string, resource: string, path = ""): unknown =>
  path.endsWith("/finish")
    ? { outcome: "SUCCEEDED" }
    : method === "put"
      ? { value: false }
      : method === "patch"
        ? resource === "scope-configs"
          ? { name: "hijacked" }
          : { description: "hijacked" }
        : method === "post"
          ? {}
          : undefined;

describe("every route with another workspace's credentials", () => {
  it("answers as for an id that does not exist, and changes nothing", async () => {
    const doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const allMine = Object.values(mine);
    let attacks = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const method of Object.keys(operations)) {
        const resource = path.split("/")[2] ?? "";
        if (path.includes("{id}")) {
          const id = mine[RESOURCE_ID[resource] ?? ""];
          expect(id, `a resource of mine for ${path}`).toBeTruthy();
          // A route under an integration that names one of its relink links gets a real one.
          const url = path
            .replace("{id}", id ?? "")
            .replace("{link_id}", mine.link ?? "")
            .replace("{campaign_id}", mine.campaign ?? "")
            .replace("{session_id}", "ss_01zzzzzzzzzzzzzzzzzzzzzzzz")
            .replace("{model}", "teams");
          const theirs = await t.request(method.toUpperCase(), url, {
            key: otherKey,
            body: body(method, resource, path),
          });
          const unknown = await t.request(
            method.toUpperCase(),
            path
              .replace("{id}", `${id?.split("_")[0]}_01zzzzzzzzzzzzzzzzzzzzzzzz`)
              .replace("{link_id}", "lnk_01zzzzzzzzzzzzzzzzzzzzzzzz")
              .replace("{campaign_id}", "rc_01zzzzzzzzzzzzzzzzzzzzzzzz")
              .replace("{session_id}", "ss_01zzzzzzzzzzzzzzzzzzzzzzzz")
              .replace("{model}", "teams"),
            {
              key: otherKey,
              body: body(method, resource, path),
            },
          );
          const [a, b] = [await theirs.json(), await unknown.json()];
          expect(theirs.status, `${method.toUpperCase()} ${url}: ${JSON.stringify(a)}`).toBe(404);
          expect(unknown.status).toBe(404);
          expect(a.error.code).toBe(b.error.code);
          expect(JSON.stringify(a)).not.toContain(id);
          attacks++;
        } else if (path.includes("{")) {
          // /v1/tools/{tool}: only the scope config query names a resource.
          const r = await t.request(
            "GET",
            `${path.replace("{tool}", "scripted")}?scope_config_id=${mine.sc}`,
            { key: otherKey },
          );
          expect(r.status, path).toBe(404);
          attacks++;
        } else if (method === "get") {
          // Lists, filtered by every id of mine: nothing of mine comes back.
          for (const filter of [
            "",
            `?integration_id=${mine.int}`,
            `?endpoint_id=${mine.endpoint}`,
            `?event_id=${mine.event}`,
            `?ids=${mine.int}`,
          ]) {
            const r = await t.request("GET", path + filter, { key: otherKey });
            expect(r.status, path + filter).toBeLessThan(500);
            const text = await r.text();
            for (const id of allMine) expect(text, `${path}${filter} shows ${id}`).not.toContain(id);
            attacks++;
          }
        }
      }
    }
    // Nothing changed on my side.
    const integration = await (await t.request("GET", `/v1/integrations/${mine.int}`)).json();
    expect(integration.state).toBe("ACTIVE");
    const links = await (await t.request("GET", `/v1/integrations/${mine.int}/relink-links`)).json();
    expect(links.data.find((l: { id: string }) => l.id === mine.link)?.status).toBe("OUTSTANDING");
    expect((await t.request("GET", `/v1/webhook-endpoints/${mine.endpoint}`)).status).toBe(200);
    expect((await t.request("GET", `/v1/scope-configs/${mine.sc}`)).status).toBe(200);
    const keys = await (await t.request("GET", "/v1/api-keys")).json();
    expect(keys.data.map((k: { id: string }) => k.id)).toContain(mine.apiKey);
    report("isolation/api-keys", { attacks });
  });

  it("a flow token of the other workspace for my integration is refused like one for no integration", async () => {
    const signing = await (
      await t.request("POST", "/v1/signing-keys", { key: otherKey, body: { algorithm: "HS256" } })
    ).json();
    const theirKey = { id: signing.id as string, secret: signing.secret as string };
    const token = (integrationId: string, key = theirKey, workspaceId = otherWorkspace) =>
      mintRelinkToken({ integrationId, key, workspaceId, expiresIn: 600 });
    const unknownInt = "int_01zzzzzzzzzzzzzzzzzzzzzzzz";
    let attacks = 0;
    for (const [method, path, body] of [
      ["GET", "/connect/v1/flow", undefined],
      ["GET", "/connect/v1/tools", undefined],
      ["POST", "/connect/v1/credentials", { values: { api_key: "k1" } }],
      ["POST", "/connect/v1/oauth/start", { origin: "https://app.example" }],
      ["POST", "/connect/v1/exit", { step: "intro", reason: "closed" }],
    ] as const) {
      const cross = await t.request(method, path, { key: await token(mine.int as string), body });
      const none = await t.request(method, path, { key: await token(unknownInt), body });
      const [a, b] = [await cross.json(), await none.json()];
      expect(cross.status, `${method} ${path}: ${JSON.stringify(a)}`).toBe(none.status);
      expect(cross.status).toBeGreaterThanOrEqual(400);
      expect(a.error.code).toBe(b.error.code);
      // Their key claiming to be my workspace (iss) is refused too.
      const forged = await t.request(method, path, {
        key: await token(mine.int as string, theirKey, t.workspaceId),
        body,
      });
      expect(forged.status, `${method} ${path} with iss forged`).toBe(401);
      attacks += 2;
    }
    expect(mySigning.id).not.toBe(theirKey.id);
    const integration = await (await t.request("GET", `/v1/integrations/${mine.int}`)).json();
    expect(integration.state).toBe("ACTIVE");
    report("isolation/flow-tokens", { attacks });
  });
});
