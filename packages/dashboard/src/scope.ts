import { type ScopeConfigModels, scopePermissions, type Tool } from "@relink/sdk/contract";

/** Permissions a scope config asks of a tool: needed for sure, and needed only by optional parts. */
export interface ImpliedPermissions {
  required: string[];
  optional: string[];
}

/**
 * The permissions a scope config implies for a tool, by the contract's rules (`scopePermissions`
 * of `@relink/sdk/contract`, which the server applies). Used for the live preview while editing;
 * saved configs carry the server's own `permissions`.
 */
export function impliedPermissions(tool: Tool, models: ScopeConfigModels): ImpliedPermissions {
  return scopePermissions(tool, models);
}

/** What moving from one set of permissions to another asks of the end user. */
export interface PermissionDiff {
  added: string[];
  removed: string[];
  kept: string[];
}

export function diffPermissions(current: readonly string[], target: readonly string[]): PermissionDiff {
  const before = new Set(current);
  const after = new Set(target);
  return {
    added: [...after].filter((p) => !before.has(p)).sort(),
    removed: [...before].filter((p) => !after.has(p)).sort(),
    kept: [...after].filter((p) => before.has(p)).sort(),
  };
}

/** Every permission a config can ask for (required and optional), for the diff. */
export const allOf = (p: ImpliedPermissions | undefined): string[] =>
  p ? [...new Set([...p.required, ...p.optional])].sort() : [];
