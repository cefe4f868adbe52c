import type { Permission } from "./permissions.ts";
import type { DemoHrisState } from "./state.ts";

/** Who is calling `/api/*`: a company and what it let this caller read. */
export interface Credential {
  type: "api_key" | "oauth";
  company_id: string;
  permissions: Permission[];
}

export type CredentialLookup = { ok: true; credential: Credential } | { ok: false; reason: string };

/** Resolves a bearer secret (API key or OAuth access token) at time `now`. */
export function resolveCredential(state: DemoHrisState, secret: string, now: number): CredentialLookup {
  const apiKey = state.apiKeys.get(secret);
  if (apiKey) {
    return {
      ok: true,
      credential: { type: "api_key", company_id: apiKey.company_id, permissions: apiKey.permissions },
    };
  }
  const accessToken = state.accessTokens.get(secret);
  if (accessToken) {
    if (now >= accessToken.expires_at) return { ok: false, reason: "The access token has expired" };
    return {
      ok: true,
      credential: { type: "oauth", company_id: accessToken.company_id, permissions: accessToken.scopes },
    };
  }
  return { ok: false, reason: "Unknown or revoked credential" };
}
