import type { ConnectFlow, OAuthCallbackMessage, RelinkLinkCreated } from "@relink/sdk/contract";
import { mintConnectToken } from "@relink/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signFlowToken } from "../src/flow-tokens/verify.ts";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, S2_MODELS, startFlowWorld, transitions } from "./flows-support.ts";

/** The page the OAuth callback answered: its message to the opener, the origin it targets, its headers. */
interface CallbackPage {
  status: number;
  url: string;
  message: OAuthCallbackMessage | null;
  origin: string | null;
  headers: Headers;
  html: string;
}

async function readCallback(response: Response): Promise<CallbackPage> {
  const html = await response.text();
  const message = /const message = (.*);\n/.exec(html)?.[1];
  const origin = /const origin = (.*);\n/.exec(html)?.[1];
  return {
    status: response.status,
    url: response.url,
    message: message ? (JSON.parse(message) as OAuthCallbackMessage) : null,
    origin: origin ? (JSON.parse(origin) as string) : null,
    headers: response.headers,
    html,
  };
}

/**
 * Drives the demo HR system's consent page like a browser: loads it, submits the form with the
 * chosen company, permissions and decision, and follows the redirect back to relink's callback.
 */
async function consent(
  authorizeUrl: string,
  choice: { company: string; scopes: string[]; decision: "approve" | "deny" },
): Promise<CallbackPage> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    form.append(match[1]!, match[2]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
  }
  form.append("company_id", choice.company);
  for (const scope of choice.scopes) form.append("scope", scope);
  form.append("decision", choice.decision);
  const action = new URL("/oauth/authorize", authorizeUrl);
  return readCallback(await fetch(action, { method: "POST", body: form, redirect: "follow" }));
}

