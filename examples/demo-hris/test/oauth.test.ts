import { describe, expect, it } from "vitest";
import { DEMO_OAUTH_CLIENT, type Permission, type TokenResponse } from "../src/index.ts";
import { readConsentForm } from "./consent-form.ts";
import { bearer, createTestHris, getJson, pkcePair, postForm, postJson } from "./helpers.ts";

type App = ReturnType<typeof createTestHris>["app"];

const REDIRECT_URI = "http://localhost:5173/oauth/callback";
const CLIENT = { client_id: DEMO_OAUTH_CLIENT.client_id, client_secret: DEMO_OAUTH_CLIENT.client_secret };

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params)}`;
}

function authorizationRequest(overrides: Record<string, string> = {}) {
  const pkce = pkcePair();
  const params = {
    response_type: "code",
    client_id: DEMO_OAUTH_CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    scope: "employees:read teams:read",
    state: "st-123",
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    ...overrides,
  };
  return { params, verifier: pkce.verifier };
}

/** Opens the consent page and submits it like a browser; returns the redirect location. */
async function consent(
  app: App,
  params: Record<string, string>,
  choice: { decision?: "approve" | "deny"; company_id?: string; withhold?: Permission[] } = {},
): Promise<URL> {
  const page = await app.request(authorizeUrl(params));
  expect(page.status).toBe(200);
  const form = readConsentForm(await page.text());
  const res = await postForm(app, "/oauth/authorize", {
    ...form.hidden,
    scope: form.scopes.filter((scope) => !choice.withhold?.includes(scope as Permission)),
    company_id: choice.company_id ?? form.selectedCompany ?? "acme",
    decision: choice.decision ?? "approve",
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("Location")!);
}

async function token(app: App, fields: Record<string, string>, headers?: Record<string, string>) {
  const res = await postForm(app, "/oauth/token", fields, headers);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function connect(app: App, overrides: Record<string, string> = {}, company_id = "acme") {
  const { params, verifier } = authorizationRequest(overrides);
  const location = await consent(app, params, { company_id });
  const code = location.searchParams.get("code")!;
  const { status, body } = await token(app, {
    ...CLIENT,
    grant_type: "authorization_code",
    code,
    redirect_uri: params.redirect_uri,
    code_verifier: verifier,
  });
  expect(status).toBe(200);
  return body as unknown as TokenResponse;
}

describe("GET /oauth/authorize", () => {
  it("renders a consent page with the client, permissions, companies and both buttons", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest({ scope: "teams:read employees.personal:read" });
    const res = await app.request(authorizeUrl(params));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/oauth/authorize">');
    expect(html).toContain('<select name="company_id" required>');
    expect(html).toContain('<button name="decision" value="approve">Approve</button>');
    // Deny needs no company: the browser must not ask for one before it sends the refusal.
    expect(html).toContain('<button name="decision" value="deny" formnovalidate>Deny</button>');
    expect(html).toContain(DEMO_OAUTH_CLIENT.name);
    expect(html).toContain("date of birth and home address");
    const form = readConsentForm(html);
    expect(form.scopes).toEqual(["employees.personal:read", "teams:read"]);
    expect(form.companies).toEqual(["acme", "globex"]);
    expect(form.hidden).toEqual({
      response_type: "code",
      client_id: "relink-demo",
      redirect_uri: REDIRECT_URI,
      requested_scope: "employees.personal:read teams:read",
      state: "st-123",
      code_challenge: params.code_challenge,
      code_challenge_method: "S256",
    });
  });

  it("preselects no company unless company_id is given: the user must choose", async () => {
    const { app } = createTestHris();
    const html = await (await app.request(authorizeUrl(authorizationRequest().params))).text();
    expect(readConsentForm(html).selectedCompany).toBeUndefined();
    // The selected option is the empty placeholder, which the required select refuses to submit.
    expect(html).toContain('<option value="" disabled selected>Choose your company…</option>');
    expect(html).not.toMatch(/<option value="[^"]+"[^>]* selected>/);
  });

  it("preselects the company given as company_id", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest({ company_id: "globex" });
    const form = readConsentForm(await (await app.request(authorizeUrl(params))).text());
    expect(form.selectedCompany).toBe("globex");
  });

  it.each(["http://127.0.0.1:1/cb", "http://localhost/cb?x=1", "http://localhost:65000/"])(
    "accepts the loopback redirect_uri %s for the demo client",
    async (redirect_uri) => {
      const { app } = createTestHris();
      const res = await app.request(authorizeUrl(authorizationRequest({ redirect_uri }).params));
      expect(res.status).toBe(200);
    },
  );

  it.each([
    ["an unknown client", { client_id: "nope" }],
    ["a missing redirect_uri", { redirect_uri: "" }],
    ["a non-loopback redirect_uri", { redirect_uri: "http://evil.example/cb" }],
    ["an https loopback redirect_uri", { redirect_uri: "https://localhost/cb" }],
    ["a look-alike host", { redirect_uri: "http://localhost.evil.example/cb" }],
  ])("answers %s with a 400 page and never redirects", async (_case, overrides) => {
    const { app } = createTestHris();
    const res = await app.request(authorizeUrl(authorizationRequest(overrides).params));
    expect(res.status).toBe(400);
    expect(res.headers.get("Location")).toBeNull();
    expect(res.headers.get("Content-Type")).toContain("text/html");
  });

  it.each([
    ["unsupported_response_type", { response_type: "token" }],
    ["invalid_scope", { scope: "employees:write" }],
    ["invalid_scope", { scope: "" }],
    ["invalid_request", { code_challenge: "" }],
    ["invalid_request", { code_challenge: "too-short" }],
    ["invalid_request", { code_challenge_method: "plain" }],
  ])("redirects with error=%s for %j", async (error, overrides) => {
    const { app } = createTestHris();
    const res = await app.request(authorizeUrl(authorizationRequest(overrides).params));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("Location")!);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe(error);
    expect(location.searchParams.get("state")).toBe("st-123");
  });
});

describe("consent page escaping", () => {
  it("escapes a state carrying markup", async () => {
    const { app } = createTestHris();
    const state = `"><script>alert(1)</script>`;
    const res = await app.request(authorizeUrl(authorizationRequest({ state }).params));
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(readConsentForm(html).hidden["state"]).toBe(state);
  });

  it("escapes a client name carrying markup", async () => {
    const { app } = createTestHris();
    const registered = await postJson(app, "/admin/oauth-clients", {
      name: `<script>alert("pwned")</script>`,
      redirect_uris: ["https://app.example/cb"],
    });
    const { client_id } = (await registered.json()) as { client_id: string };
    const res = await app.request(
      authorizeUrl(authorizationRequest({ client_id, redirect_uri: "https://app.example/cb" }).params),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;");
  });
});

