import type {
  ScopeConfig,
  ScopeConfigCreate,
  ScopeConfigModels,
  ScopeConfigUpdate,
  Tool,
} from "@relink/sdk/contract";
import type { Kysely, Transaction } from "kysely";
import { iso } from "../clock.ts";
import type { ConnectorRegistry } from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { Database, ScopeConfigRow } from "../db/schema.ts";
import { toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { DomainError, notFound } from "./errors.ts";
import type { PageWindow } from "./paging.ts";
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
    throw new DomainError("SCOPE_CONFIG_INVALID", problems.map((p) => `${p.path}: ${p.message}`).join("; "), {
      details: { issues: problems },
    });
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

const scopeConfigById = prepared((db, workspaceId: PreparedParam, id: PreparedParam) =>
  db
    .selectFrom("scope_configs")
    .selectAll()
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .where("deleted_at", "is", null),
);

const defaultScopeConfig = prepared((db, workspaceId: PreparedParam, category: PreparedParam) =>
  db
    .selectFrom("scope_configs")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("category", "=", category)
    .where("is_default", "=", true)
    .where("deleted_at", "is", null),
);

/** A scope config of the workspace, not deleted (compiled once: read on every connect API call). */
export async function findScopeConfig(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<ScopeConfigRow | undefined> {
  return (await scopeConfigById(db, workspaceId, id))[0];
}

export async function findDefaultScopeConfig(
  db: Kysely<Database>,
  workspaceId: string,
  category: string,
): Promise<ScopeConfigRow | undefined> {
  return (await defaultScopeConfig(db, workspaceId, category))[0];
}

/** The workspace's scope configs (not deleted), newest first. */
export function listScopeConfigs(db: Kysely<Database>, workspaceId: string, window: PageWindow) {
  let query = db
    .selectFrom("scope_configs")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("deleted_at", "is", null)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  return query.execute();
}

/** Deletes a scope config; one that integrations use is refused (`SCOPE_CONFIG_IN_USE`). */
export async function deleteScopeConfig(
  ctx: Pick<RelinkContext, "db" | "clock">,
  workspaceId: string,
  id: string,
): Promise<void> {
  if (!(await findScopeConfig(ctx.db, workspaceId, id))) throw notFound("Scope config");
  const inUse = await ctx.db
    .selectFrom("integrations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("scope_config_id", "=", id)
    .limit(1)
    .executeTakeFirst();
  if (inUse) {
    throw new DomainError(
      "SCOPE_CONFIG_IN_USE",
      `Scope config ${id} is used by integrations (e.g. ${inUse.id}); move them first.`,
    );
  }
  await ctx.db
    .updateTable("scope_configs")
    .set({ deleted_at: iso(ctx.clock.now()), is_default: false })
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .execute();
}

/** One default per workspace and category: making one the default unmarks the others. */
async function clearDefault(trx: Transaction<Database>, workspaceId: string, category: string, now: string) {
  await trx
    .updateTable("scope_configs")
    .set({ is_default: false, updated_at: now })
    .where("workspace_id", "=", workspaceId)
    .where("category", "=", category)
    .where("is_default", "=", true)
    .execute();
}

export async function createScopeConfig(
  ctx: RelinkContext,
  workspaceId: string,
  body: ScopeConfigCreate,
): Promise<ScopeConfigRow> {
  assertValidScope(ctx.connectors, body.category, body.models);
  const now = iso(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    if (body.is_default) await clearDefault(trx, workspaceId, body.category, now);
    return trx
      .insertInto("scope_configs")
      .values({
        id: newId("sc"),
        workspace_id: workspaceId,
        name: body.name,
        category: body.category,
        models: toJson(body.models),
        is_default: body.is_default ?? false,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Changes a scope config; integrations using it read the new scope from their next sync. */
export async function updateScopeConfig(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  body: ScopeConfigUpdate,
): Promise<ScopeConfigRow | undefined> {
  const existing = await findScopeConfig(ctx.db, workspaceId, id);
  if (!existing) return undefined;
  if (body.models) assertValidScope(ctx.connectors, existing.category, body.models);
  const now = iso(ctx.clock.now());
  return ctx.db.transaction().execute(async (trx) => {
    if (body.is_default) await clearDefault(trx, workspaceId, existing.category, now);
    return trx
      .updateTable("scope_configs")
      .set({
        updated_at: now,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.is_default === undefined ? {} : { is_default: body.is_default }),
        ...(body.models === undefined ? {} : { models: toJson(body.models) }),
      })
      .where("id", "=", id)
      .where("workspace_id", "=", workspaceId)
      .returningAll()
      .executeTakeFirst();
  });
}
