import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

const S1 = {
  name: "Employees",
  category: "HRIS",
  models: {
    employees: {
      setting: "ENABLED",
      fields: { salary: "DISABLED", home_address: "DISABLED", date_of_birth: "OPTIONAL" },
    },
  },
};

describe.each(availableDialects())("management API on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    tool.setKey("key-all");
    tool.setKey("key-employees", { permissions: ["employees:read"] });
    tool.setKey("key-bad", { outcome: "AUTH_FAILED" });
    tool.setKey("key-down", { outcome: "INCONCLUSIVE" });
  });
  afterAll(() => t.close());

  const json = async <T = Record<string, unknown>>(r: Response | Promise<Response>) =>
    (await r).json() as Promise<T>;

  it("lists the tool catalog and one tool", async () => {
    const list = await json<{ data: Array<{ id: string }> }>(t.request("GET", "/v1/tools"));
    expect(list.data.map((x) => x.id)).toEqual(["scripted"]);
    const one = await json<{ auth: { fields: Array<{ id: string }> }; permissions: unknown[] }>(
      t.request("GET", "/v1/tools/scripted"),
    );
    expect(one.auth.fields[0]?.id).toBe("api_key");
    expect(one.permissions).toHaveLength(5);
    expect((await t.request("GET", "/v1/tools/nope")).status).toBe(404);
  });

  it("creates, reads, updates and deletes scope configs, with the permissions they imply", async () => {
    const created = await t.request("POST", "/v1/scope-configs", { body: { ...S1, is_default: true } });
    expect(created.status).toBe(201);
    const sc = await json<{ id: string; is_default: boolean; permissions: Record<string, unknown> }>(created);
    expect(sc.id).toMatch(/^sc_/);
    expect(sc.is_default).toBe(true);
    expect(sc.permissions.scripted).toEqual({
      required: ["employees:read"],
      optional: ["employees.personal:read"],
    });

    const second = await json<{ id: string }>(
      t.request("POST", "/v1/scope-configs", {
        body: {
          name: "More",
          category: "HRIS",
          is_default: true,
          models: { employees: { setting: "ENABLED" }, time_off_requests: { setting: "ENABLED" } },
        },
      }),
    );
    // One default per workspace: the new default takes over.
    expect(
      (await json<{ is_default: boolean }>(t.request("GET", `/v1/scope-configs/${sc.id}`))).is_default,
    ).toBe(false);

    const withRequirements = await json<{ required_permissions: string[] }>(
      t.request("GET", `/v1/tools/scripted?scope_config_id=${second.id}`),
    );
    expect(withRequirements.required_permissions).toEqual([
      "compensation:read",
      "employees.personal:read",
      "employees:read",
      "time_off:read",
    ]);

    const patched = await json<{ name: string; models: unknown }>(
      t.request("PATCH", `/v1/scope-configs/${sc.id}`, {
        body: { name: "Renamed", models: { teams: { setting: "OPTIONAL" } } },
      }),
    );
    expect(patched).toMatchObject({ name: "Renamed", models: { teams: { setting: "OPTIONAL" } } });

    const page1 = await json<{ data: unknown[]; next_cursor: string | null }>(
      t.request("GET", "/v1/scope-configs?limit=1"),
    );
    expect(page1.data).toHaveLength(1);
    const page2 = await json<{ data: unknown[]; next_cursor: string | null }>(
      t.request("GET", `/v1/scope-configs?limit=1&cursor=${page1.next_cursor}`),
    );
    expect(page2.data).toHaveLength(1);
    expect(page2.next_cursor).toBeNull();

    expect((await t.request("DELETE", `/v1/scope-configs/${sc.id}`)).status).toBe(204);
    expect((await t.request("GET", `/v1/scope-configs/${sc.id}`)).status).toBe(404);
  });

  it("refuses scope configs naming unknown models or fields, naming them", async () => {
    const response = await t.request("POST", "/v1/scope-configs", {
      body: {
        name: "Bad",
        category: "HRIS",
        models: {
          payroll: { setting: "ENABLED" },
          employees: { setting: "ENABLED", fields: { shoe_size: "ENABLED" } },
        },
      },
    });
    expect(response.status).toBe(422);
    const body = await json<{ error: { code: string; message: string } }>(response);
    expect(body.error.code).toBe("SCOPE_CONFIG_INVALID");
    expect(body.error.message).toContain('unknown model "payroll"');
    expect(body.error.message).toContain('unknown field "shoe_size"');
  });

  it("imports an integration after checking its credentials with the tool, and never returns them", async () => {
    const response = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "cust-1", organization_name: "Acme Corp", email: "it@acme.example" },
        credentials: { api_key: "key-employees" },
      },
    });
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).not.toContain("key-employees");
    const integration = JSON.parse(text) as Record<string, unknown> & {
      id: string;
      auth: Record<string, unknown>;
    };
    expect(integration).toMatchObject({
      tool: "scripted",
      category: "HRIS",
      state: "ACTIVE",
      end_user: { origin_id: "cust-1", organization_name: "Acme Corp", email: "it@acme.example" },
      next_sync_at: t.clock.now().toISOString(),
      auth: { status: "OK", failing_since: null, failed_checks: 0, pauses_at: null },
    });
    // The default scope config ("More") wants time off, which this key cannot read.
    expect(integration.missing_permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ permission: "time_off:read", models: ["time_off_requests"] }),
      ]),
    );
    expect(JSON.stringify(await json(t.request("GET", `/v1/integrations/${integration.id}`)))).not.toContain(
      "key-employees",
    );
  });

  it.each([
    ["key-bad", 422, "CREDENTIALS_INVALID"],
    ["key-down", 503, "TOOL_UNREACHABLE"],
  ])("refuses an import whose credentials %s give %i %s", async (key, status, code) => {
    const response = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "x", organization_name: "X" },
        credentials: { api_key: key },
      },
    });
    expect(response.status).toBe(status);
    const body = await json<{ error: { code: string; message: string } }>(response);
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toContain(key);
  });

  it("refuses imports for unknown tools or with wrong credential fields", async () => {
    const unknown = await t.request("POST", "/v1/integrations", {
      body: { tool: "nope", end_user: { origin_id: "x", organization_name: "X" }, credentials: {} },
    });
    expect(unknown.status).toBe(422);
    const wrongFields = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "x", organization_name: "X" },
        credentials: { token: "k" },
      },
    });
    expect(wrongFields.status).toBe(400);
    expect((await json<{ error: { message: string } }>(wrongFields)).error.message).toMatch(
      /api_key.*required.*token/s,
    );
  });

  it("lists with filters and cursor pagination, disables, re-enables and deletes", async () => {
    const ids: string[] = [];
    for (const origin of ["cust-2", "cust-3", "cust-4"]) {
      const r = await json<{ id: string }>(
        t.request("POST", "/v1/integrations", {
          body: {
            tool: "scripted",
            end_user: { origin_id: origin, organization_name: `Org ${origin}` },
            credentials: { api_key: "key-all" },
          },
        }),
      );
      ids.push(r.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; next_cursor: string | null } = await json(
        t.request("GET", `/v1/integrations?limit=2${cursor ? `&cursor=${cursor}` : ""}`),
      );
      seen.push(...page.data.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect([...seen].sort().reverse()).toEqual(seen);

    const byOrigin = await json<{ data: Array<{ id: string }> }>(
      t.request("GET", "/v1/integrations?end_user_origin_id=cust-3"),
    );
    expect(byOrigin.data.map((i) => i.id)).toEqual([ids[1]]);
    const search = await json<{ data: Array<{ id: string }> }>(
      t.request("GET", "/v1/integrations?q=ORG%20CUST-4"),
    );
    expect(search.data.map((i) => i.id)).toEqual([ids[2]]);
    const percent = await json<{ data: unknown[] }>(t.request("GET", "/v1/integrations?q=%25"));
    expect(percent.data).toHaveLength(0);

    const disabled = await json<{ state: string; next_sync_at: string | null }>(
      t.request("PUT", `/v1/integrations/${ids[0]}/enabled`, { body: { value: false } }),
    );
    expect(disabled).toMatchObject({ state: "INACTIVE", next_sync_at: null });
    const inactive = await json<{ data: Array<{ id: string }> }>(
      t.request("GET", "/v1/integrations?state=INACTIVE"),
    );
    expect(inactive.data.map((i) => i.id)).toEqual([ids[0]]);
    const enabled = await json<{ state: string }>(
      t.request("PUT", `/v1/integrations/${ids[0]}/enabled`, { body: { value: true } }),
    );
    expect(enabled.state).toBe("ACTIVE");

    expect((await t.request("DELETE", `/v1/integrations/${ids[0]}`)).status).toBe(204);
    expect((await t.request("GET", `/v1/integrations/${ids[0]}`)).status).toBe(404);
    expect((await t.request("DELETE", `/v1/integrations/${ids[0]}`)).status).toBe(404);

    const events = await t.database.db
      .selectFrom("events")
      .select(["type", "data"])
      .where("integration_id", "=", ids[0]!)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => e.type)).toEqual([
      "integration-created",
      "integration-state-changed",
      "integration-state-changed",
      "integration-deleted",
    ]);
    expect(events.map((e) => e.data.reason).filter(Boolean)).toEqual(["DISABLED", "ENABLED"]);
  });

  it("refuses to delete a scope config in use", async () => {
    const sc = await json<{ id: string }>(t.request("POST", "/v1/scope-configs", { body: S1 }));
    await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "u", organization_name: "U" },
        credentials: { api_key: "key-all" },
        scope_config_id: sc.id,
      },
    });
    const response = await t.request("DELETE", `/v1/scope-configs/${sc.id}`);
    expect(response.status).toBe(409);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe("SCOPE_CONFIG_IN_USE");
  });

  it("manages API keys: shown once, stored hashed, revoked at once, never the last one", async () => {
    const created = await t.request("POST", "/v1/api-keys", { body: { name: "CI" } });
    expect(created.status).toBe(201);
    const key = await json<{ id: string; key: string; prefix: string }>(created);
    expect(key.key).toMatch(/^rlk_/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    const list = await t.request("GET", "/v1/api-keys");
    expect(await list.text()).not.toContain(key.key);
    const stored = await t.database.db
      .selectFrom("api_keys")
      .select("key_hash")
      .where("id", "=", key.id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key.key);
    expect((await t.request("GET", "/v1/tools", { key: key.key })).status).toBe(200);
    expect((await t.request("DELETE", `/v1/api-keys/${key.id}`)).status).toBe(204);
    expect((await t.request("GET", "/v1/tools", { key: key.key })).status).toBe(401);

    const keys = await json<{ data: Array<{ id: string }> }>(t.request("GET", "/v1/api-keys"));
    expect(keys.data).toHaveLength(1);
    const last = await t.request("DELETE", `/v1/api-keys/${keys.data[0]!.id}`);
    expect(last.status).toBe(409);
  });

  it("answers health and readiness", async () => {
    expect(await json(t.request("GET", "/healthz", { key: null }))).toEqual({ status: "ok" });
    expect(await json(t.request("GET", "/readyz", { key: null }))).toEqual({
      status: "ready",
      database: "ok",
    });
  });
});
