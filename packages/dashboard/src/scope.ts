import type { ScopeConfigModels, Setting, Tool } from "@relink/sdk/contract";

/** Permissions a scope config asks of a tool: needed for sure, and needed only by optional parts. */
export interface ImpliedPermissions {
  required: string[];
  optional: string[];
}

/**
 * The permissions a scope config implies for a tool, as the server computes them: a field left out
 * follows its model, an optional model makes its fields optional, a disabled model reads nothing.
 * Used for the live preview while editing; saved configs carry the server's own `permissions`.
 */
export function impliedPermissions(tool: Tool, models: ScopeConfigModels): ImpliedPermissions {
  const required = new Set<string>();
  const optional = new Set<string>();
  for (const model of tool.models) {
    const config = models[model.id];
    if (!config || config.setting === "DISABLED") continue;
    (config.setting === "ENABLED" ? required : optional).add(model.permission);
    for (const field of model.fields) {
      const own: Setting = config.fields?.[field.id] ?? config.setting;
      if (own === "DISABLED") continue;
      const setting = config.setting === "OPTIONAL" ? "OPTIONAL" : own;
      (setting === "ENABLED" ? required : optional).add(field.permission);
    }
  }
  for (const permission of required) optional.delete(permission);
  return { required: [...required].sort(), optional: [...optional].sort() };
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
