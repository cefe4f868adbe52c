import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { generateEncryptionKey, scriptedConnector } from "@relink/server/testing";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type {
  Branding,
  ErrorCode,
  Integration,
  Page,
  RelinkLink,
  ScopeConfig,
  SigningKeyCreated,
} from "../src/contract/index.ts";
import {
  type PageRequest,
  RelinkApiError,
  type RelinkApiErrorCode,
  RelinkClient,
  RelinkConnectionError,
  type RelinkLinkCreated,
} from "../src/index.ts";

const END_USER = { origin_id: "org-1", organization_name: "Acme" };

async function apiError(promise: Promise<unknown>): Promise<RelinkApiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a RelinkApiError");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RelinkApiError);
  return error as RelinkApiError;
}

describe("RelinkClient against a real server on a local port", () => {
  let running: RunningServer;
  let relink: RelinkClient;
  let apiKey: string;
  const tool = scriptedConnector();

  beforeAll(async () => {
    tool.setKey("good");
    tool.setKey("rejected", { outcome: "AUTH_FAILED" });
    running = await startServer({
      config: defineConfig({
        port: 0,
        databaseUrl: "sqlite::memory:",
        encryptionKey: generateEncryptionKey(),
        runWorkers: false,
        logLevel: "silent",
        allowPrivateWebhookUrls: true,
        allowHttpWebhookUrls: true,
      }),
      connectors: [tool.connector],
    });
    apiKey = (await createWorkspace(running.relink.ctx)).apiKey.key;
    relink = new RelinkClient({ baseUrl: running.url, apiKey });
  });
  afterAll(() => running.close());

  it("reads the tool catalog", async () => {
    const tools = await relink.tools.list();
    expect(tools.map((t) => t.id)).toEqual(["scripted"]);
    const one = await relink.tools.get("scripted");
    expect(one.auth.fields[0]?.id).toBe("api_key");
    const missing = await apiError(relink.tools.get("nope"));
    expect(missing).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(missing.requestId).toMatch(/^req_/);
  });

  it("manages scope configs and iterates every page", async () => {
    const created: ScopeConfig[] = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await relink.scopeConfigs.create({
          name: `Config ${i}`,
          category: "HRIS",
          models: { employees: { setting: "ENABLED", fields: { salary: "DISABLED" } } },
        }),
      );
    }
    const first = await relink.scopeConfigs.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));

    const all: string[] = [];
    for await (const config of relink.scopeConfigs.list({ limit: 2 })) all.push(config.id);
    expect(all).toEqual(created.map((c) => c.id).reverse());

    const pages: number[] = [];
    for await (const page of relink.scopeConfigs.list({ limit: 2 }).pages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 2, 1]);

    // Starting from a cursor continues where it left off.
    const rest: string[] = [];
    for await (const config of relink.scopeConfigs.list({ limit: 2, cursor: first.next_cursor! }))
      rest.push(config.id);
    expect(rest).toEqual(all.slice(2));

    const id = created[0]!.id;
    expect((await relink.scopeConfigs.get(id)).name).toBe("Config 0");
    expect((await relink.scopeConfigs.update(id, { name: "Renamed", is_default: true })).is_default).toBe(
      true,
    );
    await relink.scopeConfigs.delete(id);
    expect((await apiError(relink.scopeConfigs.get(id))).code).toBe("NOT_FOUND");
  });

  it("maps validation and catalog refusals to RelinkApiError with details", async () => {
    const invalid = await apiError(relink.scopeConfigs.create({ name: "", category: "HRIS", models: {} }));
    expect(invalid).toMatchObject({ status: 400, code: "INVALID_REQUEST" });
    expect((invalid.details as { issues: Array<{ path: string }> }).issues[0]?.path).toBe("body.name");
    const unknownModel = await apiError(
      relink.scopeConfigs.create({
        name: "x",
        category: "HRIS",
        models: { payroll: { setting: "ENABLED" } },
      }),
    );
    expect(unknownModel).toMatchObject({ status: 422, code: "SCOPE_CONFIG_INVALID" });
    expect(unknownModel.message).toContain("payroll");
  });

  it("imports, reads, filters, disables and deletes integrations", async () => {
    const integration = await relink.integrations.create({
      tool: "scripted",
      end_user: END_USER,
      credentials: { api_key: "good" },
    });
    expect(integration).toMatchObject({
      tool: "scripted",
      state: "ACTIVE",
      end_user: { origin_id: "org-1" },
    });
    expect((await relink.integrations.get(integration.id)).id).toBe(integration.id);

    const refused = await apiError(
      relink.integrations.create({
        tool: "scripted",
        end_user: END_USER,
        credentials: { api_key: "rejected" },
      }),
    );
    expect(refused).toMatchObject({ status: 422, code: "CREDENTIALS_INVALID" });

    const found: Integration[] = [];
    for await (const i of relink.integrations.list({ end_user_origin_id: "org-1", state: "ACTIVE" }))
      found.push(i);
    expect(found.map((i) => i.id)).toEqual([integration.id]);
    expect((await relink.integrations.list({ state: "INVALID" })).data).toEqual([]);

    expect((await relink.integrations.setEnabled(integration.id, false)).state).toBe("INACTIVE");
    expect((await relink.integrations.setEnabled(integration.id, true)).state).toBe("ACTIVE");

    await relink.integrations.delete(integration.id);
    expect((await apiError(relink.integrations.get(integration.id))).status).toBe(404);
  });

  it("reads the counts per state and when integrations were paused, as the dashboard does", async () => {
    const integration = await relink.integrations.create({
      tool: "scripted",
      end_user: { origin_id: "org-stats", organization_name: "Stats" },
      credentials: { api_key: "good" },
    });
    const stats = await relink.integrations.stats();
    expect(stats).toMatchObject({ ACTIVE: expect.any(Number), INVALID: 0, failing: 0 });
    expect(stats.total).toBe(stats.ACTIVE + stats.INVALID + stats.INACTIVE);
    expect(stats.ACTIVE).toBeGreaterThanOrEqual(1);
    // Not paused: nothing to say about it.
    expect(await relink.integrations.pauses([integration.id])).toEqual({ data: [] });
    const refused = await apiError(relink.integrations.pauses(["nope"]));
    expect(refused).toMatchObject({ status: 400, code: "INVALID_REQUEST" });
    await relink.integrations.delete(integration.id);
  });

  it("previews, starts and lists the relink campaigns of a scope config", async () => {
    const config = await relink.scopeConfigs.create({
      name: "Campaign source",
      category: "HRIS",
      models: { employees: { setting: "ENABLED" } },
    });
    expect(await relink.scopeConfigs.relinkCampaigns.list(config.id)).toEqual([]);
    const preview = await relink.scopeConfigs.relinkCampaigns.preview(config.id, {});
    expect(preview).toMatchObject({ source_scope_config_id: config.id, integrations: 0, affected: 0 });
    const campaign = await relink.scopeConfigs.relinkCampaigns.create(config.id, {});
    expect(campaign.progress).toMatchObject({ total: 0 });
    expect((await relink.scopeConfigs.relinkCampaigns.list(config.id)).map((c) => c.id)).toEqual([
      campaign.id,
    ]);
    const missing = await apiError(relink.scopeConfigs.relinkCampaigns.list("sc_01jd5x3m9k2q8r7t6y5w4v3u2s"));
    expect(missing.status).toBe(404);
  });

  it("queues syncs, checks auth, and reads both histories", async () => {
    const integration = await relink.integrations.create({
      tool: "scripted",
      end_user: { origin_id: "org-2", organization_name: "Globex" },
      credentials: { api_key: "good" },
    });
    const sync = await relink.integrations.sync(integration.id);
    expect(sync.sync_id).toMatch(/^sync_/);
    expect(typeof sync.already_queued).toBe("boolean");
    const check = await relink.integrations.checkAuth(integration.id);
    expect(check.outcome).toBe("OK");
    expect(check.integration.id).toBe(integration.id);

    const runs = await relink.integrations.syncs(integration.id, { limit: 10 });
    expect(runs.data.map((r) => r.id)).toContain(sync.sync_id);
    const checks: string[] = [];
    for await (const c of relink.integrations.authChecks(integration.id)) checks.push(c.outcome);
    expect(checks).toContain("OK");
  });

  it("makes relink links, lists them without tokens, and sets the allowed origins", async () => {
    const integration = await relink.integrations.create({
      tool: "scripted",
      end_user: END_USER,
      credentials: { api_key: "good" },
    });
    const made = await relink.integrations.relink(integration.id, {
      link_type: "MAGIC_LINK",
      language: "de",
    });
    expect(made.link).toContain("/link#token=");
    expect(made.token.split(".")).toHaveLength(3);
    expectTypeOf(made).toEqualTypeOf<RelinkLinkCreated>();
    const links = await relink.integrations.relinkLinks(integration.id, { status: "OUTSTANDING" });
    expect(links.data.map((l) => l.id)).toEqual([made.id]);
    expect(JSON.stringify(links)).not.toContain(made.token);
    const refused = await apiError(relink.integrations.relink(integration.id, { expires_in: "90d" }));
    expect(refused.code).toBe("INVALID_REQUEST");
    expect((await apiError(relink.integrations.relink("int_00000000000000000000000000"))).status).toBe(404);

    expect(
      await relink.settings.setAllowedOrigins({ allowed_origins: ["https://app.example.com/"] }),
    ).toEqual({
      allowed_origins: ["https://app.example.com"],
    });
    expect((await relink.settings.getAllowedOrigins()).allowed_origins).toEqual(["https://app.example.com"]);
    const bad = await apiError(relink.settings.setAllowedOrigins({ allowed_origins: ["not an origin"] }));
    expect(bad.code).toBe("INVALID_REQUEST");
  });

  it("revokes a relink link with integrations.relinkLinks.revoke, idempotently", async () => {
    const integration = await relink.integrations.create({
      tool: "scripted",
      end_user: { origin_id: "org-revoke", organization_name: "Acme" },
      credentials: { api_key: "good" },
    });
    const made = await relink.integrations.relink(integration.id, { link_type: "MAGIC_LINK" });
    const revoked = await relink.integrations.relinkLinks.revoke(integration.id, made.id);
    expectTypeOf(revoked).toEqualTypeOf<RelinkLink>();
    expect(revoked).toMatchObject({ id: made.id, status: "REVOKED" });
    expect(revoked.revoked_at).not.toBeNull();
    expect(await relink.integrations.relinkLinks.revoke(integration.id, made.id)).toEqual(revoked);
    const listed = await relink.integrations.relinkLinks(integration.id, { status: "REVOKED" });
    expect(listed.data.map((l) => l.id)).toEqual([made.id]);
    const gone = await fetch(`${running.url}/connect/v1/flow`, {
      headers: { authorization: `Bearer ${made.token}` },
    });
    expect(gone.status).toBe(410);
    const missing = await apiError(
      relink.integrations.relinkLinks.revoke(integration.id, "lnk_00000000000000000000000000"),
    );
    expect(missing.status).toBe(404);
  });

  it("sets, reads and validates the workspace's branding", async () => {
    const set = await relink.settings.setBranding({
      product_name: "  Acme Payroll ",
      logo_url: "https://cdn.acme.example/logo.png",
      accent_color: "#0F766E",
    });
    expectTypeOf(set).toEqualTypeOf<Branding>();
    expect(set).toEqual({
      product_name: "Acme Payroll",
      logo_url: "https://cdn.acme.example/logo.png",
      accent_color: "#0f766e",
    });
    expect(await relink.settings.getBranding()).toEqual(set);
    const bad = await apiError(relink.settings.setBranding({ logo_url: "http://cdn.acme.example/logo.png" }));
    expect(bad.code).toBe("INVALID_REQUEST");
    expect(await relink.settings.setBranding({})).toEqual({
      product_name: null,
      logo_url: null,
      accent_color: null,
    });
  });

  it("creates, lists and revokes signing keys, the HS256 secret typed as present", async () => {
    const hmac = await relink.signingKeys.create({ algorithm: "HS256" });
    expect(hmac.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { publicKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    const jwk = await crypto.subtle.exportKey("jwk", publicKey);
    const ed = await relink.signingKeys.create({
      algorithm: "EdDSA",
      public_jwk: { kty: "OKP", crv: "Ed25519", x: jwk.x! },
    });
    expect(ed.public_jwk).toEqual({ kty: "OKP", crv: "Ed25519", x: jwk.x });

    const ids: string[] = [];
    for await (const key of relink.signingKeys.list({ limit: 1 })) ids.push(key.id);
    expect(ids).toEqual([ed.id, hmac.id]);

    await relink.signingKeys.revoke(hmac.id);
    expect((await apiError(relink.signingKeys.revoke(hmac.id))).code).toBe("NOT_FOUND");
    const privateJwk = await apiError(
      relink.signingKeys.create({ algorithm: "EdDSA", public_jwk: { ...jwk, d: "secret" } as never }),
    );
    expect(privateJwk).toMatchObject({ status: 400, code: "INVALID_REQUEST" });
  });

  it("creates, lists and revokes API keys, and maps 401 and 409", async () => {
    const created = await relink.apiKeys.create({ name: "second" });
    expect(created.key).toMatch(/^rlk_/);
    const names: string[] = [];
    for await (const key of relink.apiKeys.list()) names.push(key.name);
    expect(names).toContain("second");

    const other = new RelinkClient({ baseUrl: running.url, apiKey: created.key });
    expect((await other.tools.list()).length).toBe(1);
    await relink.apiKeys.revoke(created.id);
    expect(await apiError(other.tools.list())).toMatchObject({ status: 401, code: "UNAUTHORIZED" });

    const [only] = (await relink.apiKeys.list()).data;
    expect(await apiError(relink.apiKeys.revoke(only!.id))).toMatchObject({
      status: 409,
      code: "LAST_API_KEY",
    });
  });

  it("manages webhook endpoints, deliveries and the event log", async () => {
    const endpoint = await relink.webhookEndpoints.create({
      url: "http://127.0.0.1:9/hooks",
      event_types: ["integration-state-changed"],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed: string[] = [];
    for await (const e of relink.webhookEndpoints.list()) listed.push(e.id);
    expect(listed).toContain(endpoint.id);
    expect((await relink.webhookEndpoints.update(endpoint.id, { description: "ops" })).description).toBe(
      "ops",
    );
    const rotated = await relink.webhookEndpoints.rotateSecret(endpoint.id, { grace_period: "1h" });
    expect(rotated.secret).not.toBe(endpoint.secret);

    const delivery = await relink.webhookEndpoints.test(endpoint.id);
    expect(delivery.endpoint_id).toBe(endpoint.id);
    expect((await relink.webhookDeliveries.get(delivery.id)).id).toBe(delivery.id);
    const deliveries = await relink.webhookDeliveries.list({ endpoint_id: endpoint.id });
    expect(deliveries.data.map((d) => d.id)).toContain(delivery.id);
    expect((await relink.webhookDeliveries.retry(delivery.id)).id).toBe(delivery.id);

    const events = await relink.events.list({ limit: 5 });
    expect(Array.isArray(events.data)).toBe(true);

    await relink.webhookEndpoints.delete(endpoint.id);
    expect((await apiError(relink.webhookEndpoints.delete(endpoint.id))).status).toBe(404);
  });
});

/** A fetch that answers from a script and records what was asked. */
function scriptedFetch(answers: Array<(request: Request) => Response | Promise<Response>>) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
    return answer(request);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}
const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const envelope = (code: string, message = code) => ({ error: { code, message, request_id: "req_test" } });
const emptyPage = { data: [], next_cursor: null };

describe("RelinkClient transport", () => {
  const client = (
    fetch: typeof globalThis.fetch,
    options: { timeoutMs?: number; maxRetries?: number } = {},
  ) => new RelinkClient({ baseUrl: "https://relink.example.com/", apiKey: "rlk_test", fetch, ...options });

  it("sends the API key, JSON bodies and query strings to the documented paths", async () => {
    const link: RelinkLinkCreated = {
      id: "lnk_01jd5x3m9k2q8r7t6y5w4v3u2s",
      link_type: "MAGIC_LINK",
      link: "https://relink.example.com/link#token=t",
      token: "t",
      expires_at: "2026-01-01T00:00:00.000Z",
    };
    const script = scriptedFetch([() => jsonResponse(201, link), () => jsonResponse(200, emptyPage)]);
    const relink = client(script.fetch);
    expect(
      await relink.integrations.relink("int_01jd5x3m9k2q8r7t6y5w4v3u2s", {
        link_type: "MAGIC_LINK",
        language: "de",
      }),
    ).toEqual(link);
    await relink.integrations.list({ state: "INVALID", limit: 10, tool: undefined });
    const [post, get] = script.requests;
    expect(post!.method).toBe("POST");
    expect(post!.url).toBe(
      "https://relink.example.com/v1/integrations/int_01jd5x3m9k2q8r7t6y5w4v3u2s/relink",
    );
    expect(post!.headers.get("authorization")).toBe("Bearer rlk_test");
    expect(post!.headers.get("content-type")).toBe("application/json");
    expect(await post!.json()).toEqual({ link_type: "MAGIC_LINK", language: "de" });
    expect(get!.url).toBe("https://relink.example.com/v1/integrations?state=INVALID&limit=10");
    expect(get!.body).toBeNull();
  });

  it("encodes ids into paths", async () => {
    const script = scriptedFetch([() => jsonResponse(404, envelope("NOT_FOUND"))]);
    await apiError(client(script.fetch).integrations.get("../api-keys?x=1"));
    expect(script.requests[0]!.url).toBe("https://relink.example.com/v1/integrations/..%2Fapi-keys%3Fx%3D1");
  });

  it("retries 429 and 503, honouring Retry-After", async () => {
    const script = scriptedFetch([
      () => jsonResponse(429, envelope("RATE_LIMITED"), { "retry-after": "0" }),
      () =>
        jsonResponse(503, envelope("SERVICE_UNAVAILABLE"), {
          "retry-after": new Date(Date.now() - 1000).toUTCString(),
        }),
      () => jsonResponse(200, { data: [] }),
    ]);
    expect(await client(script.fetch).tools.list()).toEqual([]);
    expect(script.requests).toHaveLength(3);
  });

  it("retries a POST refused with 503 (nothing happened), and gives up after maxRetries", async () => {
    const script = scriptedFetch([
      () => jsonResponse(503, envelope("TOOL_UNREACHABLE"), { "retry-after": "0" }),
    ]);
    const error = await apiError(
      client(script.fetch, { maxRetries: 2 }).integrations.create({
        tool: "t",
        end_user: END_USER,
        credentials: {},
      }),
    );
    expect(error).toMatchObject({ status: 503, code: "TOOL_UNREACHABLE", requestId: "req_test" });
    expect(script.requests).toHaveLength(3);
  });

  it("does not wait for a Retry-After over a minute, nor retry other errors", async () => {
    const slow = scriptedFetch([
      () => jsonResponse(429, envelope("RATE_LIMITED"), { "retry-after": "3600" }),
    ]);
    expect((await apiError(client(slow.fetch).tools.list())).code).toBe("RATE_LIMITED");
    expect(slow.requests).toHaveLength(1);
    const conflict = scriptedFetch([() => jsonResponse(409, envelope("CONFLICT"))]);
    expect((await apiError(client(conflict.fetch).tools.list())).status).toBe(409);
    expect(conflict.requests).toHaveLength(1);
  });

  it("retries network errors for idempotent methods only", async () => {
    let calls = 0;
    const flaky = (async () => {
      calls++;
      if (calls === 1) throw new TypeError("fetch failed");
      return jsonResponse(200, { data: [] });
    }) as typeof fetch;
    expect(await client(flaky).tools.list()).toEqual([]);
    expect(calls).toBe(2);

    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const error = await client(down)
      .apiKeys.create({ name: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelinkConnectionError);
    expect(error).toMatchObject({ code: "NETWORK_ERROR" });
  });

  const hanging = (async (_input: RequestInfo | URL, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    })) as typeof fetch;

  it("times out each attempt", async () => {
    const started = Date.now();
    const error = await client(hanging, { timeoutMs: 50, maxRetries: 0 })
      .tools.list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelinkConnectionError);
    expect(error).toMatchObject({ code: "TIMEOUT" });
    // Far under the 30 s default, so it proves the 50 ms timeout applied; a tighter bound broke on a busy machine.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("cancels through an AbortSignal, also while waiting to retry", async () => {
    const controller = new AbortController();
    const pending = client(hanging).tools.list({ signal: controller.signal });
    controller.abort(new Error("user left"));
    await expect(pending).rejects.toThrow("user left");

    const busy = scriptedFetch([
      () => jsonResponse(503, envelope("SERVICE_UNAVAILABLE"), { "retry-after": "30" }),
    ]);
    const waiting = new AbortController();
    const retrying = client(busy.fetch).tools.list({ signal: waiting.signal });
    setTimeout(() => waiting.abort(new Error("gave up")), 20);
    await expect(retrying).rejects.toThrow("gave up");
    expect(busy.requests).toHaveLength(1);
  });

  it("reports answers that are not relink's", async () => {
    const proxy = scriptedFetch([
      () => new Response("<html>Bad gateway</html>", { status: 502, headers: { "x-request-id": "edge-1" } }),
    ]);
    expect(await apiError(client(proxy.fetch).tools.list())).toMatchObject({
      status: 502,
      code: "UNEXPECTED_RESPONSE",
      requestId: "edge-1",
    });
  });

  it("rejects misuse with TypeErrors", () => {
    expect(() => new RelinkClient({ baseUrl: "relink.example.com", apiKey: "k" })).toThrow(TypeError);
    expect(() => new RelinkClient({ baseUrl: "ftp://relink.example.com", apiKey: "k" })).toThrow(TypeError);
    expect(() => new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: "" })).toThrow(/apiKey/);
    expect(
      () => new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: "k", maxRetries: -1 }),
    ).toThrow(/maxRetries/);
    expect(
      () => new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: "k", timeoutMs: 0 }),
    ).toThrow(/timeoutMs/);
  });
});

