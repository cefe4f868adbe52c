import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/secrets.ts";
import { availableDialects, createTestRelink, type TestRelink } from "../src/testing/index.ts";
import { type OpenApiDocument, operations } from "./openapi-support.ts";

/**
 * API key scopes over HTTP: `management` by default and for keys made before scopes existed,
 * `credentials:read` and `records:read` for the product's syncs; a key without the scope a route
 * needs is refused `403 INSUFFICIENT_SCOPE` naming it, before the route runs.
 */

const INT = `int_${"0".repeat(26)}`;
const SS = `ss_${"0".repeat(26)}`;

/** Every route that needs another scope than `management`. */
const SCOPED_ROUTES = [
  { method: "POST", path: `/v1/integrations/${INT}/sync-sessions`, body: {}, scope: "credentials:read" },
  {
    method: "POST",
    path: `/v1/integrations/${INT}/sync-sessions/${SS}/finish`,
    body: { outcome: "SUCCEEDED" },
    scope: "credentials:read",
  },
  { method: "GET", path: `/v1/integrations/${INT}/records/employees`, scope: "records:read" },
] as const;

describe.each(availableDialects())("API key scopes (%s)", (dialect) => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ dialect });
  });
  afterAll(() => t?.close());

  const createKey = async (body: Record<string, unknown>) => {
    const response = await t.request("POST", "/v1/api-keys", { body });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { id: string; key: string; scopes: string[] };
  };

  it("a new key has the management scope unless others are asked for, and lists its scopes", async () => {
    const plain = await createKey({ name: "plain" });
    expect(plain.scopes).toEqual(["management"]);
    const sync = await createKey({
      name: "sync",
      scopes: ["records:read", "credentials:read", "records:read"],
    });
    expect(sync.scopes).toEqual(["credentials:read", "records:read"]);
    const list = (await (await t.request("GET", "/v1/api-keys")).json()) as {
      data: Array<{ id: string; scopes: string[] }>;
    };
    expect(list.data.find((k) => k.id === sync.id)?.scopes).toEqual(["credentials:read", "records:read"]);
    expect(list.data.find((k) => k.id === plain.id)?.scopes).toEqual(["management"]);
  });

  it("refuses unknown or empty scopes with INVALID_REQUEST", async () => {
    for (const scopes of [["admin"], [], "management"]) {
      const response = await t.request("POST", "/v1/api-keys", { body: { name: "x", scopes } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("INVALID_REQUEST");
    }
  });

  it("a key stored before scopes existed keeps management only", async () => {
    // A row written without the column, as the migration found existing keys.
    const key = "rlk_legacy_key_for_scope_default_test";
    await t.database.db
      .insertInto("api_keys")
      .values({
        id: `key_${"1".repeat(26)}`,
        workspace_id: t.workspaceId,
        name: "legacy",
        prefix: key.slice(0, 10),
        key_hash: hashToken(key),
        created_at: t.clock.now().toISOString(),
      })
      .execute();
    expect((await t.request("GET", "/v1/integrations", { key })).status).toBe(200);
    const refused = await t.request("GET", `/v1/integrations/${INT}/records/employees`, { key });
    expect(refused.status).toBe(403);
  });

  it.each(SCOPED_ROUTES)("INSUFFICIENT_SCOPE for $method $path with a management-only key", async (route) => {
    const response = await t.request(route.method, route.path, {
      ...("body" in route ? { body: route.body } : {}),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe("INSUFFICIENT_SCOPE");
    expect(body.error.message).toContain(route.scope);
    expect(body.error.details).toMatchObject({ required_scope: route.scope });
  });

  it("the scoped routes above are every /v1 operation a management key may not call, and each documents its scope", async () => {
    const doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as OpenApiDocument;
    const { key: productKey } = await createKey({
      name: "product",
      scopes: ["credentials:read", "records:read"],
    });
    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === "id" ? INT : name === "session_id" ? SS : name === "model" ? "employees" : "x",
      );
    const notManagement: string[] = [];
    let walked = 0;
    for (const { method, path, operation } of operations(doc)) {
      if (!path.startsWith("/v1/")) continue;
      walked++;
      const verb = method.toUpperCase();
      // The scope is checked before the route runs: a refused call changes nothing.
      const response = await t.request(verb, fill(path), {
        key: productKey,
        ...(["POST", "PUT", "PATCH"].includes(verb) ? { body: {} } : {}),
      });
      const body = (await response.json().catch(() => null)) as {
        error?: { code: string; details?: { required_scope?: string } };
      } | null;
      if (response.status === 403 && body?.error?.code === "INSUFFICIENT_SCOPE") {
        expect(body.error.details?.required_scope, `${verb} ${path}`).toBe("management");
        continue;
      }
      notManagement.push(`${verb} ${fill(path)}`);
      const scope = SCOPED_ROUTES.find((r) => r.method === verb && r.path === fill(path))?.scope;
      expect((operation as { description?: string }).description, `${verb} ${path}`).toContain(
        `Needs the \`${scope}\` scope`,
      );
    }
    expect(walked).toBeGreaterThan(30);
    expect(notManagement.sort()).toEqual(SCOPED_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("a key with only credentials:read or records:read cannot manage anything", async () => {
    for (const scope of ["credentials:read", "records:read"]) {
      const { key } = await createKey({ name: scope, scopes: [scope] });
      for (const [method, path] of [
        ["GET", "/v1/integrations"],
        ["GET", "/v1/api-keys"],
        ["POST", "/v1/api-keys"],
        ["GET", `/v1/integrations/${INT}/sync-sessions`],
      ] as const) {
        const response = await t.request(method, path, {
          key,
          body: method === "POST" ? { name: "x" } : undefined,
        });
        expect(response.status, `${method} ${path}`).toBe(403);
        const body = (await response.json()) as { error: { code: string; details: unknown } };
        expect(body.error).toMatchObject({
          code: "INSUFFICIENT_SCOPE",
          details: { required_scope: "management" },
        });
      }
    }
  });

  it("the last management key cannot be revoked, whatever other keys exist", async () => {
    const other = await createTestRelink({ dialect });
    try {
      const reader = (await (
        await other.request("POST", "/v1/api-keys", { body: { name: "reader", scopes: ["records:read"] } })
      ).json()) as { id: string };
      const keys = (await (await other.request("GET", "/v1/api-keys")).json()) as {
        data: Array<{ id: string; scopes: string[] }>;
      };
      const manager = keys.data.find((k) => k.scopes.includes("management"));
      const refused = await other.request("DELETE", `/v1/api-keys/${manager?.id}`);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("LAST_API_KEY");
      expect((await other.request("DELETE", `/v1/api-keys/${reader.id}`)).status).toBe(204);
    } finally {
      await other.close();
    }
  });
});
