import { randomBytes } from "node:crypto";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { RelinkClient } from "@relink/sdk";
import { signWebhook, type WebhookEvent } from "@relink/sdk/server";
import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerStore, type RunningCustomerBackend, startCustomerBackend } from "../src/index.ts";

const decodeJwt = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown> & {
    iat?: number;
    exp?: number;
  };

/** A real relink server (SQLite in memory) and demo HR system; the backend on a port, receiving webhooks. */
describe("customer backend", () => {
  let hris: RunningDemoHris;
  let server: RunningServer;
  let backend: RunningCustomerBackend;
  let relink: RelinkClient;
  let secret: string;
  let integrationId: string;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    server = await startServer({
      extraConnectors: demoHrisConnectors(hris.url),
      config: defineConfig({
        port: 0,
        databaseUrl: "sqlite::memory:",
        encryptionKey: randomBytes(32).toString("base64"),
        allowPrivateWebhookUrls: true,
        allowHttpWebhookUrls: true,
        webhookTickMs: 100,
        syncIntervalMs: 3_600_000,
        logLevel: "silent",
      }),
    });
    const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Customer backend tests");
    relink = new RelinkClient({ baseUrl: server.url, apiKey: apiKey.key });
    const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });
    const customers = new CustomerStore([
      { id: "acme", name: "Acme Corp", tool: "demo-hris" },
      { id: "globex", name: "Globex Inc", tool: "demo-hris-oauth" },
    ]);
    // The endpoint needs the backend's URL, the backend needs the endpoint's secret: start, then set it.
    const holder = { secret: "" };
    backend = await startCustomerBackend({
      port: 0,
      relink: {
        url: server.url,
        apiKey: apiKey.key,
        workspaceId,
        signingKey: { id: signingKey.id, secret: signingKey.secret },
        get webhookSecret() {
          return holder.secret;
        },
      },
      customers,
    });
    const endpoint = await relink.webhookEndpoints.create({ url: `${backend.url}/webhooks/relink` });
    holder.secret = secret = endpoint.secret;

    const key = await hrisKey(["employees:read"]);
    integrationId = (
      await relink.integrations.create({
        tool: "demo-hris",
        end_user: { origin_id: "acme", organization_name: "Acme Corp" },
        credentials: { api_key: key },
      })
    ).id;
    // Revoked at once: the next auth check fails.
    await fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" });
  });

  afterAll(async () => {
    await backend?.close();
    await server?.close();
    await hris?.close();
  });

  async function hrisKey(permissions: string[]) {
    const response = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions }),
    });
    return ((await response.json()) as { key: string }).key;
  }

  async function signIn(customerId: string) {
    const response = await backend.app.request("/api/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: customerId }),
    });
    expect(response.status).toBe(200);
    return response.headers.get("set-cookie")!.split(";")[0]!;
  }

  const until = async <T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("learns of the integration from the signed integration-created webhook", async () => {
    // Acme's integration was imported by the test, not through the backend: the webhook tells it.
    const created = await until(() =>
      backend.webhooks.received.find((r) => r.event.type === "integration-created"),
    );
    expect(created.event.type === "integration-created" && created.event.data.id).toBe(integrationId);
    expect(backend.customers.get("acme")?.integrationId).toBe(integrationId);
  });

  it("mints a relink token for the signed-in customer's integration only", async () => {
    expect((await backend.app.request("/api/relink-token", { method: "POST" })).status).toBe(401);
    const forged = await backend.app.request("/api/relink-token", {
      method: "POST",
      headers: { cookie: "customer=acme" },
    });
    expect(forged.status).toBe(401);

    const cookie = await signIn("acme");
    const response = await backend.app.request("/api/relink-token", {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      // An id from the browser is never used.
      body: JSON.stringify({ integration_id: "int_01someoneelse00000000000" }),
    });
    const { token, flow } = (await response.json()) as { token: string; flow: string };
    expect(flow).toBe("relink");
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(integrationId);
    expect(claims.flow).toBe("relink");
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(3600);
    // The relink server accepts it.
    const flowInfo = await fetch(`${server.url}/connect/v1/flow`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(flowInfo.status).toBe(200);
  });

  it("mints a connect token naming the customer when it has no integration yet", async () => {
    const cookie = await signIn("globex");
    const response = await backend.app.request("/api/relink-token", { method: "POST", headers: { cookie } });
    const { token, flow } = (await response.json()) as { token: string; flow: string };
    expect(flow).toBe("connect");
    const claims = decodeJwt(token);
    expect(claims.tool).toBe("demo-hris-oauth");
    expect(claims.end_user).toEqual({ origin_id: "globex", organization_name: "Globex Inc" });
  });

  it("marks the customer for reconnection on the early warning, from a real delivery", async () => {
    await relink.integrations.checkAuth(integrationId);
    await until(() =>
      backend.webhooks.received.find((r) => r.event.type === "integration-auth-status-changed"),
    );
    const acme = backend.customers.get("acme")!;
    expect(acme.reconnect?.reasons).toEqual(["AUTH_FAILING"]);
    expect(acme.reconnect?.pausesAt).toBeTruthy();

    const cookie = await signIn("acme");
    const me = (await (await backend.app.request("/api/me", { headers: { cookie } })).json()) as {
      reconnect: { reasons: string[] };
      integration: { id: string; auth: { status: string } };
    };
    expect(me.reconnect.reasons).toEqual(["AUTH_FAILING"]);
    expect(me.integration.id).toBe(integrationId);
    expect(me.integration.auth.status).toBe("FAILING");
  });

  const post = async (event: WebhookEvent, secretToUse = secret) => {
    const body = JSON.stringify(event);
    const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret: secretToUse });
    return backend.app.request("/webhooks/relink", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
  };
  const stateChanged = (id: string, state: "ACTIVE" | "INVALID"): WebhookEvent => ({
    id,
    type: "integration-state-changed",
    created_at: new Date().toISOString(),
    data: {
      integration_id: integrationId,
      integration_tool: "demo-hris",
      integration_category: "HRIS",
      end_user: { origin_id: "acme", organization_name: "Acme Corp" },
      state,
      previous_state: state === "ACTIVE" ? "INVALID" : "ACTIVE",
      reason: state === "ACTIVE" ? "RELINKED" : "AUTHENTICATION_FAILED",
      updated_at: new Date().toISOString(),
    },
  });

  it("refuses forged webhooks with 400 and does not act on them", async () => {
    const forged = await post(
      stateChanged("evt_01forged00000000000000000", "INVALID"),
      `whsec_${randomBytes(24).toString("base64")}`,
    );
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: "INVALID_SIGNATURE" });
    const unsigned = await backend.app.request("/webhooks/relink", { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(400);
    expect(backend.customers.get("acme")?.reconnect?.reasons).toEqual(["AUTH_FAILING"]);
    expect(backend.webhooks.refused.map((r) => r.reason)).toEqual(["INVALID_SIGNATURE", "MISSING_HEADER"]);
  });

  it("pauses, then clears on integration-relinked; a redelivery is applied once", async () => {
    expect((await post(stateChanged("evt_01paused000000000000000000", "INVALID"))).status).toBe(204);
    expect(backend.customers.get("acme")?.reconnect?.reasons).toEqual(["AUTH_FAILING", "PAUSED"]);

    const relinked: WebhookEvent = {
      id: "evt_01relinked0000000000000000",
      type: "integration-relinked",
      created_at: new Date().toISOString(),
      data: {
        integration_id: integrationId,
        previous_scope_config_id: null,
        scope_config_id: null,
        relinked_at: new Date().toISOString(),
      },
    };
    expect((await post(relinked)).status).toBe(204);
    expect(backend.customers.get("acme")?.reconnect).toBeNull();

    // The same event again (at least once delivery): not applied twice.
    expect((await post(stateChanged("evt_01paused000000000000000000", "INVALID"))).status).toBe(204);
    expect(backend.customers.get("acme")?.reconnect).toBeNull();
  });
});
