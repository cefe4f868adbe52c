import { randomUUID } from "node:crypto";
import { callTool } from "../http.ts";
import { type ConnectorContext, ConnectorError, type Credentials, type OAuthHooks } from "../types.ts";
import { type DeclaredRuntime, EXPIRY_MARGIN_MS, fill } from "./runtime.ts";
import { clientAuth, tokenRequest } from "./token-endpoint.ts";
import { valueAt } from "./values.ts";

type Runtime = Omit<DeclaredRuntime, "oauth">;

/** relink's own OAuth client at the tool, from the operator's settings. */
const oauthClient = (rt: Runtime) => {
  if (!rt.options.clientId || !rt.options.clientSecret) {
    throw new ConnectorError("INCONCLUSIVE", `relink has no OAuth client for ${rt.doc.name}`);
  }
  return { clientId: rt.options.clientId, clientSecret: rt.options.clientSecret };
};

/** The credentials a token endpoint's answer makes, on top of the previous ones (a refresh). */
const tokenCredentials = (
  rt: Runtime,
  answer: Record<string, unknown>,
  previous: Credentials,
): Credentials => {
  const access = answer.access_token;
  if (typeof access !== "string" || access === "") {
    throw new ConnectorError("INCONCLUSIVE", "the token endpoint answered without an access token");
  }
  const expiresIn = Number(answer.expires_in ?? 3600);
  const credentials: Credentials = {
    ...previous,
    // One id per grant, kept by refreshes: a relink brings another (`sameGrant`).
    grant_id: previous.grant_id ?? randomUUID(),
    access_token: access,
    refresh_token:
      typeof answer.refresh_token === "string" ? answer.refresh_token : (previous.refresh_token ?? ""),
    expires_at: String(rt.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000),
  };
  // RFC 6749 §5.1: an answer without `scope` grants what was asked; one with it says what was granted.
  if (typeof answer.scope === "string") credentials.scope = answer.scope;
  for (const value of [rt.doc.identity.id, rt.doc.identity.name]) {
    if (value && "token_response" in value) {
      const found = valueAt(answer, value.token_response);
      if (found !== undefined && found !== null) credentials[`token.${value.token_response}`] = String(found);
    }
  }
  return credentials;
};

/** The authorization-code hooks of an `oauth2_authorization_code` tool; undefined for any other. */
export function oauthHooks(rt: Runtime): OAuthHooks | undefined {
  const auth = rt.doc.auth;
  if (auth.type !== "oauth2_authorization_code") return undefined;
  const permissionScopes = new Map(rt.doc.permissions.map((p) => [p.id, p.scopes ?? [p.id]]));
  return {
    refreshTokenRotates: auth.refresh_token_rotates,
    authorizeUrl({ redirectUri, state, codeChallenge, scopes }) {
      const { clientId } = oauthClient(rt);
      const wanted = [
        ...new Set([...auth.base_scopes, ...scopes.flatMap((p) => permissionScopes.get(p) ?? [p])]),
      ];
      const target = new URL(fill(rt, auth.authorize_url, {}));
      target.search = new URLSearchParams({
        ...auth.authorize_params,
        response_type: "code",
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: wanted.join(auth.scope_separator),
        state,
        ...(auth.pkce ? { code_challenge: codeChallenge, code_challenge_method: "S256" } : {}),
      }).toString();
      return target.toString();
    },
    async exchangeCode({ code, redirectUri, codeVerifier, signal }) {
      const { clientId, clientSecret } = oauthClient(rt);
      const request = clientAuth(auth.client_auth, clientId, clientSecret, {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        ...(auth.pkce ? { code_verifier: codeVerifier } : {}),
      });
      const answer = await tokenRequest(
        rt,
        fill(rt, auth.token_url, {}),
        request.headers,
        request.form,
        signal,
      );
      return tokenCredentials(rt, answer, {});
    },
    async refresh({ credentials, signal }) {
      const refreshToken = credentials.refresh_token;
      if (!refreshToken) throw new ConnectorError("AUTH_FAILED", "no refresh token");
      const { clientId, clientSecret } = oauthClient(rt);
      const request = clientAuth(auth.client_auth, clientId, clientSecret, {
        grant_type: "refresh_token",
        refresh_token: refreshToken,
      });
      const answer = await tokenRequest(
        rt,
        fill(rt, auth.token_url, credentials),
        request.headers,
        request.form,
        signal,
      );
      return tokenCredentials(rt, answer, credentials);
    },
    ...(auth.revoke_url
      ? {
          async revoke({ credentials, signal }) {
            const revokeUrl = auth.revoke_url ?? "";
            const { clientId, clientSecret } = oauthClient(rt);
            // RFC 7009: revoking the refresh token ends the whole grant.
            const token = credentials.refresh_token || credentials.access_token;
            if (!token) throw new ConnectorError("AUTH_FAILED", "no token to revoke");
            const request = clientAuth(auth.client_auth, clientId, clientSecret, {
              token,
              token_type_hint: credentials.refresh_token ? "refresh_token" : "access_token",
            });
            const response = await callTool<unknown>({
              url: fill(rt, revokeUrl, credentials),
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded", ...request.headers },
              body: new URLSearchParams(request.form).toString(),
              signal,
              timeoutMs: rt.timeoutMs,
              fetch: rt.options.fetch,
              notJson: "null",
            });
            // RFC 7009 §2.2: 200 also for a token that was already invalid.
            if (response.status !== 200) {
              throw new ConnectorError(
                "INCONCLUSIVE",
                `the revocation endpoint answered HTTP ${response.status}`,
              );
            }
          },
        }
      : {}),
  };
}

/** A usable access token: refreshed first (through the caller's lease when it gives one) when about to expire. */
export const freshOAuth = async (
  rt: DeclaredRuntime,
  ctx: ConnectorContext,
): Promise<{ credentials: Credentials; refreshed: boolean }> => {
  const expiresAt = Number(ctx.credentials.expires_at ?? 0);
  if (ctx.credentials.access_token && expiresAt - rt.now() > EXPIRY_MARGIN_MS) {
    return { credentials: ctx.credentials, refreshed: false };
  }
  if (ctx.refresh) return { credentials: await ctx.refresh(ctx.credentials), refreshed: false };
  if (!rt.oauth) throw new ConnectorError("AUTH_FAILED", "no access token");
  return {
    credentials: await rt.oauth.refresh({ credentials: ctx.credentials, signal: ctx.signal }),
    refreshed: true,
  };
};
