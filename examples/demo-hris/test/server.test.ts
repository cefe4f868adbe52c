import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OAUTH_CLIENT, type RunningDemoHris, startDemoHris } from "../src/index.ts";
import { readConsentForm } from "./consent-form.ts";
import { form, pkcePair } from "./helpers.ts";

describe("startDemoHris over real HTTP", () => {
  let hris: RunningDemoHris;
  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
  });
  afterAll(async () => {
    await hris.close();
  });

  it("listens on a random port of 127.0.0.1", () => {
    expect(hris.port).toBeGreaterThan(0);
    expect(hris.url).toBe(`http://127.0.0.1:${hris.port}`);
  });

  it("issues a key, serves data with it and refuses it once revoked", async () => {
    const issued = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"], label: "e2e" }),
    });
    expect(issued.status).toBe(201);
    const { key } = (await issued.json()) as { key: string };
    const auth = { headers: { Authorization: `Bearer ${key}` } };

    const employees = await fetch(`${hris.url}/api/employees?limit=2`, auth);
    expect(employees.status).toBe(200);
    expect(employees.headers.get("Content-Type")).toContain("application/json");
    const page = (await employees.json()) as { data: unknown[]; next_cursor: string | null };
    expect(page.data).toHaveLength(2);
    expect(page.next_cursor).toEqual(expect.any(String));

    expect((await fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${hris.url}/api/employees`, auth)).status).toBe(401);
  });

  it("runs the OAuth flow the way a browser and a connector would", async () => {
    const { verifier, challenge } = pkcePair();
    const redirectUri = "http://127.0.0.1:4999/callback";
    const authorize = new URL(`${hris.url}/oauth/authorize`);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: DEMO_OAUTH_CLIENT.client_id,
      redirect_uri: redirectUri,
      scope: "teams:read",
      state: "xyz",
      code_challenge: challenge,
      code_challenge_method: "S256",
      company_id: "globex",
    }).toString();
    const consentPage = readConsentForm(await (await fetch(authorize)).text());

    const approved = await fetch(`${hris.url}/oauth/authorize`, {
      method: "POST",
      body: form({
        ...consentPage.hidden,
        scope: consentPage.scopes,
        company_id: consentPage.selectedCompany!,
        decision: "approve",
      }),
      redirect: "manual",
    });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get("Location")!);
    expect(callback.searchParams.get("state")).toBe("xyz");

    const tokenResponse = await fetch(`${hris.url}/oauth/token`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${btoa(`${DEMO_OAUTH_CLIENT.client_id}:${DEMO_OAUTH_CLIENT.client_secret}`)}`,
      },
      body: form({
        grant_type: "authorization_code",
        code: callback.searchParams.get("code")!,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token } = (await tokenResponse.json()) as { access_token: string };

    const teams = await fetch(`${hris.url}/api/teams`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    const body = (await teams.json()) as { data: { id: string }[] };
    expect(body.data.map((team) => team.id)).toEqual([
      "team_globex_001",
      "team_globex_002",
      "team_globex_003",
    ]);
  });
});