describe("POST /oauth/authorize", () => {
  it("approve redirects to redirect_uri with a code and the state", async () => {
    const { app } = createTestHris();
    const location = await consent(app, authorizationRequest().params);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("code")).toMatch(/^dhac_/);
    expect(location.searchParams.get("state")).toBe("st-123");
  });

  it("deny redirects with error=access_denied and the state", async () => {
    const { app, state } = createTestHris();
    const location = await consent(app, authorizationRequest().params, { decision: "deny" });
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("st-123");
    expect(location.searchParams.has("code")).toBe(false);
    expect(state.authorizationCodes.size).toBe(0);
  });

  it("grants only the permissions left checked", async () => {
    const { app } = createTestHris();
    const { params, verifier } = authorizationRequest({
      scope: "employees:read teams:read compensation:read",
    });
    const location = await consent(app, params, { withhold: ["compensation:read"] });
    const { body } = await token(app, {
      ...CLIENT,
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(body["scope"]).toBe("employees:read teams:read");
  });

  it("unchecking every permission is a denial", async () => {
    const { app } = createTestHris();
    const location = await consent(app, authorizationRequest().params, {
      withhold: ["employees:read", "teams:read"],
    });
    expect(location.searchParams.get("error")).toBe("access_denied");
  });

  it("accepts a hand-made post with a space-separated scope", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest();
    const res = await postForm(app, "/oauth/authorize", {
      ...params,
      company_id: "globex",
      decision: "approve",
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("Location")!).searchParams.get("code")).toMatch(/^dhac_/);
  });

  it("refuses an unregistered redirect_uri with a 400 page", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest({ redirect_uri: "https://evil.example/cb" });
    const res = await postForm(app, "/oauth/authorize", {
      ...params,
      company_id: "acme",
      decision: "approve",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("Location")).toBeNull();
  });

  it("redirects with invalid_request for an unknown company", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest();
    const res = await postForm(app, "/oauth/authorize", {
      ...params,
      company_id: "initech",
      decision: "approve",
    });
    expect(new URL(res.headers.get("Location")!).searchParams.get("error")).toBe("invalid_request");
  });
});

