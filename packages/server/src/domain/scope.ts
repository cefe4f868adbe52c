import { type ScopeConfigModels, type ScopePart, scopeParts, type Tool } from "@relink/sdk/contract";

// The scope→permission rules are the contract's (the dashboard previews them too).
export { type ScopePart, scopeParts, scopePermissions } from "@relink/sdk/contract";

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

const isOptedOut = (part: ScopePart, optedOut: ReadonlySet<string>) =>
  part.setting === "OPTIONAL" &&
  (optedOut.has(part.model) || (part.field !== null && optedOut.has(`${part.model}.${part.field}`)));

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
