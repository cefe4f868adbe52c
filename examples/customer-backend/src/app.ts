import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Integration, RelinkApiError, RelinkClient, type SyncRun } from "@relink/sdk";
import {
  type FlowTokenSigningKey,
  mintConnectToken,
  mintRelinkToken,
  verifyWebhook,
  WebhookVerificationError,
} from "@relink/sdk/server";
import { type Context, Hono } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { type Customer, type CustomerInit, CustomerStore } from "./customers.ts";
import { EmployeeStore, syncEmployees } from "./own-sync.ts";
import { applyWebhook, WebhookLog } from "./webhooks.ts";

export interface CustomerBackendOptions {
  relink: {
    /** Base URL of the relink server, as this backend reaches it. */
    url: string;
    /** Base URL of the relink server as the browser reaches it (widget, connect API); default `url`. */
    publicUrl?: string;
    /** A workspace API key (`rlk_…`), for the management API. */
    apiKey: string;
    /** The workspace id (`ws_…`): the flow tokens' issuer. */
    workspaceId: string;
    /** A signing key of the workspace: flow tokens are minted here, offline. */
    signingKey: FlowTokenSigningKey;
    /** The webhook endpoint's secret (`whsec_…`). */
    webhookSecret: string;
  };
  customers: CustomerInit[] | CustomerStore;
  /** Signs the fake sign-in cookie; default: random per process. */
  cookieSecret?: string;
  /**
   * The product's own sync of its customers' demo HR systems, through relink sync sessions
   * (`POST /api/sync`, `GET /api/employees`): an API key with the `credentials:read` scope, the
   * demo HR system's URL, and where the employees are kept.
   */
  ownSync?: { apiKey: string; hrisUrl: string; employees?: EmployeeStore };
  /** Extra routes (the demo's buttons), mounted at `/demo`. */
  demo?: Hono<CustomerBackendEnv>;
  now?: () => Date;
}

export type CustomerBackendEnv = { Variables: { customer: Customer } };

export interface CustomerBackend {
  app: Hono<CustomerBackendEnv>;
  customers: CustomerStore;
  webhooks: WebhookLog;
  relink: RelinkClient;
  /** What the product's own sync keeps (`options.ownSync`). */
  employees: EmployeeStore;
}

const PAGE_DIR = fileURLToPath(new URL("../../customer-app/", import.meta.url));
const COOKIE = "customer";

/**
 * A product's backend, as far as relink is concerned: a (fake) sign-in, its customers'
 * integrations, an endpoint that mints a flow token for the signed-in customer, and the webhook
 * receiver. It also serves the product's page (`examples/customer-app`).
 */
