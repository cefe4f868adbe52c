import { RelinkClient } from "@relink/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

/** The list and the single read of an integration are one mapping: the same JSON, field for field. */
describe.each(availableDialects())("integrations list on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    tool.setKey("key-all");
    // A warning in the last sync: its permission is missing.
    tool.setKey("key-partial", { permissions: ["employees:read"] });
  });
  afterAll(() => t.close());

  it("shows each integration with its last sync exactly as GET /v1/integrations/{id} shows it", async () => {
    const scope = await t.request("POST", "/v1/scope-configs", {
      body: {
        name: "Employees and time off",
        category: "HRIS",
        is_default: true,
        models: { employees: { setting: "ENABLED" }, time_off_requests: { setting: "OPTIONAL" } },
      },
    });
    expect(scope.status, await scope.clone().text()).toBe(201);
    const ids: string[] = [];
    for (const [n, key] of [
      [1, "key-all"],
      [2, "key-partial"],
    ] as const) {
      const created = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: `org-${n}`, organization_name: `Org ${n}` },
          credentials: { api_key: key },
        },
      });
      expect(created.status, await created.clone().text()).toBe(201);
      ids.push(((await created.json()) as { id: string }).id);
    }
    await t.server.scheduler.runDue();

    const list = (await (await t.request("GET", "/v1/integrations")).json()) as {
      data: Array<{ id: string; last_sync: { records: unknown; warnings: unknown } | null }>;
    };
    expect(list.data.map((i) => i.id).sort()).toEqual([...ids].sort());
    for (const listed of list.data) {
      const one = await (await t.request("GET", `/v1/integrations/${listed.id}`)).json();
      expect(listed).toEqual(one);
      expect(listed.last_sync).not.toBeNull();
      expect(typeof listed.last_sync?.records).toBe("object");
      expect(Array.isArray(listed.last_sync?.warnings)).toBe(true);
    }
    const partial = list.data.find((i) => i.id === ids[1]);
    expect(partial?.last_sync?.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "PERMISSION_MISSING", permission: "time_off:read" }),
      ]),
    );
    expect(partial?.last_sync?.records).toEqual({ employees: 2 });
  });

  it("gives relink.integrations.list() of the SDK the same integrations as relink.integrations.get()", async () => {
    const relink = new RelinkClient({
      baseUrl: "http://relink.test",
      apiKey: t.apiKey,
      fetch: (input, init) => Promise.resolve(t.server.app.request(new Request(input, init))),
    });
    const { data } = await relink.integrations.list();
    expect(data.length).toBeGreaterThan(0);
    for (const listed of data) {
      expect(listed.last_sync?.records).toBeTypeOf("object");
      expect(listed).toEqual(await relink.integrations.get(listed.id));
    }
  });
});
