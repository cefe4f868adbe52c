import type { ScopeConfigModels, Setting, Tool } from "@relink/sdk/contract";

export interface ScopeProblem {
  path: string;
  message: string;
}

/**
 * Checks a scope config's models and fields against the tools of its category: every model and
 * field must exist in at least one of them. Returns one problem per unknown name.
 */
export function findScopeProblems(tools: readonly Tool[], models: ScopeConfigModels): ScopeProblem[] {
  const known = new Map<string, Set<string>>();
  for (const tool of tools) {
    for (const model of tool.models) {
      const fields = known.get(model.id) ?? new Set<string>();
      for (const field of model.fields) fields.add(field.id);
      known.set(model.id, fields);
    }
  }
  const problems: ScopeProblem[] = [];
  for (const [model, config] of Object.entries(models)) {
    const fields = known.get(model);
    if (!fields) {
      problems.push({
        path: `models.${model}`,
        message: `unknown model "${model}"; known models: ${[...known.keys()].join(", ") || "none"}`,
      });
      continue;
    }
    for (const field of Object.keys(config.fields ?? {})) {
      if (!fields.has(field)) {
        problems.push({
          path: `models.${model}.fields.${field}`,
          message: `unknown field "${field}" of model "${model}"; known fields: ${[...fields].join(", ")}`,
        });
      }
    }
  }
  return problems;
}

/** One readable part of a tool's data as a scope config asks for it. */
export interface ScopePart {
  model: string;
  field: string | null;
  permission: string;
  setting: Exclude<Setting, "DISABLED">;
}

/**
 * The parts of a tool a scope config asks for: each enabled or optional model and field, with the
 * permission it needs. A field left out follows its model; an optional model makes its fields optional.
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

const isOptedOut = (part: ScopePart, optedOut: ReadonlySet<string>) =>
  part.setting === "OPTIONAL" &&
  (optedOut.has(part.model) || (part.field !== null && optedOut.has(`${part.model}.${part.field}`)));

/** The permissions a scope config requires from a tool, and those only its optional parts need. */
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

/** The permissions needed once the end user's opt-outs are taken away. */
export function neededPermissions(
  tool: Tool,
  models: ScopeConfigModels,
  optedOut: readonly string[] = [],
): string[] {
  const out = new Set(optedOut);
  const needed = new Set<string>();
  for (const part of scopeParts(tool, models)) if (!isOptedOut(part, out)) needed.add(part.permission);
  return [...needed].sort();
}

export interface MissingPermission {
  permission: string;
  models: string[];
  fields: string[];
}

/** For each permission the scope needs but `granted` lacks: the models and fields it blocks. */
export function missingPermissions(
  tool: Tool,
  models: ScopeConfigModels,
  granted: readonly string[],
  optedOut: readonly string[] = [],
): MissingPermission[] {
  const have = new Set(granted);
  const out = new Set(optedOut);
  const missing = new Map<string, { models: Set<string>; fields: Set<string> }>();
  for (const part of scopeParts(tool, models)) {
    if (have.has(part.permission) || isOptedOut(part, out)) continue;
    const entry = missing.get(part.permission) ?? { models: new Set(), fields: new Set() };
    if (part.field === null) entry.models.add(part.model);
    else entry.fields.add(`${part.model}.${part.field}`);
    missing.set(part.permission, entry);
  }
  return [...missing.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([permission, entry]) => ({ permission, models: [...entry.models], fields: [...entry.fields] }));
}

/** What a sync reads: the models and fields the scope asks for that `granted` allows. */
export function readableModels(
  tool: Tool,
  models: ScopeConfigModels,
  granted: readonly string[],
  optedOut: readonly string[] = [],
): Array<{ model: string; fields: string[] }> {
  const have = new Set(granted);
  const out = new Set(optedOut);
  const byModel = new Map<string, string[]>();
  for (const part of scopeParts(tool, models)) {
    if (isOptedOut(part, out) || !have.has(part.permission)) continue;
    if (part.field === null) byModel.set(part.model, byModel.get(part.model) ?? []);
    else if (byModel.has(part.model)) byModel.get(part.model)?.push(part.field);
  }
  return [...byModel.entries()].map(([model, fields]) => ({ model, fields }));
}
