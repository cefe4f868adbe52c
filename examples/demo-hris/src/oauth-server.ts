/**
 * The OAuth 2 authorization server: authorization codes with PKCE (S256 only), access tokens and
 * rotating refresh tokens. Plain functions over the state; the routes only translate HTTP.
 */
import { OAuthError } from "./errors.ts";
import { isPermission, normalizePermissions, type Permission } from "./permissions.ts";
import { newSecret, s256, secretsEqual } from "./secrets.ts";
import type { AccessToken, DemoHrisState, OAuthClient, RefreshToken } from "./state.ts";

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1"]);

/** True when `client` may be sent back to `redirectUri`; anything else must never be redirected to. */
export function isRedirectUriAllowed(client: OAuthClient, redirectUri: string): boolean {
  if (client.redirect_uris.includes(redirectUri)) return true;
  if (!client.allow_loopback_redirects || !URL.canParse(redirectUri)) return false;
  const url = new URL(redirectUri);
  return (
    url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname) && url.username === "" && url.hash === ""
  );
}

/** Parses a space-separated scope; `null` when it names an unknown permission. */
export function parseScope(scope: string): Permission[] | null {
  const names = scope.split(/\s+/).filter((name) => name !== "");
  if (!names.every(isPermission)) return null;
  return normalizePermissions(names);
}

/** PKCE code challenges are BASE64URL(SHA256(verifier)): 43 characters, but accept any RFC 7636 length. */
export function isCodeChallenge(value: string): boolean {
  return /^[A-Za-z0-9_-]{43,128}$/.test(value);
}

export function registerClient(
  state: DemoHrisState,
  input: { name: string; redirect_uris: string[] },
  now: number,
): OAuthClient {
  const client: OAuthClient = {
    client_id: newSecret("dhc"),
    client_secret: newSecret("dhcs"),
    name: input.name,
    redirect_uris: [...input.redirect_uris],
    allow_loopback_redirects: false,
    created_at: new Date(now).toISOString(),
  };
  state.oauthClients.set(client.client_id, client);
  return client;
}

/** The client named by `clientId` if `clientSecret` is its secret; `invalid_client` otherwise. */
export function authenticateClient(
  state: DemoHrisState,
  clientId: string | undefined,
  clientSecret: string | undefined,
): OAuthClient {
  if (!clientId || clientSecret === undefined) {
    throw new OAuthError("invalid_client", "Client authentication failed: send client_id and client_secret");
  }
  const client = state.oauthClients.get(clientId);
  if (!client || !secretsEqual(client.client_secret, clientSecret)) {
    throw new OAuthError("invalid_client", "Client authentication failed: unknown client or wrong secret");
  }
  return client;
}

export function createAuthorizationCode(
  state: DemoHrisState,
  input: {
    client_id: string;
    redirect_uri: string;
    code_challenge: string;
    company_id: string;
    scopes: Permission[];
  },
  now: number,
): string {
  const code = newSecret("dhac");
  state.authorizationCodes.set(code, {
    ...input,
    code,
    expires_at: now + AUTHORIZATION_CODE_TTL_MS,
    used: false,
  });
  return code;
}

function issueTokens(
  state: DemoHrisState,
  grant: { client_id: string; company_id: string; scopes: Permission[]; grant_id: string },
  now: number,
): TokenResponse {
  const accessToken: AccessToken = {
    ...grant,
    token: newSecret("dhat"),
    expires_at: now + ACCESS_TOKEN_TTL_SECONDS * 1000,
  };
  const refreshToken: RefreshToken = { ...grant, token: newSecret("dhrt") };
  state.accessTokens.set(accessToken.token, accessToken);
  state.refreshTokens.set(refreshToken.token, refreshToken);
  return {
    access_token: accessToken.token,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken.token,
    scope: grant.scopes.join(" "),
  };
}

/**
 * `grant_type=authorization_code`. A code is spent only by a successful exchange, so a client that
 * got the verifier wrong can retry within the code's 60 seconds; a spent code is `invalid_grant`.
 */
export function exchangeAuthorizationCode(
  state: DemoHrisState,
  client: OAuthClient,
  input: { code: string; redirect_uri: string; code_verifier: string },
  now: number,
): TokenResponse {
  const record = state.authorizationCodes.get(input.code);
  if (!record || record.client_id !== client.client_id) {
    throw new OAuthError("invalid_grant", "Unknown authorization code");
  }
  if (record.used) throw new OAuthError("invalid_grant", "The authorization code has already been used");
  if (now >= record.expires_at) throw new OAuthError("invalid_grant", "The authorization code has expired");
  if (record.redirect_uri !== input.redirect_uri) {
    throw new OAuthError("invalid_grant", "redirect_uri does not match the one used to get the code");
  }
  if (!secretsEqual(s256(input.code_verifier), record.code_challenge)) {
    throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
  }
  record.used = true;
  return issueTokens(
    state,
    {
      client_id: client.client_id,
      company_id: record.company_id,
      scopes: record.scopes,
      grant_id: newSecret("grant"),
    },
    now,
  );
}

/** `grant_type=refresh_token`: rotates, so the presented refresh token stops working. */
export function refreshAccessToken(
  state: DemoHrisState,
  client: OAuthClient,
  input: { refresh_token: string },
  now: number,
): TokenResponse {
  const record = state.refreshTokens.get(input.refresh_token);
  if (!record || record.client_id !== client.client_id) {
    throw new OAuthError("invalid_grant", "Unknown, revoked or already used refresh token");
  }
  state.refreshTokens.delete(record.token);
  return issueTokens(
    state,
    {
      client_id: record.client_id,
      company_id: record.company_id,
      scopes: record.scopes,
      grant_id: record.grant_id,
    },
    now,
  );
}

/** Revokes every access token, refresh token and pending code of a company (the user disconnected the app). */
export function revokeCompanyGrants(
  state: DemoHrisState,
  companyId: string,
): { revoked_access_tokens: number; revoked_refresh_tokens: number } {
  let revokedAccessTokens = 0;
  let revokedRefreshTokens = 0;
  for (const [token, record] of state.accessTokens) {
    if (record.company_id === companyId) {
      state.accessTokens.delete(token);
      revokedAccessTokens++;
    }
  }
  for (const [token, record] of state.refreshTokens) {
    if (record.company_id === companyId) {
      state.refreshTokens.delete(token);
      revokedRefreshTokens++;
    }
  }
  for (const [code, record] of state.authorizationCodes) {
    if (record.company_id === companyId) state.authorizationCodes.delete(code);
  }
  return { revoked_access_tokens: revokedAccessTokens, revoked_refresh_tokens: revokedRefreshTokens };
}
