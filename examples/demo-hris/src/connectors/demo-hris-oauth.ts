import { ConnectorError, type Credentials, callTool, type SyncingConnector } from "@relink/server/connectors";
import {
  checkWithMe,
  DEMO_HRIS_MODELS,
  DEMO_HRIS_PERMISSIONS,
  DEMO_HRIS_TRANSLATIONS,
  DemoHrisApi,
  syncModels,
} from "./demo-hris.ts";

export interface DemoHrisOAuthOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; the connector refreshes tokens that expire within a minute. */
  now?: () => number;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
}

/**
 * The demo HR system through OAuth 2 (authorization code + PKCE). Credentials are
 * `{ access_token, refresh_token, expires_at }`; a refresh answered `invalid_grant` is `AUTH_FAILED`.
 * Concurrent refreshes of the same refresh token share one request.
 */
export function demoHrisOAuthConnector(options: DemoHrisOAuthOptions): SyncingConnector {
  const api = new DemoHrisApi(options);
  const now = options.now ?? Date.now;
  const refreshing = new Map<string, Promise<Credentials>>();

  const token = async (body: Record<string, string>, signal: AbortSignal): Promise<Credentials> => {
    const response = await callTool<TokenAnswer>({
      url: `${api.baseUrl}/oauth/token`,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        ...body,
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }).toString(),
      signal,
      timeoutMs: options.timeoutMs ?? 10_000,
      fetch: options.fetch,
    });
    const answer = response.body;
    if (response.status === 400 && answer?.error === "invalid_grant") {
      throw new ConnectorError("AUTH_FAILED", "the tool refused the grant (invalid_grant)");
    }
    if (response.status === 401 || answer?.error === "invalid_client") {
      throw new ConnectorError(
        "INCONCLUSIVE",
        "the tool refused relink's OAuth client: check its client id and secret",
      );
    }
    if (response.status !== 200 || !answer?.access_token) {
      throw new ConnectorError(
        "INCONCLUSIVE",
        `unexpected answer from the token endpoint (HTTP ${response.status})`,
      );
    }
    return {
      access_token: answer.access_token,
      refresh_token: answer.refresh_token ?? body.refresh_token ?? "",
      expires_at: String(now() + (answer.expires_in ?? 3600) * 1000),
      scope: answer.scope ?? "",
    };
  };

  const refresh = (credentials: Credentials, signal: AbortSignal): Promise<Credentials> => {
    const refreshToken = credentials.refresh_token;
    if (!refreshToken) return Promise.reject(new ConnectorError("AUTH_FAILED", "no refresh token"));
    let pending = refreshing.get(refreshToken);
    if (!pending) {
      pending = token({ grant_type: "refresh_token", refresh_token: refreshToken }, signal).finally(() =>
        refreshing.delete(refreshToken),
      );
      refreshing.set(refreshToken, pending);
    }
    return pending;
  };

  /** A usable access token, refreshing first when it is about to expire. */
  const fresh = async (credentials: Credentials, signal: AbortSignal) => {
    const expiresAt = Number(credentials.expires_at ?? 0);
    if (credentials.access_token && expiresAt - now() > 60_000) return { credentials, refreshed: false };
    return { credentials: await refresh(credentials, signal), refreshed: true };
  };

  return {
    tool: {
      id: "demo-hris-oauth",
      name: "Demo HR (OAuth)",
      category: "HRIS",
      logo_url: null,
      auth: { method: "OAUTH2", fields: [] },
      models: DEMO_HRIS_MODELS,
      permissions: DEMO_HRIS_PERMISSIONS,
    },
    translations: DEMO_HRIS_TRANSLATIONS,
    async checkAuth({ credentials, signal }) {
      try {
        const current = await fresh(credentials, signal);
        const result = await checkWithMe(api, current.credentials.access_token ?? "", signal);
        return current.refreshed ? { ...result, refreshedCredentials: current.credentials } : result;
      } catch (error) {
        if (error instanceof ConnectorError) return { outcome: error.outcome, detail: error.message };
        throw error;
      }
    },
    async grantedPermissions({ credentials, signal }) {
      const current = await fresh(credentials, signal);
      return (await api.me(current.credentials.access_token ?? "", signal)).permissions;
    },
    async accountIdentity({ credentials, signal }) {
      const current = await fresh(credentials, signal);
      const me = await api.me(current.credentials.access_token ?? "", signal);
      return { id: me.company.id, name: me.company.name };
    },
    async sync(ctx) {
      const current = await fresh(ctx.credentials, ctx.signal);
      return syncModels(api, current.credentials.access_token ?? "", ctx);
    },
    oauth: {
      authorizeUrl({ redirectUri, state, codeChallenge, scopes }) {
        const url = new URL(`${api.baseUrl}/oauth/authorize`);
        url.search = new URLSearchParams({
          response_type: "code",
          client_id: options.clientId,
          redirect_uri: redirectUri,
          scope: scopes.join(" "),
          state,
          code_challenge: codeChallenge,
          code_challenge_method: "S256",
        }).toString();
        return url.toString();
      },
      exchangeCode({ code, redirectUri, codeVerifier, signal }) {
        return token(
          { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier },
          signal,
        );
      },
      refresh: ({ credentials, signal }) => refresh(credentials, signal),
    },
  };
}