describe("POST /oauth/token", () => {
  it("exchanges a code (PKCE S256) for tokens that read the chosen company", async () => {
    const { app } = createTestHris();
    const { params, verifier } = authorizationRequest({ scope: "employees:read employees.personal:read" });
    const location = await consent(app, params, { company_id: "globex" });
    const res = await token(app, {
      ...CLIENT,
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^dhat_/),
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^dhrt_/),
      scope: "employees:read employees.personal:read",
    });
    const accessToken = res.body["access_token"] as string;
    const me = await getJson(app, "/api/me", accessToken);
    expect(me.body).toEqual({
      company: { id: "globex", name: "Globex Inc" },
      permissions: ["employees:read", "employees.personal:read"],
      credential_type: "oauth",
    });
    const employees = await getJson<{ data: Record<string, unknown>[] }>(app, "/api/employees", accessToken);
    expect(employees.body.data[0]).toHaveProperty("home_address");
    expect(employees.body.data[0]).not.toHaveProperty("salary");
    expect(employees.body.data[0]!["id"]).toBe("emp_globex_001");
    expect((await getJson(app, "/api/teams", accessToken)).status).toBe(403);
  });

  it("accepts client credentials with HTTP Basic", async () => {
    const { app } = createTestHris();
    const { params, verifier } = authorizationRequest();
    const location = await consent(app, params);
    const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString("base64");
    const res = await token(
      app,
      {
        grant_type: "authorization_code",
        code: location.searchParams.get("code")!,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { Authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
  });

  it("refuses a wrong code_verifier with invalid_grant", async () => {
    const { app } = createTestHris();
    const { params } = authorizationRequest();
    const location = await consent(app, params);
    const res = await token(app, {
      ...CLIENT,
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkcePair().verifier,
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: "invalid_grant",
      error_description: expect.stringContaining("code_verifier"),
    });
  });

  it("does not spend a code on a failed attempt", async () => {
    const { app } = createTestHris();
    const { params, verifier } = authorizationRequest();
    const code = (await consent(app, params)).searchParams.get("code")!;
    const exchange = { ...CLIENT, grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI };
    expect((await token(app, { ...exchange, code_verifier: pkcePair().verifier })).status).toBe(400);
    expect((await token(app, { ...exchange, code_verifier: verifier })).status).toBe(200);
  });

  it("refuses a replayed code with invalid_grant", async () => {
    const { app } = createTestHris();
    const { params, verifier } = authorizationRequest();
    const location = await consent(app, params);
    const exchange = {
      ...CLIENT,
      grant_type: "authorization_code",
      code: location.searchParams.get("code")!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    };
    expect((await token(app, exchange)).status).toBe(200);
    const replay = await token(app, exchange);
    expect(replay.status).toBe(400);
    expect(replay.body["error"]).toBe("invalid_grant");
  });

  it("binds a code to its redirect_uri, its client and 60 seconds", async () => {
    const { app, clock } = createTestHris();
    const other = (await (
      await postJson(app, "/admin/oauth-clients", {
        name: "Other",
        redirect_uris: ["https://other.example/cb"],
      })
    ).json()) as { client_id: string; client_secret: string };
    const { params, verifier } = authorizationRequest();
    const code = (await consent(app, params)).searchParams.get("code")!;
    const exchange = {
      ...CLIENT,
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    };

    const wrongRedirect = await token(app, { ...exchange, redirect_uri: "http://localhost:5173/other" });
    expect(wrongRedirect.body["error"]).toBe("invalid_grant");
    const wrongClient = await token(app, { ...exchange, ...other });
    expect(wrongClient.body["error"]).toBe("invalid_grant");
    clock.advance(60_000);
    const late = await token(app, exchange);
    expect(late.body).toEqual({
      error: "invalid_grant",
      error_description: expect.stringContaining("expired"),
    });
  });

  it("rotates refresh tokens: the old one becomes invalid_grant", async () => {
    const { app } = createTestHris();
    const first = await connect(app);
    const refresh = (refresh_token: string) =>
      token(app, { ...CLIENT, grant_type: "refresh_token", refresh_token });

    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: first.scope });
    expect(second.body["refresh_token"]).not.toBe(first.refresh_token);
    expect(second.body["access_token"]).not.toBe(first.access_token);
    expect((await getJson(app, "/api/me", second.body["access_token"] as string)).status).toBe(200);

    const reused = await refresh(first.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body["error"]).toBe("invalid_grant");

    const third = await refresh(second.body["refresh_token"] as string);
    expect(third.status).toBe(200);
  });

  it("expires access tokens after expires_in; refreshing gets a working one", async () => {
    const { app, clock } = createTestHris();
    const tokens = await connect(app);
    clock.advance(3_599_999);
    expect((await getJson(app, "/api/me", tokens.access_token)).status).toBe(200);
    clock.advance(1);
    const expired = await getJson<{ error: { code: string; message: string } }>(
      app,
      "/api/me",
      tokens.access_token,
    );
    expect(expired.status).toBe(401);
    expect(expired.body.error).toEqual({ code: "UNAUTHORIZED", message: expect.stringContaining("expired") });
    const refreshed = await token(app, {
      ...CLIENT,
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    expect((await getJson(app, "/api/me", refreshed.body["access_token"] as string)).status).toBe(200);
  });

  it("revoking a company's grants kills its access and refresh tokens only", async () => {
    const { app } = createTestHris();
    const acme = await connect(app, {}, "acme");
    const globex = await connect(app, {}, "globex");
    const res = await postJson(app, "/admin/oauth-grants/revoke", { company_id: "acme" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      company_id: "acme",
      revoked_access_tokens: 1,
      revoked_refresh_tokens: 1,
    });

    expect((await getJson(app, "/api/me", acme.access_token)).status).toBe(401);
    const refresh = await token(app, {
      ...CLIENT,
      grant_type: "refresh_token",
      refresh_token: acme.refresh_token,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.body["error"]).toBe("invalid_grant");

    expect((await getJson(app, "/api/me", globex.access_token)).status).toBe(200);
  });

  it("refuses revoking an unknown company", async () => {
    const { app } = createTestHris();
    expect((await postJson(app, "/admin/oauth-grants/revoke", { company_id: "initech" })).status).toBe(400);
  });

  it.each([
    [
      "invalid_client",
      { ...CLIENT, client_secret: "wrong", grant_type: "refresh_token", refresh_token: "x" },
    ],
    [
      "invalid_client",
      { client_id: "nope", client_secret: "x", grant_type: "refresh_token", refresh_token: "x" },
    ],
    ["invalid_client", { grant_type: "refresh_token", refresh_token: "x" }],
    ["unsupported_grant_type", { ...CLIENT, grant_type: "password" }],
    ["invalid_request", { ...CLIENT }],
    [
      "invalid_request",
      { ...CLIENT, grant_type: "authorization_code", redirect_uri: REDIRECT_URI, code_verifier: "v" },
    ],
    ["invalid_request", { ...CLIENT, grant_type: "refresh_token" }],
    ["invalid_grant", { ...CLIENT, grant_type: "refresh_token", refresh_token: "dhrt_unknown" }],
  ])("answers 400 %s", async (error, fields) => {
    const { app } = createTestHris();
    const res = await token(app, fields);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
  });

  it("refuses a JSON body with invalid_request", async () => {
    const { app } = createTestHris();
    const res = await app.request("/oauth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...CLIENT, grant_type: "refresh_token", refresh_token: "x" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_request" });
  });
});

describe("registered OAuth clients", () => {
  it("registers a client that may only use its exact redirect URIs", async () => {
    const { app } = createTestHris();
    const res = await postJson(app, "/admin/oauth-clients", {
      name: "Partner app",
      redirect_uris: ["https://partner.example/oauth/cb"],
    });
    expect(res.status).toBe(201);
    const client = (await res.json()) as { client_id: string; client_secret: string };
    expect(client).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String) });

    const exact = authorizationRequest({
      client_id: client.client_id,
      redirect_uri: "https://partner.example/oauth/cb",
    });
    expect((await app.request(authorizeUrl(exact.params))).status).toBe(200);
    const loopback = authorizationRequest({ client_id: client.client_id, redirect_uri: REDIRECT_URI });
    expect((await app.request(authorizeUrl(loopback.params))).status).toBe(400);

    const code = (await consent(app, exact.params)).searchParams.get("code")!;
    const tokens = await token(app, {
      client_id: client.client_id,
      client_secret: client.client_secret,
      grant_type: "authorization_code",
      code,
      redirect_uri: "https://partner.example/oauth/cb",
      code_verifier: exact.verifier,
    });
    expect(tokens.status).toBe(200);
    expect((await app.request("/api/teams", bearer(tokens.body["access_token"] as string))).status).toBe(200);
  });

  it.each([
    { name: "", redirect_uris: ["https://a.example/cb"] },
    { name: "x", redirect_uris: [] },
    { name: "x", redirect_uris: ["not a url"] },
    { name: "x", redirect_uris: ["https://a.example/cb#frag"] },
  ])("refuses %j with 400", async (body) => {
    const { app } = createTestHris();
    expect((await postJson(app, "/admin/oauth-clients", body)).status).toBe(400);
  });
});
