import http from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE, WebhookEventSchema } from "@relink/sdk/contract";
import { mintConnectToken } from "@relink/sdk/server";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { announceExpiringCredentials } from "../src/domain/credential-expiry.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { S1_MODELS, S2_MODELS } from "./flows-support.ts";
import {
  type OpenApiDocument,
  type Operation,
  operations,
  pointer,
  schemaValidator,
} from "./openapi-support.ts";

/**
 * The contract test: a scenario calls every operation of the served OpenAPI document (its success
 * and its main errors), and every answer is checked against the document — its status must be
 * documented for the operation, and its body must validate against the schema documented for that
 * status. An operation of the document that the scenario never answered with a 2xx fails the test,
 * so a new route cannot be missed: add its calls to `CALLS` (one line each).
 *
 * Besides the calls of the table, every operation is also called without credentials (401), and
 * every one that can carry a body with a body over the limit (413), a body that is not JSON (415)
 * and broken JSON (400): those come from the document itself.
 */

interface Scenario {
  t: TestRelink;
  tool: ReturnType<typeof scriptedConnector>;
  hris: RunningDemoHris;
  /** Ids and tokens the calls made, by name. */
  ids: Record<string, string>;
}

interface Call {
  /** The `operationId`. */
  op: string;
  status: number;
  params?: (s: Scenario) => Record<string, string>;
  query?: (s: Scenario) => Record<string, string>;
  body?: (s: Scenario) => unknown;
  /** The flow token of a connect API call. */
  token?: (s: Scenario) => string;
  /** Another API key than the workspace's first (a scoped one). */
  apiKey?: (s: Scenario) => string;
  headers?: Record<string, string>;
  /** Runs before the call (e.g. set what the tool answers). */
  before?: (s: Scenario) => void | Promise<void>;
  /** Runs with the answer's JSON (e.g. keep an id). */
  after?: (body: never, s: Scenario) => void | Promise<void>;
}

const UNKNOWN_INT = `int_${"0".repeat(26)}`;
const UNKNOWN_SC = `sc_${"0".repeat(26)}`;
const syncKey = (s: Scenario) => s.ids.syncKey as string;
const id = (name: string) => (s: Scenario) => ({ id: s.ids[name] as string });
const keep =
  (name: string, field = "id") =>
  (body: Record<string, string>, s: Scenario) => {
    s.ids[name] = body[field] as string;
  };
const importBody = (apiKey: string, origin = "acme") => ({
  tool: "scripted",
  end_user: { origin_id: origin, organization_name: `${origin} Inc` },
  credentials: { api_key: apiKey },
});

