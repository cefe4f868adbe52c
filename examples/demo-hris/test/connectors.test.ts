import { createHash, randomBytes } from "node:crypto";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnector, demoHrisOAuthConnector } from "@relink/demo-hris/connectors";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

/** The demo HR system's connectors against the real service over HTTP. */
describe("demo-hris connectors", () => {
  let hris: RunningDemoHris;
  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
  });
  afterAll(() => hris.close());
  beforeEach(async () => {
    await fetch(`${hris.url}/admin/reset`, { method: "POST" });
  });

  const signal = () => AbortSignal.timeout(10_000);
  const issueKey = async (company_id: string, permissions: string[]) => {
    const response = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id, permissions }),
    });
    return ((await response.json()) as { key: string }).key;
  };
  const outage = (status: number | string, duration_ms = 5_000) =>
    fetch(`${hris.url}/admin/outage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status, duration_ms }),
    });

  it("checks, reads permissions and the account, and syncs only the fields asked for", async () => {
    const connector = demoHrisConnector({ baseUrl: hris.url });
    const key = await issueKey("acme", ["employees:read", "teams:read"]);
    const ctx = { credentials: { api_key: key }, signal: signal() };
    expect(await connector.checkAuth(ctx)).toEqual({ outcome: "OK" });
    expect((await connector.grantedPermissions(ctx)).sort()).toEqual(["employees:read", "teams:read"]);
    expect(await connector.accountIdentity(ctx)).toEqual({ id: "acme", name: "Acme Corp" });
    if (!connector.sync) throw new Error("the connector syncs");
    const { records } = await connector.sync({
      ...ctx,
      models: [
        { model: "employees", fields: ["first_name", "work_email"] },
        { model: "teams", fields: ["name"] },
      ],
    });
    expect(records.employees?.length).toBeGreaterThan(5);
    expect(Object.keys(records.employees?.[0]?.data ?? {}).sort()).toEqual(["first_name", "work_email"]);
    expect(records.teams?.[0]?.data).toHaveProperty("name");
  });

  it("classifies a revoked key as AUTH_FAILED", async () => {
    const connector = demoHrisConnector({ baseUrl: hris.url });
    const key = await issueKey("acme", ["employees:read"]);
    await fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" });
    const result = await connector.checkAuth({ credentials: { api_key: key }, signal: signal() });
    expect(result.outcome).toBe("AUTH_FAILED");
    expect(result.detail).not.toContain(key);
    expect((await connector.checkAuth({ credentials: {}, signal: signal() })).outcome).toBe("AUTH_FAILED");
  });

  it.each([500, 503, 429, "malformed", "reset", "timeout"])(
    "classifies an outage (%s) as INCONCLUSIVE",
    async (status) => {
      const connector = demoHrisConnector({ baseUrl: hris.url, timeoutMs: 300 });
      const key = await issueKey("acme", ["employees:read"]);
      await outage(status, 2_000);
      const result = await connector.checkAuth({ credentials: { api_key: key }, signal: signal() });
      expect(result.outcome).toBe("INCONCLUSIVE");
      await fetch(`${hris.url}/admin/outage`, { method: "DELETE" });
    },
  );

  it("classifies an unreachable host as INCONCLUSIVE", async () => {
    const connector = demoHrisConnector({ baseUrl: "http://127.0.0.1:9", timeoutMs: 1000 });
    expect((await connector.checkAuth({ credentials: { api_key: "x" }, signal: signal() })).outcome).toBe(
      "INCONCLUSIVE",
    );
  });

  it("runs OAuth 2 with PKCE through the consent page, refreshes, and fails auth once the grant is revoked", async () => {
    let now = Date.now();
    const connector = demoHrisOAuthConnector({
      baseUrl: hris.url,
      clientId: "relink-demo",
      clientSecret: "relink-demo-secret",
      now: () => now,
    });
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const redirectUri = "http://127.0.0.1:1/callback";
    const authorizeUrl = connector.oauth!.authorizeUrl({
      redirectUri,
      state: "st4te",
      codeChallenge: challenge,
      scopes: ["employees:read", "time_off:read"],
    });
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('value="approve"');
    // Submit the consent form the way the browser would.
    const form = new URLSearchParams();
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      form.append(match[1]!, match[2]!.replaceAll("&amp;", "&").replaceAll("&quot;", '"'));
    }
    form.append("company_id", "globex");
    form.append("scope", "employees:read");
    form.append("scope", "time_off:read");
    form.append("decision", "approve");
    const approved = await fetch(`${hris.url}/oauth/authorize`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    expect(approved.status).toBe(302);
    const location = new URL(approved.headers.get("location")!);
    expect(location.searchParams.get("state")).toBe("st4te");
    const credentials = await connector.oauth!.exchangeCode({
      code: location.searchParams.get("code")!,
      redirectUri,
      codeVerifier: verifier,
      signal: signal(),
    });
    expect(credentials.access_token).toBeTruthy();
    const ctx = { credentials, signal: signal() };
    expect((await connector.checkAuth(ctx)).outcome).toBe("OK");
    expect(await connector.accountIdentity(ctx)).toMatchObject({ id: "globex" });
    expect((await connector.grantedPermissions(ctx)).sort()).toEqual(["employees:read", "time_off:read"]);

    // An hour later the access token has expired: the check refreshes it once, even when asked twice at once.
    now += 3_600_000;
    const [a, b] = await Promise.all([connector.checkAuth(ctx), connector.checkAuth(ctx)]);
    expect(a.outcome).toBe("OK");
    expect(b.outcome).toBe("OK");
    expect(a.refreshedCredentials?.refresh_token).toBeTruthy();
    expect(a.refreshedCredentials?.refresh_token).toBe(b.refreshedCredentials?.refresh_token);

    await fetch(`${hris.url}/admin/oauth-grants/revoke`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "globex" }),
    });
    now += 3_600_000;
    const revoked = await connector.checkAuth({ credentials: a.refreshedCredentials!, signal: signal() });
    expect(revoked.outcome).toBe("AUTH_FAILED");
  });
});
