import { RelinkClient } from "@relink/sdk";
import { Hono } from "hono";
import type { CustomerBackendEnv } from "./app.ts";
import type { CustomerStore } from "./customers.ts";

export interface DemoControlsOptions {
  /** Base URL of the demo HR system (its admin endpoints). */
  hrisUrl: string;
  relink: { url: string; apiKey: string };
  customers: CustomerStore;
  /** Which demo HR company each customer is. */
  companies: Record<string, string>;
  /** The scope config "expand the scope" switches a customer to. */
  expandedScopeConfigId: string;
  /** Demo HR keys already issued, per company (the seeded integration's), so "revoke" finds them. */
  issuedKeys?: Record<string, string[]>;
}

/**
 * The demo page's buttons, standing in for what happens in the real world: an admin revokes the
 * key in the HR system, the HR system has an outage, the product starts wanting more data, and
 * the customer's admin creates a new key in the HR system.
 */
export function demoControls(options: DemoControlsOptions): Hono<CustomerBackendEnv> {
  const relink = new RelinkClient({ baseUrl: options.relink.url, apiKey: options.relink.apiKey });
  const issued = new Map(Object.entries(options.issuedKeys ?? {}).map(([k, v]) => [k, [...v]]));
  const hris = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${options.hrisUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok && response.status !== 404) {
      throw new Error(`demo HR ${method} ${path}: ${response.status} ${text}`);
    }
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const company = (customerId: string) => {
    const id = options.companies[customerId];
    if (!id) throw new Error(`no demo HR company for customer ${customerId}`);
    return id;
  };

  return (
    new Hono<CustomerBackendEnv>()
      .get("/info", (c) =>
        c.json({ hris_url: options.hrisUrl, expanded_scope_config_id: options.expandedScopeConfigId }),
      )
      // The customer's admin creates a key in the HR system (to paste into the reconnect flow).
      .post("/hris-keys", async (c) => {
        const body = (await c.req.json().catch(() => ({}))) as { permissions?: unknown };
        const permissions =
          Array.isArray(body.permissions) && body.permissions.every((p) => typeof p === "string")
            ? body.permissions
            : ["employees:read"];
        const companyId = company(c.get("customer").id);
        const created = await hris("POST", "/admin/api-keys", { company_id: companyId, permissions });
        const key = String(created.key);
        issued.set(companyId, [...(issued.get(companyId) ?? []), key]);
        return c.json({ key, permissions });
      })
      // Someone revokes the access in the HR system: every key issued here, and OAuth grants.
      .post("/revoke", async (c) => {
        const companyId = company(c.get("customer").id);
        const keys = issued.get(companyId) ?? [];
        for (const key of keys) await hris("DELETE", `/admin/api-keys/${encodeURIComponent(key)}`);
        issued.set(companyId, []);
        await hris("POST", "/admin/oauth-grants/revoke", { company_id: companyId });
        return c.json({ revoked_keys: keys.length });
      })
      // The HR system answers 503 to everything for a while: relink must not count it against auth.
      .post("/outage", async (c) => {
        const body = (await c.req.json().catch(() => ({}))) as { seconds?: unknown };
        const seconds =
          typeof body.seconds === "number" && body.seconds > 0 ? Math.min(body.seconds, 600) : 30;
        return c.json(await hris("POST", "/admin/outage", { status: 503, duration_ms: seconds * 1000 }));
      })
      .delete("/outage", async (c) => {
        await hris("DELETE", "/admin/outage");
        return c.body(null, 204);
      })
      // The product starts wanting time off too: the next reconnect asks for `time_off:read`.
      .post("/expand-scope", (c) => {
        const customer = c.get("customer");
        options.customers.update(customer.id, (record) => {
          record.targetScopeConfigId = options.expandedScopeConfigId;
        });
        options.customers.flag(customer.id, "NEW_PERMISSIONS", new Date().toISOString());
        return c.json({ target_scope_config_id: options.expandedScopeConfigId });
      })
      // Skip the wait for the next scheduled sync (it starts with an auth check, as every sync).
      .post("/sync", async (c) => {
        const { integrationId } = c.get("customer");
        if (!integrationId) return c.json({ error: "Not connected yet." }, 409);
        return c.json(await relink.integrations.sync(integrationId));
      })
  );
}