/** The scenario, in order. Add a new operation's calls here. */
const CALLS: Call[] = [
  { op: "getHealth", status: 200 },
  { op: "getReadiness", status: 200 },
  { op: "listTools", status: 200 },
  { op: "getTool", status: 200, params: () => ({ tool: "scripted" }) },
  { op: "getTool", status: 404, params: () => ({ tool: "nope" }) },
  {
    op: "createScopeConfig",
    status: 201,
    body: () => ({ name: "S1", category: "HRIS", is_default: true, models: S1_MODELS }),
    after: keep("sc"),
  },
  {
    op: "createScopeConfig",
    status: 422,
    body: () => ({ name: "Bad", category: "HRIS", models: { spaceships: { setting: "ENABLED" } } }),
  },
  {
    op: "createScopeConfig",
    status: 201,
    body: () => ({ name: "Spare", category: "HRIS", models: S1_MODELS }),
    after: keep("sc2"),
  },
  { op: "listScopeConfigs", status: 200 },
  { op: "getScopeConfig", status: 200, params: id("sc") },
  { op: "getScopeConfig", status: 404, params: () => ({ id: `sc_${"0".repeat(26)}` }) },
  { op: "updateScopeConfig", status: 200, params: id("sc"), body: () => ({ name: "Employees" }) },
  { op: "createSigningKey", status: 201, body: () => ({ algorithm: "HS256" }), after: keep("sk") },
  {
    op: "createSigningKey",
    status: 201,
    body: () => ({ algorithm: "HS256" }),
    after: (body: { id: string; secret: string }, s) => {
      s.ids.sk2 = body.id;
      s.ids.sk2Secret = body.secret;
    },
  },
  { op: "listSigningKeys", status: 200 },
  { op: "getSigningJwks", status: 404 },
  { op: "setSigningJwks", status: 400, body: () => ({ url: "ftp://example.com/jwks.json" }) },
  { op: "setSigningJwks", status: 200, body: (s) => ({ url: s.ids.jwksUrl }) },
  { op: "getSigningJwks", status: 200 },
  { op: "deleteSigningJwks", status: 204 },
  { op: "deleteSigningJwks", status: 404 },
  { op: "importIntegration", status: 201, body: () => importBody("key-ok"), after: keep("int") },
  { op: "importIntegration", status: 201, body: () => importBody("key-ok", "globex"), after: keep("int2") },
  { op: "importIntegration", status: 422, body: () => importBody("key-bad") },
  { op: "importIntegration", status: 503, body: () => importBody("key-down") },
  {
    op: "importIntegration",
    status: 404,
    body: () => ({ ...importBody("key-ok"), scope_config_id: `sc_${"0".repeat(26)}` }),
  },
  {
    op: "syncIntegration",
    status: 202,
    params: id("int"),
    after: async (_body, s) => {
      await s.t.server.scheduler.runDue();
    },
  },
  { op: "syncIntegration", status: 404, params: () => ({ id: UNKNOWN_INT }) },
  { op: "listIntegrations", status: 200 },
  { op: "listIntegrations", status: 400, query: () => ({ limit: "0" }) },
  { op: "getIntegration", status: 200, params: id("int") },
  { op: "getIntegration", status: 404, params: () => ({ id: UNKNOWN_INT }) },
  { op: "getIntegration", status: 400, params: () => ({ id: "not-an-id" }) },
  { op: "getIntegrationStats", status: 200 },
  { op: "listIntegrationPauses", status: 200, query: (s) => ({ ids: s.ids.int as string }) },
  { op: "listIntegrationSyncs", status: 200, params: id("int") },
  { op: "listIntegrationAuthChecks", status: 200, params: id("int") },
  { op: "listIntegrationGrantRevocations", status: 200, params: id("int") },
  { op: "listIntegrationGrantRevocations", status: 404, params: () => ({ id: UNKNOWN_INT }) },
  { op: "checkIntegrationAuth", status: 200, params: id("int") },
  {
    op: "simulateIntegration",
    status: 200,
    params: id("int"),
    body: () => ({ auth_outcome: "INCONCLUSIVE", checks: 1 }),
  },
  { op: "simulateIntegration", status: 200, params: id("int"), body: () => ({ auth_outcome: null }) },
  {
    op: "simulateIntegration",
    status: 404,
    params: () => ({ id: UNKNOWN_INT }),
    body: () => ({ auth_outcome: "OK" }),
  },
  { op: "setIntegrationEnabled", status: 200, params: id("int"), body: () => ({ value: false }) },
  { op: "setIntegrationEnabled", status: 200, params: id("int"), body: () => ({ value: true }) },
  {
    op: "setIntegrationEnabled",
    status: 404,
    params: () => ({ id: UNKNOWN_INT }),
    body: () => ({ value: true }),
  },
  // The product's own sync through a session, with a key scoped for it.
  {
    op: "createApiKey",
    status: 201,
    body: () => ({ name: "Product sync", scopes: ["credentials:read", "records:read"] }),
    after: keep("syncKey", "key"),
  },
  {
    op: "openSyncSession",
    status: 201,
    params: id("int"),
    body: () => ({}),
    apiKey: syncKey,
    after: keep("ss"),
  },
  { op: "openSyncSession", status: 403, params: id("int"), body: () => ({}) },
  {
    op: "openSyncSession",
    status: 404,
    params: () => ({ id: UNKNOWN_INT }),
    body: () => ({}),
    apiKey: syncKey,
  },
  {
    op: "openSyncSession",
    status: 400,
    params: id("int"),
    body: () => ({ max_check_age: "1h" }),
    apiKey: syncKey,
  },
  {
    op: "finishSyncSession",
    status: 200,
    params: (s) => ({ id: s.ids.int as string, session_id: s.ids.ss as string }),
    body: () => ({ outcome: "SUCCEEDED", records: { employees: 2 } }),
    apiKey: syncKey,
  },
  {
    op: "finishSyncSession",
    status: 409,
    params: (s) => ({ id: s.ids.int as string, session_id: s.ids.ss as string }),
    body: () => ({ outcome: "SUCCEEDED" }),
    apiKey: syncKey,
  },
  {
    op: "finishSyncSession",
    status: 404,
    params: (s) => ({ id: s.ids.int as string, session_id: `ss_${"0".repeat(26)}` }),
    body: () => ({ outcome: "SUCCEEDED" }),
    apiKey: syncKey,
  },
  {
    op: "finishSyncSession",
    status: 403,
    params: (s) => ({ id: s.ids.int as string, session_id: s.ids.ss as string }),
    body: () => ({ outcome: "SUCCEEDED" }),
  },
  {
    op: "listRecords",
    status: 200,
    params: (s) => ({ id: s.ids.int as string, model: "employees" }),
    query: () => ({ limit: "2" }),
    apiKey: syncKey,
  },
  {
    op: "listRecords",
    status: 404,
    params: (s) => ({ id: s.ids.int as string, model: "spaceships" }),
    apiKey: syncKey,
  },
  {
    op: "listRecords",
    status: 400,
    params: (s) => ({ id: s.ids.int as string, model: "employees" }),
    query: () => ({ limit: "501" }),
    apiKey: syncKey,
  },
  { op: "listRecords", status: 403, params: (s) => ({ id: s.ids.int as string, model: "employees" }) },
  { op: "listSyncSessions", status: 200, params: id("int") },
  { op: "listSyncSessions", status: 404, params: () => ({ id: UNKNOWN_INT }) },
  // The credentials stop working: auth status FAILING (an event).
  {
    op: "checkIntegrationAuth",
    status: 200,
    params: id("int"),
    before: (s) => s.tool.revoke("key-ok"),
  },
  { op: "openSyncSession", status: 409, params: id("int"), body: () => ({}), apiKey: syncKey },
  { op: "createRelinkLink", status: 201, params: id("int"), body: () => ({}), after: keep("link", "token") },
  { op: "createRelinkLink", status: 201, params: id("int"), body: () => ({}), after: keep("link2", "token") },
  { op: "createRelinkLink", status: 404, params: () => ({ id: UNKNOWN_INT }), body: () => ({}) },
  { op: "listRelinkLinks", status: 200, params: id("int") },
  { op: "createRelinkLink", status: 201, params: id("int"), body: () => ({}), after: keep("link3") },
  {
    op: "revokeRelinkLink",
    status: 200,
    params: (s) => ({ id: s.ids.int as string, link_id: s.ids.link3 as string }),
  },
  {
    op: "revokeRelinkLink",
    status: 200,
    params: (s) => ({ id: s.ids.int as string, link_id: s.ids.link3 as string }),
  },
  {
    op: "revokeRelinkLink",
    status: 404,
    params: (s) => ({ id: s.ids.int as string, link_id: `lnk_${"0".repeat(26)}` }),
  },
  { op: "getConnectFlow", status: 200, token: (s) => s.ids.link as string },
  { op: "getConnectFlow", status: 401, token: () => "not.a.token" },
  {
    op: "getConnectFlow",
    status: 403,
    token: (s) => s.ids.link as string,
    headers: { origin: "https://evil.example" },
  },
  { op: "listConnectTools", status: 200, token: (s) => s.ids.link as string },
  {
    op: "submitConnectCredentials",
    status: 422,
    token: (s) => s.ids.link as string,
    body: () => ({ values: { api_key: "key-bad" } }),
  },
  {
    op: "submitConnectCredentials",
    status: 200,
    token: (s) => s.ids.link as string,
    body: () => ({ values: { api_key: "key-new" } }),
    before: (s) => s.tool.setKey("key-new"),
  },
  {
    op: "submitConnectCredentials",
    status: 409,
    token: (s) => s.ids.link as string,
    body: () => ({ values: { api_key: "key-new" } }),
  },
  {
    op: "exitConnectFlow",
    status: 204,
    token: (s) => s.ids.link2 as string,
    body: () => ({ step: "credentials", reason: "closed" }),
  },
  {
    op: "startConnectOAuth",
    status: 200,
    token: (s) => s.ids.connectToken as string,
    body: (s) => ({ origin: s.t.server.ctx.config.publicUrl }),
    before: async (s) => {
      s.ids.connectToken = await mintConnectToken({
        workspaceId: s.t.workspaceId,
        key: { id: s.ids.sk2 as string, secret: s.ids.sk2Secret as string },
        endUser: { originId: "initech", organizationName: "Initech" },
        tool: "demo-hris-oauth",
        now: s.t.clock.now(),
      });
    },
    after: keep("authorizeUrl", "authorize_url"),
  },
  {
    op: "connectOAuthCallback",
    status: 200,
    query: (s) => Object.fromEntries(new URL(s.ids.callback as string).searchParams),
    before: async (s) => {
      s.ids.callback = await consent(s.ids.authorizeUrl as string);
    },
  },
  { op: "connectOAuthCallback", status: 400, query: () => ({ state: "unknown", code: "x" }) },
  // Credentials the tool says expire tomorrow: integration-credentials-expiring.
  {
    op: "importIntegration",
    status: 201,
    body: () => importBody("key-expiring", "hooli"),
    before: (s) =>
      s.tool.setKey("key-expiring", {
        expiresAt: new Date(s.t.clock.now().getTime() + 86_400_000).toISOString(),
      }),
    after: async (_body, s) => {
      await announceExpiringCredentials(s.t.server.ctx);
    },
  },
  // A relink campaign: a scope config of its own, one integration lacking the new permission.
  {
    op: "createScopeConfig",
    status: 201,
    body: () => ({ name: "Campaign", category: "HRIS", models: S1_MODELS }),
    after: keep("sc3"),
  },
  {
    op: "importIntegration",
    status: 201,
    body: (s) => ({ ...importBody("key-narrow", "umbrella"), scope_config_id: s.ids.sc3 }),
    before: (s) => s.tool.setKey("key-narrow", { permissions: ["employees:read"] }),
    after: keep("int3"),
  },
  { op: "previewRelinkCampaign", status: 200, params: id("sc3"), body: () => ({ models: S2_MODELS }) },
  { op: "previewRelinkCampaign", status: 404, params: () => ({ id: UNKNOWN_SC }), body: () => ({}) },
  {
    op: "createRelinkCampaign",
    status: 201,
    params: id("sc3"),
    body: () => ({ models: S2_MODELS, name: "Campaign with time off" }),
    after: (body: { id: string; scope_config_id: string }, s) => {
      s.ids.rc = body.id;
      s.ids.rcTarget = body.scope_config_id;
    },
  },
  { op: "createRelinkCampaign", status: 422, params: id("sc3"), body: () => ({ tool: "nope" }) },
  { op: "listRelinkCampaigns", status: 200, params: id("sc3") },
  { op: "listRelinkCampaigns", status: 404, params: () => ({ id: UNKNOWN_SC }) },
  {
    op: "getRelinkCampaign",
    status: 200,
    params: (s) => ({ id: s.ids.sc3 as string, campaign_id: s.ids.rc as string }),
  },
  {
    op: "getRelinkCampaign",
    status: 404,
    params: (s) => ({ id: s.ids.sc3 as string, campaign_id: `rc_${"0".repeat(26)}` }),
  },
  {
    op: "createRelinkLink",
    status: 201,
    params: id("int3"),
    body: (s) => ({ scope_config_id: s.ids.rcTarget }),
    after: keep("link4", "token"),
  },
  {
    op: "handOffConnectFlow",
    status: 201,
    token: (s) => s.ids.link4 as string,
    body: () => ({ requested_by: "Jane Doe" }),
  },
  { op: "handOffConnectFlow", status: 401, token: () => "not.a.token", body: () => ({}) },
  {
    op: "submitConnectCredentials",
    status: 200,
    token: (s) => s.ids.link4 as string,
    body: () => ({ values: { api_key: "key-new" } }),
  },
  {
    op: "listRelinkCampaignMembers",
    status: 200,
    params: (s) => ({ id: s.ids.sc3 as string, campaign_id: s.ids.rc as string }),
    query: () => ({ status: "RELINKED" }),
  },
  { op: "getAllowedOrigins", status: 200 },
  {
    op: "setAllowedOrigins",
    status: 200,
    body: () => ({ allowed_origins: ["https://app.example.com"] }),
  },
  { op: "setAllowedOrigins", status: 400, body: () => ({ allowed_origins: ["*"] }) },
  { op: "getBranding", status: 200 },
  {
    op: "setBranding",
    status: 200,
    body: () => ({
      product_name: "Acme Payroll",
      logo_url: "https://app.example.com/logo.png",
      accent_color: "#0f766e",
    }),
  },
  { op: "setBranding", status: 400, body: () => ({ logo_url: "http://app.example.com/logo.png" }) },
  { op: "listApiKeys", status: 200 },
  { op: "createApiKey", status: 201, body: () => ({ name: "CI" }), after: keep("apiKey") },
  { op: "revokeApiKey", status: 204, params: id("apiKey") },
  { op: "revokeApiKey", status: 404, params: id("apiKey") },
  {
    op: "createWebhookEndpoint",
    status: 201,
    body: () => ({ url: "http://127.0.0.1:9/hook" }),
    after: keep("whep"),
  },
  { op: "listWebhookEndpoints", status: 200 },
  { op: "getWebhookEndpoint", status: 200, params: id("whep") },
  { op: "getWebhookEndpoint", status: 404, params: () => ({ id: `whep_${"0".repeat(26)}` }) },
  { op: "updateWebhookEndpoint", status: 200, params: id("whep"), body: () => ({ description: "CI" }) },
  {
    op: "rotateWebhookEndpointSecret",
    status: 200,
    params: id("whep"),
    body: () => ({ grace_period: "0s" }),
  },
  { op: "testWebhookEndpoint", status: 202, params: id("whep") },
  {
    op: "listWebhookDeliveries",
    status: 200,
    after: (body: { data: Array<{ id: string }> }, s) => {
      s.ids.whdl = body.data[0]?.id as string;
    },
  },
  { op: "getWebhookDelivery", status: 200, params: id("whdl") },
  { op: "getWebhookDelivery", status: 404, params: () => ({ id: `whdl_${"0".repeat(26)}` }) },
  { op: "retryWebhookDelivery", status: 202, params: id("whdl") },
  { op: "listEvents", status: 200 },
  { op: "deleteIntegration", status: 204, params: id("int2") },
  { op: "deleteIntegration", status: 404, params: id("int2") },
  { op: "deleteScopeConfig", status: 409, params: id("sc") },
  { op: "deleteScopeConfig", status: 204, params: id("sc2") },
  { op: "deleteWebhookEndpoint", status: 204, params: id("whep") },
  { op: "revokeSigningKey", status: 204, params: id("sk") },
  { op: "revokeSigningKey", status: 404, params: id("sk") },
];

