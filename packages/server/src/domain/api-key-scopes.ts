import { API_KEY_SCOPES, type ApiKeyScope } from "@relink/sdk/contract";
import { DomainError } from "./errors.ts";

/**
 * API key scopes. Every `/v1` route needs exactly one scope, decided here from its method and path
 * in one place (so no route can be added without one): opening and finishing sync sessions hand
 * out credentials (`credentials:read`), reading synced records needs `records:read`, everything
 * else is `management`. Scopes do not imply one another: a `management` key cannot take
 * credentials, a `credentials:read` key cannot manage anything.
 */

const SYNC_SESSION_PATH = /^\/v1\/integrations\/[^/]+\/sync-sessions(?:\/[^/]+\/finish)?\/?$/;
const RECORDS_PATH = /^\/v1\/integrations\/[^/]+\/records\/[^/]+\/?$/;

/** The scope a `/v1` request needs. */
export function requiredScope(method: string, path: string): ApiKeyScope {
  if (method === "POST" && SYNC_SESSION_PATH.test(path)) return "credentials:read";
  if ((method === "GET" || method === "HEAD") && RECORDS_PATH.test(path)) return "records:read";
  return "management";
}

/** Refuses (`INSUFFICIENT_SCOPE`, naming the scope) a key that lacks `needed`. */
export function assertScope(granted: readonly string[], needed: ApiKeyScope): void {
  if (granted.includes(needed)) return;
  throw new DomainError(
    "INSUFFICIENT_SCOPE",
    `This API key lacks the "${needed}" scope this request needs; create a key with it (POST /v1/api-keys with "scopes").`,
    { details: { required_scope: needed, key_scopes: granted } },
  );
}

/** A key's scopes as stored, sorted in the contract's order, duplicates dropped. */
export function normalizeScopes(scopes: readonly ApiKeyScope[] | undefined): ApiKeyScope[] {
  const wanted = new Set(scopes ?? ["management"]);
  return API_KEY_SCOPES.filter((s) => wanted.has(s));
}
