import { invalidRequest } from "./errors.ts";
import { isPermission, normalizePermissions, PERMISSIONS } from "./permissions.ts";
import { newSecret } from "./secrets.ts";
import { type ApiKey, type DemoHrisState, findCompany } from "./state.ts";

export interface IssueApiKeyInput {
  company_id?: unknown;
  permissions?: unknown;
  label?: unknown;
}

/** Validates the request and stores a new API key bound to one company. */
export function issueApiKey(state: DemoHrisState, input: IssueApiKeyInput, now: number): ApiKey {
  if (typeof input.company_id !== "string" || !findCompany(state, input.company_id)) {
    const known = state.companies.map((company) => company.id).join(", ");
    throw invalidRequest(`Unknown company_id ${JSON.stringify(input.company_id)}; known companies: ${known}`);
  }
  if (!Array.isArray(input.permissions)) {
    throw invalidRequest(`permissions must be an array of: ${PERMISSIONS.join(", ")}`);
  }
  const unknown = input.permissions.filter((permission) => !isPermission(permission));
  if (unknown.length > 0) {
    throw invalidRequest(
      `Unknown permission(s) ${unknown.map((p) => JSON.stringify(p)).join(", ")}; known permissions: ${PERMISSIONS.join(", ")}`,
    );
  }
  if (input.label !== undefined && input.label !== null && typeof input.label !== "string") {
    throw invalidRequest("label must be a string");
  }
  const apiKey: ApiKey = {
    key: newSecret("dhk"),
    company_id: input.company_id,
    permissions: normalizePermissions(input.permissions.filter(isPermission)),
    label: input.label ?? null,
    created_at: new Date(now).toISOString(),
  };
  state.apiKeys.set(apiKey.key, apiKey);
  return apiKey;
}

/** Returns false when there was no such key. */
export function revokeApiKey(state: DemoHrisState, key: string): boolean {
  return state.apiKeys.delete(key);
}

/** Hides all but the last four characters of a key, for listings. */
export function maskKey(key: string): string {
  return "*".repeat(Math.max(0, key.length - 4)) + key.slice(-4);
}
