import type {
  RelinkCampaign,
  RelinkCampaignCreate,
  RelinkCampaignMember,
  RelinkCampaignPreview,
  RelinkCampaignProgress,
  ScopeConfigModels,
  Tool,
} from "@relink/sdk/contract";
import { type Selectable, sql } from "kysely";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import { insertRows } from "../db/bulk.ts";
import { type IntegrationRow, type RelinkCampaignTable, type ScopeConfigRow, toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { DomainError, notFound } from "./errors.ts";
import { recordEvent } from "./events.ts";
import { moveToScopeConfig } from "./integration-store.ts";
import { scopePermissions } from "./scope.ts";
import { assertValidScope, findScopeConfig } from "./scope-configs.ts";

/**
 * Relink campaigns (docs/design.md "Relink campaigns"): when the product needs more from everyone,
 * the operator previews how many integrations' granted permissions lack what the target scope
 * config requires, then one call records those integrations as the campaign's members. Nothing
 * about them changes: they keep syncing on their old scope config until each relinks onto the
 * target (a token or link with the target's `scope_config_id`); that relink marks the member
 * `RELINKED` and announces `relink-campaign-progressed`, in the relink's transaction.
 */

type Candidate = Pick<IntegrationRow, "id" | "tool" | "state" | "scope_config_id" | "granted_permissions">;

interface Plan {
  source: ScopeConfigRow;
  /** The target's models (the edit, or the source's own). */
  models: ScopeConfigModels;
  tool: string | null;
  considered: number;
  affected: Candidate[];
  /** Already granting the target, and not on it yet: moved onto it on creation. */
  granted: Candidate[];
  missing: RelinkCampaignPreview["missing"];
}

async function plan(
  ctx: RelinkContext,
  workspaceId: string,
  scopeConfigId: string,
  input: RelinkCampaignCreate,
  targetId?: string,
): Promise<Plan> {
  const source = await findScopeConfig(ctx.db, workspaceId, scopeConfigId);
  if (!source) throw notFound("Scope config");
  const models = (input.models ?? source.models) as ScopeConfigModels;
  if (input.models) assertValidScope(ctx.connectors, source.category, input.models);
  if (input.tool !== undefined) {
    const connector = ctx.connectors.get(input.tool);
    if (!connector) {
      throw new DomainError("UNKNOWN_TOOL", `Unknown tool "${input.tool}"; GET /v1/tools lists the tools.`);
    }
    if (connector.tool.category !== source.category) {
      throw new DomainError(
        "SCOPE_CONFIG_INVALID",
        `Scope config ${source.id} is for ${source.category}, not ${connector.tool.category} (${input.tool}).`,
      );
    }
  }
  let query = ctx.db
    .selectFrom("integrations")
    .select(["id", "tool", "state", "scope_config_id", "granted_permissions"])
    .where("workspace_id", "=", workspaceId);
  query =
    input.tool !== undefined
      ? query.where("tool", "=", input.tool)
      : query.where("scope_config_id", "=", source.id);
  const rows = await query.orderBy("id").execute();

  const required = new Map<string, string[] | null>();
  const requiredOf = (toolId: string) => {
    if (!required.has(toolId)) {
      const tool: Tool | undefined = ctx.connectors.get(toolId)?.tool;
      required.set(toolId, tool ? scopePermissions(tool, models).required : null);
    }
    return required.get(toolId) ?? null;
  };
  const affected: Candidate[] = [];
  const granted: Candidate[] = [];
  const lacking = new Map<string, number>();
  let considered = 0;
  const target = targetId ?? (input.models ? null : source.id);
  for (const row of rows) {
    const needs = requiredOf(row.tool);
    if (needs === null) continue; // no connector for its tool on this server: nothing can be said
    considered++;
    const have = new Set(row.granted_permissions);
    const missing = needs.filter((p) => !have.has(p));
    if (missing.length === 0) {
      if (row.scope_config_id !== target) granted.push(row);
      continue;
    }
    affected.push(row);
    for (const permission of missing) {
      const key = `${row.tool}\u0000${permission}`;
      lacking.set(key, (lacking.get(key) ?? 0) + 1);
    }
  }
  const missing = [...lacking.entries()]
    .map(([key, integrations]) => {
      const [tool = "", permission = ""] = key.split("\u0000");
      return { tool, permission, integrations };
    })
    .sort((a, b) => a.tool.localeCompare(b.tool) || a.permission.localeCompare(b.permission));
  return { source, models, tool: input.tool ?? null, considered, affected, granted, missing };
}

/** What creating the campaign would do, computed now (exact; nothing written). */
export async function previewCampaign(
  ctx: RelinkContext,
  workspaceId: string,
  scopeConfigId: string,
  input: RelinkCampaignCreate,
): Promise<RelinkCampaignPreview> {
  const p = await plan(ctx, workspaceId, scopeConfigId, input);
  return {
    source_scope_config_id: p.source.id,
    scope_config_id: input.models ? null : p.source.id,
    tool: p.tool,
    integrations: p.considered,
    affected: p.affected.length,
    paused: p.affected.filter((row) => row.state === "INVALID").length,
    already_granted: p.granted.length,
    missing: p.missing,
  };
}

const MEMBER_COLUMNS = [
  "campaign_id",
  "integration_id",
  "workspace_id",
  "scope_config_id",
  "relinked_at",
] as const;

/**
 * Creates the campaign: the target scope config (a new one for an edit), the members (bulk
 * inserts), and moves the integrations that already grant the target onto it. One transaction.
 */
export async function createCampaign(
  ctx: RelinkContext,
  workspaceId: string,
  scopeConfigId: string,
  input: RelinkCampaignCreate,
): Promise<RelinkCampaign> {
  const now = ctx.clock.now();
  const at = iso(now);
  const targetId = input.models ? newId("sc", now.getTime()) : scopeConfigId;
  const p = await plan(ctx, workspaceId, scopeConfigId, input, targetId);
  const id = newId("rc", now.getTime());
  await inTransaction(ctx, async (tx) => {
    if (input.models) {
      await tx.db
        .insertInto("scope_configs")
        .values({
          id: targetId,
          workspace_id: workspaceId,
          name: input.name ?? `${p.source.name} (${at.slice(0, 10)})`,
          category: p.source.category,
          models: toJson(input.models),
          is_default: false,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    await tx.db
      .insertInto("relink_campaigns")
      .values({
        id,
        workspace_id: workspaceId,
        source_scope_config_id: p.source.id,
        scope_config_id: targetId,
        tool: p.tool,
        total: p.affected.length,
        moved: p.granted.length,
        created_at: at,
      })
      .execute();
    await insertRows(
      tx,
      tx.dialect,
      "relink_campaign_members",
      MEMBER_COLUMNS,
      p.affected.map((row) => [id, row.id, workspaceId, targetId, null]),
    );
    await moveToScopeConfig(
      tx,
      workspaceId,
      p.granted.map((row) => row.id),
      targetId,
      at,
    );
  });
  const created = await findCampaign(ctx, workspaceId, scopeConfigId, id);
  if (!created) throw new Error("the campaign just created cannot be read");
  return created;
}

/** Relinked, pending and paused members (of integrations that still exist). */
async function progressOf(db: RelinkContext["db"], campaignId: string): Promise<RelinkCampaignProgress> {
  const row = await db
    .selectFrom("relink_campaign_members as m")
    .innerJoin("integrations as i", "i.id", "m.integration_id")
    .where("m.campaign_id", "=", campaignId)
    .select([
      sql<number>`count(*)`.as("total"),
      sql<number>`count(m.relinked_at)`.as("relinked"),
      sql<number>`coalesce(sum(case when m.relinked_at is null and i.state = 'INVALID' then 1 else 0 end), 0)`.as(
        "paused",
      ),
    ])
    .executeTakeFirstOrThrow();
  const total = Number(row.total);
  const relinked = Number(row.relinked);
  const paused = Number(row.paused);
  return { total, relinked, pending: total - relinked - paused, paused };
}

async function toCampaign(
  db: RelinkContext["db"],
  row: Selectable<RelinkCampaignTable>,
): Promise<RelinkCampaign> {
  return {
    id: row.id,
    source_scope_config_id: row.source_scope_config_id,
    scope_config_id: row.scope_config_id,
    tool: row.tool,
    moved: row.moved,
    progress: await progressOf(db, row.id),
    created_at: row.created_at,
  };
}

/** A campaign started from, or targeting, this scope config. */
export async function findCampaign(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  scopeConfigId: string,
  campaignId: string,
): Promise<RelinkCampaign | undefined> {
  const row = await ctx.db
    .selectFrom("relink_campaigns")
    .selectAll()
    .where("id", "=", campaignId)
    .where("workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.or([eb("source_scope_config_id", "=", scopeConfigId), eb("scope_config_id", "=", scopeConfigId)]),
    )
    .executeTakeFirst();
  return row ? toCampaign(ctx.db, row) : undefined;
}

/** The campaigns started from or targeting this scope config, newest first. */
export async function listCampaigns(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  scopeConfigId: string,
): Promise<RelinkCampaign[]> {
  const rows = await ctx.db
    .selectFrom("relink_campaigns")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where((eb) =>
      eb.or([eb("source_scope_config_id", "=", scopeConfigId), eb("scope_config_id", "=", scopeConfigId)]),
    )
    .orderBy("id", "desc")
    .limit(100)
    .execute();
  return Promise.all(rows.map((row) => toCampaign(ctx.db, row)));
}

/** A page of a campaign's members, by integration id. */
export async function listMembers(
  ctx: Pick<RelinkContext, "db">,
  campaignId: string,
  q: { limit: number; after?: string | null; status?: RelinkCampaignMember["status"] },
): Promise<RelinkCampaignMember[]> {
  let query = ctx.db
    .selectFrom("relink_campaign_members as m")
    .innerJoin("integrations as i", "i.id", "m.integration_id")
    .select(["m.integration_id", "m.relinked_at", "i.state"])
    .where("m.campaign_id", "=", campaignId)
    .orderBy("m.integration_id")
    .limit(q.limit + 1);
  if (q.after) query = query.where("m.integration_id", ">", q.after);
  if (q.status === "RELINKED") query = query.where("m.relinked_at", "is not", null);
  if (q.status === "PAUSED")
    query = query.where("m.relinked_at", "is", null).where("i.state", "=", "INVALID");
  if (q.status === "PENDING")
    query = query.where("m.relinked_at", "is", null).where("i.state", "!=", "INVALID");
  return (await query.execute()).map((row) => ({
    integration_id: row.integration_id,
    status: row.relinked_at ? "RELINKED" : row.state === "INVALID" ? "PAUSED" : "PENDING",
    relinked_at: row.relinked_at,
  }));
}

/**
 * In a completed relink's transaction: the campaigns whose target the integration now uses count
 * it relinked, each announcing `relink-campaign-progressed` (once: only a member not yet relinked).
 */
export async function recordCampaignProgress(
  tx: Tx,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  at: string,
): Promise<void> {
  if (row.scope_config_id === null) return;
  const done = await tx.db
    .updateTable("relink_campaign_members")
    .set({ relinked_at: at })
    .where("integration_id", "=", row.id)
    .where("scope_config_id", "=", row.scope_config_id)
    .where("relinked_at", "is", null)
    .returning("campaign_id")
    .execute();
  for (const { campaign_id } of done) {
    await recordEvent(tx, {
      workspaceId: row.workspace_id,
      type: "relink-campaign-progressed",
      integrationId: row.id,
      data: {
        campaign_id,
        integration_id: row.id,
        scope_config_id: row.scope_config_id,
        relinked_at: at,
        progress: await progressOf(tx.db, campaign_id),
      },
      createdAt: at,
    });
  }
}
