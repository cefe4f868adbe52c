import type { ScopeConfig, ScopeConfigModels, Tool } from "@relink/sdk/contract";
import type { Kysely } from "kysely";
import type { ConnectorRegistry } from "../connectors/types.ts";
import type { Database, ScopeConfigRow } from "../db/schema.ts";
import { ApiError } from "../http/errors.ts";
import { findScopeProblems, scopePermissions } from "./scope.ts";

export function toolsOfCategory(connectors: ConnectorRegistry, category: string): Tool[] {
  return connectors
    .list()
    .map((c) => c.tool)
    .filter((t) => t.category === category);
}

/** Refuses a scope config naming a model or field no tool of its category has (422, each one named). */
export function assertValidScope(
  connectors: ConnectorRegistry,
  category: string,
  models: ScopeConfigModels,
): void {
  const problems = findScopeProblems(toolsOfCategory(connectors, category), models);
  if (problems.length > 0) {
    throw new ApiError(
      422,
      "SCOPE_CONFIG_INVALID",
      problems.map((p) => `${p.path}: ${p.message}`).join("; "),
      { issues: problems },
    );
  }
}

export function toScopeConfig(row: ScopeConfigRow, connectors: ConnectorRegistry): ScopeConfig {
  const models = row.models as ScopeConfigModels;
  return {
    id: row.id,
    name: row.name,
    category: row.category as ScopeConfig["category"],
    is_default: row.is_default,
    models,
    permissions: Object.fromEntries(
      toolsOfCategory(connectors, row.category).map((tool) => [tool.id, scopePermissions(tool, models)]),
    ),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function findScopeConfig(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<ScopeConfigRow | undefined> {
  return db
    .selectFrom("scope_configs")
    .selectAll()
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

export async function findDefaultScopeConfig(
  db: Kysely<Database>,
  workspaceId: string,
  category: string,
): Promise<ScopeConfigRow | undefined> {
  return db
    .selectFrom("scope_configs")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("category", "=", category)
    .where("is_default", "=", true)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}