describe.each(availableDialects())(
  "connect and relink through OAuth 2 (demo HR system's consent page over HTTP) on %s",
  (dialect) => {
    let w: FlowWorld;
    beforeAll(async () => {
      w = await startFlowWorld({ dialect });
    });
    afterAll(() => w?.close());

    const start = async (token: string, body: Record<string, unknown> = {}) => {
      const response = await w.connect("POST", "/connect/v1/oauth/start", token, { origin: w.url, ...body });
      expect(response.status, await response.clone().text()).toBe(200);
      return ((await response.json()) as { authorize_url: string }).authorize_url;
    };

    it("connects with an SDK-minted token, pauses, then relinks to S2 after denied, short and foreign consents", async () => {
      const s1 = await w.scopeConfig("Employees", S1_MODELS);
      const s2 = await w.scopeConfig("Employees and time off", S2_MODELS);
      const keyResponse = await w.api("POST", "/v1/signing-keys", { algorithm: "HS256" });
      const signingKey = (await keyResponse.json()) as { id: string; secret: string };

      // Connect: a token minted offline by the product's backend.
      const connectToken = await mintConnectToken({
        workspaceId: w.workspaceId,
        key: { id: signingKey.id, secret: signingKey.secret },
        endUser: { originId: "acme-oauth", organizationName: "Acme Corp" },
        tool: "demo-hris-oauth",
        scopeConfigId: s1,
        now: w.clock.now(),
      });
      const connectFlow = (await (
        await w.connect("GET", "/connect/v1/flow", connectToken)
      ).json()) as ConnectFlow;
      expect(connectFlow).toMatchObject({
        flow: "connect",
        integration_id: null,
        tool: { id: "demo-hris-oauth", auth: { method: "OAUTH2", fields: [] } },
        newly_required_permissions: [],
      });
      const authorizeUrl = await start(connectToken);
      expect(new URL(authorizeUrl).searchParams.get("scope")).toBe("employees:read");
      expect(new URL(authorizeUrl).searchParams.get("redirect_uri")).toBe(
        `${w.url}/connect/v1/oauth/callback`,
      );
      const connected = await consent(authorizeUrl, {
        company: "acme",
        scopes: ["employees:read"],
        decision: "approve",
      });
      expect(connected.url.startsWith(`${w.url}/connect/v1/oauth/callback?`)).toBe(true);
      expect(connected.status).toBe(200);
      expect(connected.origin).toBe(w.url);
      expect(connected.message).toMatchObject({
        type: "relink:oauth",
        status: "COMPLETED",
        flow: "connect",
        scope_config_id: s1,
      });
      const csp = connected.headers.get("content-security-policy") ?? "";
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(connected.html).toContain(`<script nonce="${nonce}">`);
      expect(connected.headers.get("cross-origin-opener-policy")).toBe("unsafe-none");
      const id = (connected.message as { integration_id: string }).integration_id;

      await w.relink.relink.scheduler.runDue();
      expect((await w.integration(id)).last_sync?.sync_state).toBe("SUCCEEDED");

      // The company revokes relink's grant: refreshes fail (invalid_grant) until the pause.
      await fetch(`${w.hris.url}/admin/oauth-grants/revoke`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ company_id: "acme" }),
      });
      await w.pauseBy(id);

      const made = await w.api("POST", `/v1/integrations/${id}/relink`, { scope_config_id: s2 });
      const link = (await made.json()) as RelinkLinkCreated;
      const flow = (await (await w.connect("GET", "/connect/v1/flow", link.token)).json()) as ConnectFlow;
      expect(flow.newly_required_permissions).toEqual(["time_off:read"]);
      expect(flow.tool?.auth.method).toBe("OAUTH2");

      // The opener must be an allowed origin.
      const foreign = await w.connect("POST", "/connect/v1/oauth/start", link.token, {
        origin: "https://evil.example",
      });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe("ORIGIN_NOT_ALLOWED");

      // Denied consent.
      const denied = await consent(await start(link.token), {
        company: "acme",
        scopes: [],
        decision: "deny",
      });
      expect(denied.status).toBe(400);
      expect(denied.message).toMatchObject({ status: "ERROR", code: "OAUTH_DENIED" });
      expect(denied.origin).toBe(w.url);

      // Approved without time off.
      const authorizeS2 = await start(link.token);
      expect(new URL(authorizeS2).searchParams.get("scope")).toBe("employees:read time_off:read");
      const short = await consent(authorizeS2, {
        company: "acme",
        scopes: ["employees:read"],
        decision: "approve",
      });
      expect(short.message).toMatchObject({
        status: "ERROR",
        code: "PERMISSIONS_MISSING",
        details: {
          missing: [expect.objectContaining({ permission: "time_off:read", models: ["time_off_requests"] })],
        },
      });

      // Approved for another company.
      const foreignAccount = await consent(await start(link.token), {
        company: "globex",
        scopes: ["employees:read", "time_off:read"],
        decision: "approve",
      });
      expect(foreignAccount.message).toMatchObject({ status: "ERROR", code: "ACCOUNT_MISMATCH" });

      // The same callback again (a reload, a replayed code): refused.
      const replayed = await readCallback(await fetch(foreignAccount.url));
      expect(replayed.message).toMatchObject({ status: "ERROR", code: "OAUTH_STATE_USED" });

      // An unknown state: an error page that reports to nobody.
      const unknown = await readCallback(await fetch(`${w.url}/connect/v1/oauth/callback?state=nope&code=x`));
      expect(unknown.status).toBe(400);
      expect(unknown.message).toBeNull();
      expect(unknown.html).toContain("Could not connect");

      // Nothing changed yet.
      expect(await w.integration(id)).toMatchObject({ state: "INVALID", scope_config_id: s1 });

      // Approved with both permissions: completed.
      const done = await consent(await start(link.token), {
        company: "acme",
        scopes: ["employees:read", "time_off:read"],
        decision: "approve",
      });
      expect(done.message).toEqual({
        type: "relink:oauth",
        status: "COMPLETED",
        flow: "relink",
        integration_id: id,
        scope_config_id: s2,
        remote_account: { id: "acme", name: "Acme Corp" },
        warnings: [],
      });
      expect(await w.integration(id)).toMatchObject({
        state: "ACTIVE",
        scope_config_id: s2,
        missing_permissions: [],
      });
      await w.relink.relink.scheduler.runDue();
      expect((await w.integration(id)).last_sync).toMatchObject({
        trigger: "RELINK",
        sync_state: "SUCCEEDED",
        scope_config_id: s2,
        warnings: [],
      });

      const events = await w.events(id);
      expect(transitions(events)).toEqual([
        "integration-created",
        "auth:FAILING",
        "state:INVALID:AUTHENTICATION_FAILED",
        "connection-flow-failed",
        "integration-relinked",
        "auth:OK",
        "state:ACTIVE:RELINKED",
      ]);
      // Announced once for the link, whatever else failed after the denial.
      expect(events.find((e) => e.type === "connection-flow-failed")?.data).toMatchObject({
        flow: "relink",
        integration_id: id,
        tool: "demo-hris-oauth",
        reason: "OAUTH_DENIED",
        end_user: { origin_id: "acme-oauth" },
      });

      // The callback URLs carried codes and states: the request log has paths only.
      const logs = w.logLines.join("\n");
      expect(logs).not.toContain(new URL(done.url).searchParams.get("code") ?? "no code");
      expect(logs).not.toContain(link.token);
      expect(logs).not.toContain(connectToken);
    });

    it("refuses an expired sign-in and a code replayed into another sign-in", async () => {
      const scope = await w.scopeConfig("Time off", {
        ...S1_MODELS,
        time_off_requests: { setting: "ENABLED" },
      });
      const { token } = await signFlowToken(w.relink.relink.ctx, {
        workspaceId: w.workspaceId,
        claims: {
          flow: "connect",
          tool: "demo-hris-oauth",
          scope_config_id: scope,
          end_user: { origin_id: "replay-1", organization_name: "Replay Co" },
        },
        lifetime: 3600,
      });

      // A sign-in left open for more than 10 minutes.
      const slow = await start(token);
      w.clock.advance(11 * 60_000);
      const expired = await consent(slow, {
        company: "acme",
        scopes: ["employees:read", "time_off:read"],
        decision: "approve",
      });
      expect(expired.message).toMatchObject({ status: "ERROR", code: "OAUTH_STATE_EXPIRED" });

      // A code used once (the sign-in lacked a permission), then sent with another sign-in's state.
      const first = await consent(await start(token), {
        company: "acme",
        scopes: ["employees:read"],
        decision: "approve",
      });
      expect(first.message).toMatchObject({ status: "ERROR", code: "PERMISSIONS_MISSING" });
      const usedCode = new URL(first.url).searchParams.get("code");
      const second = new URL(await start(token)).searchParams.get("state");
      const replay = await readCallback(
        await fetch(`${w.url}/connect/v1/oauth/callback?state=${second}&code=${usedCode}`),
      );
      expect(replay.message).toMatchObject({ status: "ERROR", code: "OAUTH_CODE_INVALID" });
      expect(replay.origin).toBe(w.url);

      // Still completable with a fresh consent; one failure event for the token.
      const done = await consent(await start(token), {
        company: "acme",
        scopes: ["employees:read", "time_off:read"],
        decision: "approve",
      });
      expect(done.message).toMatchObject({ status: "COMPLETED", flow: "connect", scope_config_id: scope });
      const failures = await w.relink.relink.ctx.db
        .selectFrom("events")
        .select("data")
        .where("type", "=", "connection-flow-failed")
        .execute();
      expect(
        failures.filter((e) => (e.data.end_user as { origin_id: string }).origin_id === "replay-1"),
      ).toEqual([
        {
          data: expect.objectContaining({
            flow: "connect",
            reason: "OAUTH_STATE_EXPIRED",
            tool: "demo-hris-oauth",
          }),
        },
      ]);
    });
  },
);
