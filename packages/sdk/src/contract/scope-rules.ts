import type { ScopeConfigModels, Setting } from "./scope-configs.ts";
import type { Tool } from "./tools.ts";

/**
 * The rules that turn a scope config into the permissions it asks of a tool: the server applies
 * them, the dashboard previews them while an operator edits a config. Plain functions, no schema:
 * importing them adds no validation library to a bundle.
 */

/** One readable part of a tool's data as a scope config asks for it. */
export interface ScopePart {
  model: string;
  field: string | null;
  permission: string;
  setting: Exclude<Setting, "DISABLED">;
}

/**
 * The parts of a tool a scope config asks for: each enabled or optional model and field, with the
 * permission it needs. A field left out follows its model; an optional model makes its fields
 * optional; a disabled model reads nothing.
 *
 * @example
 * ```ts
 * const parts = scopeParts(tool, { employees: { setting: "ENABLED" } });
 * ```
 */
export function scopeParts(tool: Tool, models: ScopeConfigModels): ScopePart[] {
  const parts: ScopePart[] = [];
  for (const model of tool.models) {
    const config = models[model.id];
    if (!config || config.setting === "DISABLED") continue;
    parts.push({ model: model.id, field: null, permission: model.permission, setting: config.setting });
    for (const field of model.fields) {
      const own = config.fields?.[field.id] ?? config.setting;
      if (own === "DISABLED") continue;
      const setting = config.setting === "OPTIONAL" ? "OPTIONAL" : own;
      parts.push({ model: model.id, field: field.id, permission: field.permission, setting });
    }
  }
  return parts;
}

/**
 * The permissions a scope config requires from a tool, and those only its optional parts need
 * (a permission some required part needs is required), each list sorted.
 *
 * @example
 * ```ts
 * const { required, optional } = scopePermissions(tool, config.models);
 * ```
 */
export function scopePermissions(
  tool: Tool,
  models: ScopeConfigModels,
): { required: string[]; optional: string[] } {
  const required = new Set<string>();
  const optional = new Set<string>();
  for (const part of scopeParts(tool, models))
    (part.setting === "ENABLED" ? required : optional).add(part.permission);
  for (const permission of required) optional.delete(permission);
  return { required: [...required].sort(), optional: [...optional].sort() };
}