export function createCustomerBackend(options: CustomerBackendOptions): CustomerBackend {
  const customers =
    options.customers instanceof CustomerStore ? options.customers : new CustomerStore(options.customers);
  const webhooks = new WebhookLog();
  const relink = new RelinkClient({ baseUrl: options.relink.url, apiKey: options.relink.apiKey });
  const cookieSecret = options.cookieSecret ?? randomBytes(32).toString("base64url");
  const now = options.now ?? (() => new Date());
  const publicRelinkUrl = options.relink.publicUrl ?? options.relink.url;

  const app = new Hono<CustomerBackendEnv>();

  /** Only the signed-in customer: the one named by the signed cookie, never an id from the request. */
  const signedIn = async (c: Context<CustomerBackendEnv>, next: () => Promise<void>) => {
    const id = await getSignedCookie(c, cookieSecret, COOKIE);
    const customer = id ? customers.get(id) : undefined;
    if (!customer) return c.json({ error: "Sign in first." }, 401);
    c.set("customer", customer);
    await next();
  };

  // The product's page.
  app.get("/", async (c) => c.html(await readFile(`${PAGE_DIR}index.html`, "utf8")));
  app.get("/app.js", async (c) =>
    c.body(await readFile(`${PAGE_DIR}app.js`, "utf8"), 200, {
      "content-type": "text/javascript; charset=utf-8",
    }),
  );
  app.get("/style.css", async (c) =>
    c.body(await readFile(`${PAGE_DIR}style.css`, "utf8"), 200, {
      "content-type": "text/css; charset=utf-8",
    }),
  );
  app.get("/api/config", (c) => c.json({ relink_url: publicRelinkUrl, demo: options.demo !== undefined }));

  // The fake sign-in: pick a customer from the list.
  app.get("/api/customers", (c) => c.json({ data: customers.list().map(({ id, name }) => ({ id, name })) }));
  app.post("/api/sign-in", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { customer_id?: unknown };
    const customer = typeof body.customer_id === "string" ? customers.get(body.customer_id) : undefined;
    if (!customer) return c.json({ error: "Unknown customer." }, 400);
    await setSignedCookie(c, COOKIE, customer.id, cookieSecret, {
      httpOnly: true,
      sameSite: "Lax",
      path: "/",
    });
    return c.json({ id: customer.id, name: customer.name });
  });
  app.post("/api/sign-out", (c) => {
    deleteCookie(c, COOKIE, { path: "/" });
    return c.body(null, 204);
  });

  app.use("/api/me", signedIn);
  app.use("/api/relink-token", signedIn);
  app.use("/demo/*", signedIn);
  app.use("/api/sync", signedIn);
  app.use("/api/employees", signedIn);

  // What the page shows: the customer's integration as relink reports it, and whether to reconnect.
  app.get("/api/me", async (c) => {
    const customer = c.get("customer");
    let integration: Integration | null = null;
    let lastGoodSync: SyncRun | undefined;
    if (customer.integrationId) {
      try {
        integration = await relink.integrations.get(customer.integrationId);
        // The data the product has: from the last sync that brought any (a failed one brings none).
        lastGoodSync = (await relink.integrations.syncs(customer.integrationId, { limit: 50 })).data.find(
          (run) => run.sync_state === "SUCCEEDED" || run.sync_state === "PARTIALLY_FAILED",
        );
      } catch (error) {
        if (!(error instanceof RelinkApiError && error.status === 404)) throw error;
      }
    }
    const scopeNames = Object.fromEntries(
      (await relink.scopeConfigs.list({ limit: 100 })).data.map((config) => [config.id, config.name]),
    );
    return c.json({
      id: customer.id,
      name: customer.name,
      tool: customer.tool,
      target_scope_config_id: customer.targetScopeConfigId,
      reconnect: customer.reconnect,
      scope_names: scopeNames,
      integration: integration && {
        id: integration.id,
        tool: integration.tool,
        state: integration.state,
        auth: integration.auth,
        scope_config_id: integration.scope_config_id,
        missing_permissions: integration.missing_permissions,
        next_sync_at: integration.next_sync_at,
        last_sync: integration.last_sync && {
          sync_state: integration.last_sync.sync_state,
          trigger: integration.last_sync.trigger,
          ended_at: integration.last_sync.ended_at,
          records: integration.last_sync.records,
          warnings: integration.last_sync.warnings,
        },
        synced: lastGoodSync ? { ended_at: lastGoodSync.ended_at, records: lastGoodSync.records } : null,
      },
    });
  });

  // A flow token for the signed-in customer's own integration (or a connect flow when it has none).
  app.post("/api/relink-token", async (c) => {
    const customer = c.get("customer");
    const common = {
      workspaceId: options.relink.workspaceId,
      key: options.relink.signingKey,
      expiresIn: "15m",
      ...(customer.targetScopeConfigId ? { scopeConfigId: customer.targetScopeConfigId } : {}),
    };
    if (customer.integrationId) {
      const token = await mintRelinkToken({ ...common, integrationId: customer.integrationId });
      return c.json({ token, flow: "relink" as const });
    }
    const token = await mintConnectToken({
      ...common,
      tool: customer.tool,
      endUser: {
        originId: customer.id,
        organizationName: customer.name,
        ...(customer.email ? { email: customer.email } : {}),
      },
    });
    return c.json({ token, flow: "connect" as const });
  });

  // relink's webhooks: verified on the raw body before anything is believed.
  app.post("/webhooks/relink", async (c) => {
    const body = await c.req.text();
    let event: Awaited<ReturnType<typeof verifyWebhook>>;
    try {
      event = await verifyWebhook({ body, headers: c.req.raw.headers, secret: options.relink.webhookSecret });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      webhooks.refuse(error.code, now().toISOString());
      return c.json({ error: error.code }, 400);
    }
    if (webhooks.accept(event, now().toISOString())) applyWebhook(customers, event, now().toISOString());
    return c.body(null, 204);
  });

  // For the demo page and the tests: what was received (a real product would not expose this).
  app.get("/debug/webhooks", (c) => c.json({ received: webhooks.received, refused: webhooks.refused }));

  // The product's own sync of the signed-in customer's HR data, with relink in front of it.
  const own = options.ownSync;
  const employees = own?.employees ?? new EmployeeStore();
  const syncClient = own && new RelinkClient({ baseUrl: options.relink.url, apiKey: own.apiKey });
  app.post("/api/sync", async (c) => {
    const customer = c.get("customer");
    if (!own || !syncClient) return c.json({ error: "The product's own sync is not configured." }, 404);
    if (!customer.integrationId) return c.json({ error: "Not connected yet." }, 409);
    let outcome: Awaited<ReturnType<typeof syncEmployees>>;
    try {
      outcome = await syncEmployees({
        relink: syncClient,
        integrationId: customer.integrationId,
        hrisUrl: own.hrisUrl,
        store: employees,
        now,
      });
    } catch (error) {
      // The session was finished FAILED (relink shows the failed run); the stored data stays.
      return c.json(
        { status: "FAILED", message: error instanceof Error ? error.message : String(error) },
        502,
      );
    }
    if (outcome.status === "SYNCED") {
      return c.json({ status: outcome.status, employees: outcome.employees, synced_at: outcome.syncedAt });
    }
    // Shown as relink's webhooks would: the customer is asked to reconnect, with the deadline.
    const { refusal } = outcome;
    const at = now().toISOString();
    if (refusal.code === "AUTHENTICATION_FAILED") {
      customers.flag(customer.id, "AUTH_FAILING", refusal.auth?.failing_since ?? at, outcome.pausesAt);
    } else if (refusal.code === "INTEGRATION_PAUSED") {
      customers.flag(customer.id, "PAUSED", at);
    }
    return c.json(
      { status: outcome.status, code: refusal.code, message: outcome.message, pauses_at: outcome.pausesAt },
      refusal.code === "TOOL_UNREACHABLE" ? 503 : 409,
    );
  });
  // What the product holds of the customer's HR data (kept by its own sync).
  app.get("/api/employees", (c) => {
    const { integrationId } = c.get("customer");
    const kept = integrationId ? employees.get(integrationId) : undefined;
    return c.json(kept ?? { integration_id: integrationId, synced_at: null, employees: [] });
  });

  if (options.demo) app.route("/demo", options.demo);

  return { app, customers, webhooks, relink, employees };
}
