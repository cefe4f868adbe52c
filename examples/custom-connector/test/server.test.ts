import { randomBytes } from "node:crypto";
import type { Integration, Tool } from "@relink/sdk";
import { createRelinkServer, createWorkspace, type RelinkServer } from "@relink/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staffbookConnector } from "../src/connector.ts";
import { createStaffbook } from "../src/staffbook.ts";

/** Staffbook plugged into a real relink server (SQLite in memory), driven through its HTTP API. */
describe("relink with the Staffbook connector", () => {
  const staffbook = createStaffbook();
  let relink: RelinkServer;
  let apiKey: string;

  const api = async <T>(method: string, path: string, body?: unknown) => {
    const response = await relink.app.request(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    relink = await createRelinkServer({
      db: "sqlite::memory:",
      config: {
        encryptionKey: randomBytes(32).toString("base64"),
        runWorkers: false,
        logLevel: "silent",
      },
      extraConnectors: [
        staffbookConnector({
          baseUrl: "http://staffbook.test",
          fetch: (input, init) => Promise.resolve(staffbook.app.fetch(new Request(input, init))),
        }),
      ],
    });
    apiKey = (await createWorkspace(relink.ctx, "Staffbook")).apiKey.key;
  });
  afterAll(() => relink?.close());

  it("lists the tool in the catalog", async () => {
    const { body } = await api<{ data: Tool[] }>("GET", "/v1/tools");
    expect(body.data.map((t) => t.id)).toEqual(["staffbook"]);
  });

  it("imports, syncs, warns when the token is revoked, and refuses an unknown token", async () => {
    const scope = await api<{ id: string }>("POST", "/v1/scope-configs", {
      name: "People and absences",
      category: "HRIS",
      models: { employees: { setting: "ENABLED" }, time_off_requests: { setting: "ENABLED" } },
    });
    expect(scope.status).toBe(201);
    const token = staffbook.issueToken(["people", "absences"]);
    const created = await api<Integration>("POST", "/v1/integrations", {
      tool: "staffbook",
      end_user: { origin_id: "initech", organization_name: "Initech" },
      credentials: { api_token: token },
      scope_config_id: scope.body.id,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    await relink.scheduler.runDue();
    const synced = await api<Integration>("GET", `/v1/integrations/${id}`);
    expect(synced.body.last_sync?.sync_state).toBe("SUCCEEDED");
    expect(synced.body.last_sync?.records).toEqual({ employees: 3, time_off_requests: 2 });

    staffbook.revokeToken(token);
    const check = await api<{ outcome: string }>("POST", `/v1/integrations/${id}/check-auth`);
    expect(check.body.outcome).toBe("AUTH_FAILED");
    const failing = await api<Integration>("GET", `/v1/integrations/${id}`);
    expect(failing.body.auth.status).toBe("FAILING");
    expect(failing.body.state).toBe("ACTIVE");

    const lacking = await api<{ error: { code: string } }>("POST", "/v1/integrations", {
      tool: "staffbook",
      end_user: { origin_id: "initech-2", organization_name: "Initech" },
      credentials: { api_token: "sbt_unknown" },
    });
    expect(lacking.status).toBe(422);
    expect(lacking.body.error.code).toBe("CREDENTIALS_INVALID");
  });
});