describe("RelinkClient types", () => {
  it("pins the public types of the methods", () => {
    const relink = new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: "k" });
    expectTypeOf(relink.integrations.get).returns.resolves.toEqualTypeOf<Integration>();
    expectTypeOf(relink.integrations.list).returns.toEqualTypeOf<PageRequest<Integration>>();
    expectTypeOf<Awaited<PageRequest<Integration>>>().toEqualTypeOf<Page<Integration>>();
    expectTypeOf(relink.integrations.relink).returns.resolves.toEqualTypeOf<RelinkLinkCreated>();
    expectTypeOf(relink.integrations.setEnabled).parameter(1).toEqualTypeOf<boolean>();
    expectTypeOf(relink.integrations.delete).returns.resolves.toBeVoid();
    expectTypeOf(relink.scopeConfigs.create).returns.resolves.toEqualTypeOf<ScopeConfig>();
    expectTypeOf(relink.integrations.list)
      .parameter(0)
      .toExtend<{ state?: "ACTIVE" | "INVALID" | "INACTIVE"; limit?: number; cursor?: string } | undefined>();
    type Hmac = Awaited<ReturnType<typeof relink.signingKeys.create<{ algorithm: "HS256" }>>>;
    expectTypeOf<Hmac["secret"]>().toEqualTypeOf<string>();
    expectTypeOf<Hmac>().toExtend<SigningKeyCreated>();
    type Either = Awaited<
      ReturnType<
        typeof relink.signingKeys.create<{ algorithm: "HS256" } | { algorithm: "ES256"; public_jwk: never }>
      >
    >;
    expectTypeOf<Either>().toEqualTypeOf<SigningKeyCreated>();
    expectTypeOf<RelinkApiError["code"]>().toEqualTypeOf<RelinkApiErrorCode>();
    expectTypeOf<ErrorCode>().toExtend<RelinkApiErrorCode>();
    expectTypeOf<RelinkApiError["requestId"]>().toEqualTypeOf<string | null>();
    // @ts-expect-error an unknown filter is a type error
    void relink.integrations.list({ colour: "red" });
    // @ts-expect-error the state filter is one of the states
    void relink.integrations.list({ state: "PAUSED" });
  });
});
