import { demoHrisConnector } from "@relink/demo-hris/connectors";
import type { Connector } from "../src/connectors/types.ts";

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
