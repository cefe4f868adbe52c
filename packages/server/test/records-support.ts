import { demoHrisConnector } from "@relink/demo-hris/connectors";
import type { Integration } from "@relink/sdk/contract";
import { expect } from "vitest";
import { createRelinkServer } from "../src/app.ts";
import type { ManualClock } from "../src/clock.ts";
import type { Connector } from "../src/connectors/types.ts";
import type { RelinkDatabase } from "../src/db/connect.ts";
import { createApiKey, createWorkspace } from "../src/domain/workspaces.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";

/**
 * The scope config the records and sync-session tests create: employees (their home address and
 * date of birth disabled) and teams.
 */
export const EMPLOYEES_SCOPE = {
  name: "Employees",
  category: "HRIS",
  is_default: true,
  models: {
    employees: { setting: "ENABLED", fields: { home_address: "DISABLED", date_of_birth: "DISABLED" } },
    teams: { setting: "ENABLED" },
  },
};

interface RemoteRecord {
  id: string;
  data: Record<string, unknown>;
}

/**
 * The demo HR tool's catalog entry with a sync that returns `count` employees (`employee(i)`, every
 * field, the disabled ones too) and one team: the records tests' tool, always healthy.
 */
export function recordsTool(
  count: number,
  employee: (i: number) => RemoteRecord,
  team: RemoteRecord,
): Connector {
  const base = demoHrisConnector({ baseUrl: "http://127.0.0.1:9" });
  return {
    ...base,
    checkAuth: async () => ({ outcome: "OK" }),
    grantedPermissions: async () => base.tool.permissions.map((p) => p.id),
    accountIdentity: async () => ({ id: "acme", name: "Acme" }),
    sync: async ({ models }) => ({
      records: Object.fromEntries(
        models.map((m) => [
          m.model,
          m.model === "employees" ? Array.from({ length: count }, (_, i) => employee(i)) : [team],
        ]),
      ),
    }),
  };
}

/** A request to `app` with an API key, and a JSON body when one is given. */
export function requestWithKey(app: {
  request: (path: string, init: RequestInit) => Response | Promise<Response>;
}) {
  return (method: string, path: string, key: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/**
 * A server on `db` with `tool` (a `recordsTool`), a workspace with a management key and a
 * `records:read` key, the default scope config `scope`, and one integration imported and synced
 * once: the records tests' world. Fails if the sync did not store `count` employees and one team.
 */
export async function syncedRecordsWorld(options: {
  db: RelinkDatabase;
  clock: ManualClock;
  tool: Connector;
  scope: unknown;
  count: number;
}) {
  const server = await createRelinkServer({
    db: options.db,
    clock: options.clock,
    config: { encryptionKey: generateEncryptionKey() },
    connectors: [options.tool],
    logger: createLogger({ level: "silent" }),
  });
  const request = requestWithKey(server.app);
  const { workspaceId, apiKey } = await createWorkspace(server.ctx);
  const managementKey = apiKey.key;
  const recordsKey = (await createApiKey(server.ctx, workspaceId, "reader", ["records:read"])).key;
  const scope = await request("POST", "/v1/scope-configs", managementKey, options.scope);
  expect(scope.status, await scope.clone().text()).toBe(201);
  const imported = await request("POST", "/v1/integrations", managementKey, {
    tool: "demo-hris",
    end_user: { origin_id: "acme", organization_name: "Acme" },
    credentials: { api_key: "dhk_anything" },
  });
  expect(imported.status, await imported.clone().text()).toBe(201);
  const integration = (await imported.json()) as Integration;
  await server.scheduler.runDue();
  const synced = (await (
    await request("GET", `/v1/integrations/${integration.id}`, managementKey)
  ).json()) as Integration;
  expect(synced.last_sync?.records).toEqual({ employees: options.count, teams: 1 });
  return { server, managementKey, recordsKey, integration, request };
}