/** Approves the demo HR system's consent page like a browser; returns relink's callback URL it redirects to. */
async function consent(authorizeUrl: string): Promise<string> {
  const html = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    form.append(match[1] as string, (match[2] as string).replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
  }
  form.append("company_id", "acme");
  form.append("scope", "employees:read");
  form.append("decision", "approve");
  const answer = await fetch(new URL("/oauth/authorize", authorizeUrl), {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  const location = answer.headers.get("location");
  if (!location) throw new Error(`the consent page answered ${answer.status} without a redirect`);
  return location;
}

interface Answered {
  key: string;
  status: number;
  problems: string[];
}

describe.each(availableDialects())("every operation against the OpenAPI document on %s", (dialect) => {
  let s: Scenario;
  let doc: OpenApiDocument;
  let validator: ReturnType<typeof schemaValidator>;
  const byId = new Map<string, { method: string; path: string; operation: Operation }>();
  const answered: Answered[] = [];
  /** The parameters and token of each operation's first call, for the generic calls. */
  const firstCall = new Map<
    string,
    { params: Record<string, string>; token?: string; body?: unknown; apiKey?: string }
  >();
  let jwksServer: http.Server | undefined;

  beforeAll(async () => {
    const hris = await startDemoHris({ port: 0 });
    const tool = scriptedConnector();
    tool.setKey("key-ok");
    tool.setKey("key-bad", { outcome: "AUTH_FAILED" });
    tool.setKey("key-down", { outcome: "INCONCLUSIVE" });
    // The demo HR system's OAuth tokens live in real time.
    const clock = new ManualClock(Date.now());
    const t = await createTestRelink({
      dialect,
      clock,
      extraConnectors: [...demoHrisConnectors(hris.url, () => clock.now().getTime()), tool.connector],
      config: {
        allowHttpWebhookUrls: true,
        allowPrivateWebhookUrls: true,
        enableSimulation: true,
      },
    });
    // A product backend's JWKS, for PUT /v1/signing-keys/jwks.
    const jwk = { ...(await exportJWK((await generateKeyPair("EdDSA")).publicKey)), kid: "contract-1" };
    jwksServer = http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/jwk-set+json" });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer?.listen(0, "127.0.0.1", resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    s = { t, tool, hris, ids: { jwksUrl } };
    doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as OpenApiDocument;
    validator = schemaValidator(doc);
    for (const { method, path, operation } of operations(doc)) {
      byId.set(operation.operationId ?? `${method} ${path}`, { method, path, operation });
    }
  });
  afterAll(async () => {
    await s?.t.close();
    await s?.hris.close();
    jwksServer?.close();
  });

  /** Calls one operation and checks the answer against the document. */
  async function call(
    op: string,
    request: {
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      rawBody?: string;
      token?: string;
      apiKey?: string;
      headers?: Record<string, string>;
      credentials?: boolean;
    },
  ): Promise<{ status: number; json: unknown; problems: string[] }> {
    const found = byId.get(op);
    if (!found) throw new Error(`no operation ${op} in the document`);
    const { method, path, operation } = found;
    const url =
      path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(request.params?.[name] ?? "")) +
      (request.query ? `?${new URLSearchParams(request.query)}` : "");
    const security = JSON.stringify(operation.security ?? []);
    const credentials = request.credentials ?? true;
    const key = !credentials
      ? null
      : security.includes("flowToken")
        ? (request.token ?? null)
        : security.includes("apiKey")
          ? request.apiKey
          : null;
    const response = await s.t.request(method.toUpperCase(), url, {
      key,
      body: request.body,
      rawBody: request.rawBody,
      headers: request.headers,
    });
    const text = await response.text();
    const problems: string[] = [];
    const documented = operation.responses[String(response.status)];
    const type = response.headers.get("content-type") ?? "";
    let json: unknown = null;
    if (!documented) {
      problems.push(`answered ${response.status}, which is not documented: ${text.slice(0, 300)}`);
    } else if (type.startsWith("application/json")) {
      json = JSON.parse(text);
      if (!documented.content?.["application/json"]) problems.push("answered JSON, documented none");
      else
        problems.push(
          ...validator.errors(
            pointer(
              "paths",
              path,
              method,
              "responses",
              String(response.status),
              "content",
              "application/json",
              "schema",
            ),
            json,
          ),
        );
    } else if (type.startsWith("text/html")) {
      if (!documented.content?.["text/html"]) problems.push("answered HTML, documented none");
    } else if (text !== "" || documented.content) {
      problems.push(`answered ${type || "no content type"} (${text.length} bytes), documented otherwise`);
    }
    answered.push({ key: `${op} ${response.status}`, status: response.status, problems });
    return { status: response.status, json, problems };
  }

  it("answers every call of the scenario as documented, each body valid against its schema", async () => {
    for (const [n, c] of CALLS.entries()) {
      await c.before?.(s);
      const params = c.params?.(s) ?? {};
      const token = c.token?.(s);
      const body = c.body?.(s);
      const apiKey = c.apiKey?.(s);
      if (!firstCall.has(c.op)) firstCall.set(c.op, { params, token, body, apiKey });
      const result = await call(c.op, {
        params,
        query: c.query?.(s),
        body,
        token,
        apiKey,
        headers: c.headers,
      });
      const label = `call ${n}: ${c.op} (${JSON.stringify(params)})`;
      expect(result.problems, label).toEqual([]);
      expect(result.status, `${label}: ${JSON.stringify(result.json)?.slice(0, 400)}`).toBe(c.status);
      await c.after?.(result.json as never, s);
    }
  });

  it("answers 401 without credentials, and 413, 415 and 400 to bad bodies, as documented on every operation", async () => {
    const big = JSON.stringify({ padding: "x".repeat(1024 * 1024 + 1) });
    for (const [op, { method, operation }] of byId) {
      const first = firstCall.get(op) ?? { params: {} };
      const request = { params: first.params, token: first.token, apiKey: first.apiKey };
      if (JSON.stringify(operation.security ?? []) !== "[]") {
        // With the body of its first call: a request is validated before its credentials are read.
        const r = await call(op, { ...request, body: first.body, credentials: false });
        expect([r.status, r.problems], `${op} without credentials`).toEqual([401, []]);
      }
      if (method === "get") continue;
      const tooLarge = await call(op, { ...request, rawBody: big });
      expect([tooLarge.status, tooLarge.problems], `${op} with 1 MiB`).toEqual([413, []]);
      if (!operation.requestBody) continue;
      const notJson = await call(op, {
        ...request,
        rawBody: "a=1",
        headers: { "content-type": "text/plain" },
      });
      expect([notJson.status, notJson.problems], `${op} with text/plain`).toEqual([415, []]);
      const broken = await call(op, { ...request, rawBody: '{"a":' });
      expect([broken.status, broken.problems], `${op} with broken JSON`).toEqual([400, []]);
    }
  });

  it("left no operation of the document without a successful call", () => {
    const succeeded = new Set(
      answered.filter((a) => a.status >= 200 && a.status < 300).map((a) => a.key.split(" ")[0]),
    );
    expect([...byId.keys()].filter((op) => !succeeded.has(op))).toEqual([]);
    expect(CALLS.filter((c) => !byId.has(c.op)).map((c) => c.op)).toEqual([]);
  });

  it("emitted every webhook event type, each one parsed by the SDK's schema without losing a key", async () => {
    const events: Array<{ id: string; type: string; created_at: string; data: unknown }> = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await s.t.request("GET", `/v1/events?limit=200${cursor ? `&cursor=${cursor}` : ""}`)
      ).json()) as { data: typeof events; next_cursor: string | null };
      events.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    const types = new Set<string>();
    for (const entry of events) {
      // The body of its webhook deliveries (the log entry adds `integration_id`).
      const event = { id: entry.id, type: entry.type, created_at: entry.created_at, data: entry.data };
      const { type } = event;
      types.add(type);
      const parsed = WebhookEventSchema.safeParse(event);
      expect(parsed.error, type).toBeUndefined();
      // Nothing stripped (a key the schema lacks) and nothing added (a default).
      expect(parsed.data, type).toStrictEqual(event);
    }
    expect([...types].sort()).toEqual([...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE].sort());
  });
});
