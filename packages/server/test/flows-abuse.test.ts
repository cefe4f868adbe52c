import type { ConnectFlow } from "@relink/sdk/contract";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HOSTED_PAGE_CSP } from "../src/connect/pages.ts";
import { WIDGET_VERSION } from "../src/connect/widget.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { signFlowToken } from "../src/flow-tokens/verify.ts";
import { router } from "../src/http/openapi.ts";
import { hostedPageRoutes } from "../src/routes/hosted-page.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, startFlowWorld } from "./flows-support.ts";

const APP = "https://app.example.com";
const EVIL = "https://evil.example";

interface Abuse {
  t: TestRelink;
  tool: ReturnType<typeof scriptedConnector>;
  integrationId: string;
  link(body?: Record<string, unknown>): Promise<{ token: string; id: string; expires_at: string }>;
  submit(token: string, apiKey: string, headers?: Record<string, string>): Promise<Response>;
  events(type: string): Promise<Array<{ data: Record<string, unknown> }>>;
}

const opened: TestRelink[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
});

async function abuse(): Promise<Abuse> {
  const tool = scriptedConnector();
  tool.setKey("A", { permissions: ["employees:read"] });
  const t = await createTestRelink({ connectors: [tool.connector] });
  opened.push(t);
  const sc = await t.request("POST", "/v1/scope-configs", {
    body: { name: "S1", category: "HRIS", is_default: true, models: S1_MODELS },
  });
  expect(sc.status).toBe(201);
  const imported = await t.request("POST", "/v1/integrations", {
    body: {
      tool: "scripted",
      end_user: { origin_id: "acme-1", organization_name: "Acme" },
      credentials: { api_key: "A" },
    },
  });
  const integrationId = ((await imported.json()) as { id: string }).id;
  return {
    t,
    tool,
    integrationId,
    async link(body = {}) {
      const r = await t.request("POST", `/v1/integrations/${integrationId}/relink`, { body });
      expect(r.status, await r.clone().text()).toBe(201);
      return (await r.json()) as { token: string; id: string; expires_at: string };
    },
    submit: (token, apiKey, headers) =>
      t.request("POST", "/connect/v1/credentials", {
        key: token,
        body: { values: { api_key: apiKey } },
        headers,
      }),
    events: (type) =>
      t.server.ctx.db.selectFrom("events").select("data").where("type", "=", type).orderBy("seq").execute(),
  };
}

const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

describe("CORS and allowed origins", () => {
  it("sets, normalises and validates the workspace's allowed origins", async () => {
    const { t } = await abuse();
    expect(await (await t.request("GET", "/v1/settings/allowed-origins")).json()).toEqual({
      allowed_origins: [],
    });
    const put = await t.request("PUT", "/v1/settings/allowed-origins", {
      body: { allowed_origins: [APP, "http://localhost:3000/", APP] },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ allowed_origins: [APP, "http://localhost:3000"] });
    for (const bad of [`${APP}/path`, "*", "https://*.example.com", "ftp://x.example", "app.example.com"]) {
      const r = await t.request("PUT", "/v1/settings/allowed-origins", { body: { allowed_origins: [bad] } });
      expect(r.status, bad).toBe(400);
      expect(await code(r)).toBe("INVALID_REQUEST");
    }
  });

  it("answers preflights for configured origins only, and actual requests for the token's workspace only", async () => {
    const w = await abuse();
    const { t } = w;
    await t.request("PUT", "/v1/settings/allowed-origins", { body: { allowed_origins: [APP] } });
    const other = await createWorkspace(t.server.ctx, "Other");
    await t.request("PUT", "/v1/settings/allowed-origins", {
      key: other.apiKey.key,
      body: { allowed_origins: ["https://other.example"] },
    });
    const preflight = (origin: string) =>
      t.request("OPTIONS", "/connect/v1/credentials", {
        key: null,
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });

    const ok = await preflight(APP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
    const refused = await preflight(EVIL);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();

    const { token } = await w.link();
    const flow = (origin: string) =>
      t.request("GET", "/connect/v1/flow", { key: token, headers: { origin } });

    const allowed = await flow(APP);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(APP);
    expect(allowed.headers.get("vary")).toBe("Origin");

    // Without an Origin (a server, a same-origin page): nothing to allow, the answer still varies by
    // Origin, found or refused.
    const plain = await t.request("GET", "/connect/v1/flow", { key: token });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("vary")).toBe("Origin");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    for (const refusal of [
      await t.request("GET", "/connect/v1/flow", { key: null }),
      await t.request("GET", "/connect/v1/tools", { key: "not-a-token" }),
      await t.request("DELETE", "/connect/v1/flow", { key: token }),
    ]) {
      expect(refusal.status).toBeGreaterThanOrEqual(400);
      expect(refusal.headers.get("vary")).toBe("Origin");
      expect(refusal.headers.get("access-control-allow-origin")).toBeNull();
    }

    // Refused before anything happens; the refusal itself is not readable by a stranger.
    const evil = await flow(EVIL);
    expect(evil.status).toBe(403);
    expect(await code(evil)).toBe("ORIGIN_NOT_ALLOWED");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const evilSubmit = await w.submit(token, "A", { origin: EVIL });
    expect(evilSubmit.status).toBe(403);

    // Another workspace's origin passes the preflight but not this workspace's check; it may read the error.
    const foreign = await flow("https://other.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBe("https://other.example");

    // The server's own origin (the hosted page) is always allowed; no Origin (server to server) too.
    expect((await flow("http://127.0.0.1:8787")).status).toBe(200);
    expect((await t.request("GET", "/connect/v1/flow", { key: token })).status).toBe(200);

    // A refused token is readable by a configured origin, so the widget can say why.
    const expired = await t.request("GET", "/connect/v1/flow", {
      key: "not.a.token",
      headers: { origin: APP },
    });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("access-control-allow-origin")).toBe(APP);

    // The management API answers no CORS at all.
    const management = await t.request("OPTIONS", "/v1/integrations", {
      key: null,
      headers: { origin: APP, "access-control-request-method": "GET" },
    });
    expect(management.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("limits", () => {
  it("limits submissions per token (429 with Retry-After), for that token only, for a window", async () => {
    const w = await abuse();
    const { token } = await w.link();
    for (let i = 0; i < 10; i++) expect((await w.submit(token, "wrong")).status).toBe(422);
    const limited = await w.submit(token, "wrong");
    expect(limited.status).toBe(429);
    expect(await code(limited)).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(600);
    const other = await w.link();
    expect((await w.submit(other.token, "wrong")).status).toBe(422);
    w.t.clock.advance(10 * 60_000);
    expect((await w.submit(token, "wrong")).status).toBe(422);
  });

  it("refuses connect bodies over 64 KiB", async () => {
    const w = await abuse();
    const { token } = await w.link();
    const r = await w.t.request("POST", "/connect/v1/credentials", {
      key: token,
      rawBody: JSON.stringify({ values: { api_key: "x".repeat(70 * 1024) } }),
    });
    expect(r.status).toBe(413);
    expect(await code(r)).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("failed flows", () => {
  it("announces an exit once per token, logs every one, and marks the link", async () => {
    const w = await abuse();
    const link = await w.link();
    for (let i = 0; i < 2; i++) {
      const r = await w.t.request("POST", "/connect/v1/exit", {
        key: link.token,
        body: { step: "credentials", reason: "closed" },
      });
      expect(r.status).toBe(204);
    }
    const events = await w.events("connection-flow-failed");
    expect(events).toEqual([
      {
        data: {
          flow: "relink",
          integration_id: w.integrationId,
          tool: "scripted",
          end_user: { origin_id: "acme-1", organization_name: "Acme", email: null },
          reason: "USER_EXITED",
          step: "credentials",
          detail: "closed",
        },
      },
    ]);
    expect(w.t.logs.filter((l) => l.msg === "connection flow failed")).toHaveLength(2);
    const links = await w.t.request("GET", `/v1/integrations/${w.integrationId}/relink-links`);
    const [listed] = ((await links.json()) as { data: Array<{ exited_at: string | null; status: string }> })
      .data;
    expect(listed).toMatchObject({ status: "OUTSTANDING", exited_at: w.t.clock.now().toISOString() });
  });

  it("announces an expired token once, and a used one once, but not an exit after completion", async () => {
    const w = await abuse();
    const expiring = await w.link({ expires_in: 60 });
    w.t.clock.advance(5 * 60_000);
    for (let i = 0; i < 3; i++) {
      const r = await w.t.request("GET", "/connect/v1/flow", { key: expiring.token });
      expect(r.status).toBe(401);
      expect(await code(r)).toBe("TOKEN_EXPIRED");
    }
    expect((await w.events("connection-flow-failed")).map((e) => e.data.reason)).toEqual(["TOKEN_EXPIRED"]);

    const used = await w.link();
    expect((await w.submit(used.token, "A")).status).toBe(200);
    const exit = await w.t.request("POST", "/connect/v1/exit", {
      key: used.token,
      body: { step: "success", reason: "closed" },
    });
    expect(exit.status).toBe(204);
    expect((await w.events("connection-flow-failed")).map((e) => e.data.reason)).toEqual(["TOKEN_EXPIRED"]);
    // A used token's flow completed (integration-relinked was announced): presenting it again is
    // refused but is not a failed flow.
    for (let i = 0; i < 2; i++) {
      expect((await w.t.request("GET", "/connect/v1/flow", { key: used.token })).status).toBe(409);
    }
    expect((await w.events("connection-flow-failed")).map((e) => e.data.reason)).toEqual(["TOKEN_EXPIRED"]);
    expect(await w.events("integration-relinked")).toHaveLength(1);

    // A tampered token makes no event.
    const [h, p] = expiring.token.split(".");
    const forged = await w.t.request("GET", "/connect/v1/flow", { key: `${h}.${p}.AAAA` });
    expect(forged.status).toBe(401);
    expect(await w.events("connection-flow-failed")).toHaveLength(1);
  });
});

describe("relink links", () => {
  it("defaults to 1 hour for EMBEDDED, honours expires_in up to 30 days, and checks the scope", async () => {
    const w = await abuse();
    const now = w.t.clock.now().getTime();
    const embedded = await w.link();
    expect(Date.parse(embedded.expires_at) - now).toBe(3_600_000);
    const short = await w.link({ expires_in: 120, link_type: "MAGIC_LINK" });
    expect(Date.parse(short.expires_at) - now).toBe(120_000);
    const month = await w.link({ expires_in: "30d", link_type: "MAGIC_LINK" });
    expect(Date.parse(month.expires_at) - now).toBe(30 * 86_400_000);
    expect((await w.t.request("GET", "/connect/v1/flow", { key: month.token })).status).toBe(200);
    for (const expires_in of ["31d", 30 * 86_400 + 1, 10]) {
      const r = await w.t.request("POST", `/v1/integrations/${w.integrationId}/relink`, {
        body: { expires_in },
      });
      expect(r.status, String(expires_in)).toBe(400);
    }
    const other = await createWorkspace(w.t.server.ctx, "Other");
    const theirScope = await w.t.request("POST", "/v1/scope-configs", {
      key: other.apiKey.key,
      body: { name: "Theirs", category: "HRIS", models: S1_MODELS },
    });
    const theirs = ((await theirScope.json()) as { id: string }).id;
    const foreign = await w.t.request("POST", `/v1/integrations/${w.integrationId}/relink`, {
      body: { scope_config_id: theirs },
    });
    expect(foreign.status).toBe(404);
    const notMine = await w.t.request("POST", `/v1/integrations/${w.integrationId}/relink`, {
      key: other.apiKey.key,
      body: {},
    });
    expect(notMine.status).toBe(404);

    const listed = await w.t.request("GET", `/v1/integrations/${w.integrationId}/relink-links?limit=2`);
    const page = (await listed.json()) as { data: Array<{ id: string }>; next_cursor: string | null };
    expect(page.data.map((l) => l.id)).toEqual([month.id, short.id]);
    expect(page.next_cursor).not.toBeNull();
  });
});

describe("connect flows", () => {
  it("lets the end user pick a tool, opt out of optional parts, and creates the integration", async () => {
    const w = await abuse();
    const optional = await w.t.request("POST", "/v1/scope-configs", {
      body: {
        name: "With optional time off",
        category: "HRIS",
        models: { ...S1_MODELS, time_off_requests: { setting: "OPTIONAL" } },
      },
    });
    const scopeId = ((await optional.json()) as { id: string }).id;
    const { token } = await signFlowToken(w.t.server.ctx, {
      workspaceId: w.t.workspaceId,
      claims: {
        flow: "connect",
        scope_config_id: scopeId,
        end_user: { origin_id: "n-1", organization_name: "New Co" },
      },
      lifetime: 3600,
    });
    const tools = await w.t.request("GET", "/connect/v1/tools", { key: token });
    expect(((await tools.json()) as { data: Array<{ id: string }> }).data.map((x) => x.id)).toEqual([
      "scripted",
    ]);
    const unchosen = (await (
      await w.t.request("GET", "/connect/v1/flow", { key: token })
    ).json()) as ConnectFlow;
    expect(unchosen).toMatchObject({
      tool: null,
      required_permissions: [],
      target_scope_config: { id: scopeId },
    });
    const chosen = (await (
      await w.t.request("GET", "/connect/v1/flow?tool=scripted", { key: token })
    ).json()) as ConnectFlow;
    expect(chosen.optional_parts).toEqual([
      { id: "time_off_requests", label: "Time-off requests", permission: "time_off:read" },
    ]);
    expect(chosen.required_permissions.map((p) => [p.id, p.optional])).toEqual([
      ["employees:read", false],
      ["time_off:read", true],
    ]);

    const submit = (body: Record<string, unknown>) =>
      w.t.request("POST", "/connect/v1/credentials", { key: token, body });
    expect((await submit({ values: { api_key: "A" } })).status).toBe(400); // no tool chosen
    const missing = await submit({ tool: "scripted", values: { api_key: "A" } });
    expect(await code(missing)).toBe("PERMISSIONS_MISSING");
    expect(
      (await submit({ tool: "scripted", values: { api_key: "A" }, opted_out: ["employees"] })).status,
    ).toBe(400);
    const done = await submit({
      tool: "scripted",
      values: { api_key: "A" },
      opted_out: ["time_off_requests"],
    });
    expect(done.status).toBe(200);
    const completed = (await done.json()) as { integration_id: string; flow: string };
    expect(completed.flow).toBe("connect");
    const created = await w.t.request("GET", `/v1/integrations/${completed.integration_id}`);
    expect(await created.json()).toMatchObject({
      state: "ACTIVE",
      scope_config_id: scopeId,
      missing_permissions: [],
      end_user: { origin_id: "n-1", organization_name: "New Co" },
    });
    expect((await w.events("integration-created")).map((e) => e.data.id)).toContain(completed.integration_id);
  });
});

describe("hosted page", () => {
  it("serves the flow full-page under a strict CSP, with no inline script", async () => {
    const { t } = await abuse();
    const page = await t.request("GET", "/link", { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    expect(HOSTED_PAGE_CSP).toBe(page.headers.get("content-security-policy"));
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin-allow-popups");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    // The versioned URL, cached immutably (it was `/widget/relink-widget.js` before versioning).
    expect(html).toContain(
      `<script type="module" src="/widget/v${WIDGET_VERSION}/relink-widget.js"></script>`,
    );
    expect(html).toContain('<script type="module" src="/link.js"></script>');
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();

    const script = await t.request("GET", "/link.js", { key: null });
    expect(script.headers.get("content-type")).toContain("javascript");
    const source = await script.text();
    expect(source).toContain("history.replaceState");
    expect(source).toContain('setAttribute("mode", "inline")');

    const widget = await t.request("GET", "/widget/relink-widget.js", { key: null });
    expect(widget.status).toBe(200);
    expect(widget.headers.get("content-type")).toContain("javascript");

    // The other languages are chunks next to the widget, served by file name only.
    const chunk = /locales\/(de-[\w-]+\.js)/.exec(await widget.text())?.[1];
    expect(chunk).toBeTruthy();
    const german = await t.request("GET", `/widget/locales/${chunk}`, { key: null });
    expect(german.status).toBe(200);
    expect(german.headers.get("content-type")).toContain("javascript");
    for (const hostile of ["..%2F..%2Fpackage.json", "%2e%2e", "de.json", "de-x.js%00.png"]) {
      expect((await t.request("GET", `/widget/locales/${hostile}`, { key: null })).status, hostile).toBe(404);
    }
  });

  it("says to build the widget when it is missing", async () => {
    const { t } = await abuse();
    const app = router();
    app.route("/", hostedPageRoutes(t.server.ctx, { widgetFile: "/nonexistent/relink-widget.js" }));
    const page = await app.request("/link");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("pnpm --filter @relink/widget build");
    expect((await app.request("/widget/relink-widget.js")).status).toBe(503);
  });
});

describe("per-IP limit behind a proxy", () => {
  it("counts by the address the trusted proxy forwarded (RELINK_TRUST_PROXY)", async () => {
    const t = await createTestRelink({ config: { trustProxy: true } });
    opened.push(t);
    const submit = (ip: string) =>
      t.request("POST", "/connect/v1/credentials", {
        key: "bad.token.x",
        body: { values: {} },
        headers: { "x-forwarded-for": `203.0.113.9, ${ip}` },
      });
    for (let i = 0; i < 60; i++) expect((await submit("198.51.100.1")).status).toBe(401);
    expect((await submit("198.51.100.1")).status).toBe(429);
    expect((await submit("198.51.100.2")).status).toBe(401);
  });
});

describe("per-IP limit over HTTP", () => {
  let w: FlowWorld;
  beforeAll(async () => {
    w = await startFlowWorld();
  });
  afterAll(() => w?.close());

  it("limits submissions from one address, whatever the token", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 61; i++) {
      last = await w.connect("POST", "/connect/v1/credentials", `bad-token-${i}`, {
        values: { api_key: "x" },
      });
      if (i < 60) expect(last.status).toBe(401);
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
