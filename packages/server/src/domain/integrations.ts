import type { Integration, RemoteAccount, SyncRun, WebhookEventData } from "@relink/sdk/contract";
import type { Kysely } from "kysely";
import type { Config } from "../config.ts";
import type { Credentials } from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { Database, IntegrationRow, SyncRunRow } from "../db/schema.ts";

export function toSyncRun(row: SyncRunRow): SyncRun {
  return {
    id: row.id,
    integration_id: row.integration_id,
    trigger: row.trigger as SyncRun["trigger"],
    status: row.status as SyncRun["status"],
    sync_state: row.sync_state as SyncRun["sync_state"],
    queued_at: row.queued_at,
    started_at: row.started_at,
    ended_at: row.ended_at,
    scope_config_id: row.scope_config_id,
    warnings: row.warnings,
    records: row.records,
    error: row.error,
  };
}

/** When the pause will happen if nothing changes: only while an active integration is failing. */
export function pausesAt(
  row: Pick<IntegrationRow, "failing_since" | "state">,
  config: Pick<Config, "pauseAfterMs">,
) {
  if (!row.failing_since || row.state !== "ACTIVE") return null;
  return new Date(Date.parse(row.failing_since) + config.pauseAfterMs).toISOString();
}

export function authStatus(
  row: Pick<IntegrationRow, "failing_since" | "last_checked_at">,
): Integration["auth"]["status"] {
  if (row.failing_since) return "FAILING";
  return row.last_checked_at ? "OK" : "UNKNOWN";
}

/** The remote account an integration's credentials belong to; null when the tool never said. */
export function remoteAccount(
  row: Pick<IntegrationRow, "account_id" | "account_name">,
): RemoteAccount | null {
  return row.account_id === null ? null : { id: row.account_id, name: row.account_name };
}

/** The public view of an integration. Never the credentials. */
export function toIntegration(
  row: IntegrationRow,
  config: Pick<Config, "pauseAfterMs">,
  lastSync: SyncRunRow | null,
): Integration {
  return {
    id: row.id,
    tool: row.tool,
    category: row.category as Integration["category"],
    state: row.state as Integration["state"],
    end_user: {
      origin_id: row.end_user_origin_id,
      organization_name: row.end_user_organization_name,
      email: row.end_user_email,
    },
    scope_config_id: row.scope_config_id,
    remote_account: remoteAccount(row),
    auth: {
      status: authStatus(row),
      failing_since: row.failing_since,
      last_checked_at: row.last_checked_at,
      last_succeeded_at: row.last_succeeded_at,
      failed_checks: row.failed_checks,
      pauses_at: pausesAt(row, config),
    },
    missing_permissions: row.missing_permissions,
    next_sync_at: row.next_sync_at,
    sync_interval_ms: row.sync_interval_ms,
    last_sync: lastSync ? toSyncRun(lastSync) : null,
    credentials_expire_at: row.credentials_expire_at ?? null,
    backfill_from: row.gap_from ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The integration summary that events carry (`integration-created`). */
export function integrationSummary(row: IntegrationRow): WebhookEventData<"integration-created"> {
  return {
    id: row.id,
    tool: row.tool,
    category: row.category as Integration["category"],
    end_user: {
      origin_id: row.end_user_origin_id,
      organization_name: row.end_user_organization_name,
      email: row.end_user_email,
    },
    state: row.state as Integration["state"],
    scope_config_id: row.scope_config_id,
  };
}

const integrationById = prepared((db, workspaceId: PreparedParam, id: PreparedParam) =>
  db.selectFrom("integrations").selectAll().where("id", "=", id).where("workspace_id", "=", workspaceId),
);

const syncRunById = prepared((db, id: PreparedParam) =>
  db.selectFrom("sync_runs").selectAll().where("id", "=", id),
);

/** An integration of the workspace by id (the primary key: one indexed read, compiled once). */
export async function findIntegration(
  db: Kysely<Database>,
  workspaceId: string,
  id: string,
): Promise<IntegrationRow | undefined> {
  return (await integrationById(db, workspaceId, id))[0];
}

export async function loadIntegrationView(ctx: RelinkContext, row: IntegrationRow): Promise<Integration> {
  const lastSync = row.last_sync_id ? ((await syncRunById(ctx.db, row.last_sync_id))[0] ?? null) : null;
  return toIntegration(row, ctx.config, lastSync);
}

/**
 * `loadIntegrationView` for a page of integrations: their last syncs in one read, each row mapped
 * by the same `toIntegration` and `toSyncRun` as a single read (the list once returned a join's
 * aliased columns, which SQLite left as JSON text).
 */
export async function loadIntegrationViews(
  ctx: RelinkContext,
  rows: readonly IntegrationRow[],
): Promise<Integration[]> {
  const syncIds = rows.flatMap((row) => (row.last_sync_id ? [row.last_sync_id] : []));
  const syncs = new Map<string, SyncRunRow>();
  if (syncIds.length > 0) {
    for (const sync of await ctx.db.selectFrom("sync_runs").selectAll().where("id", "in", syncIds).execute())
      syncs.set(sync.id, sync);
  }
  return rows.map((row) =>
    toIntegration(row, ctx.config, row.last_sync_id ? (syncs.get(row.last_sync_id) ?? null) : null),
  );
}

/** Credentials are sealed with the integration id as associated data: a sealed value cannot be moved to another row. */
export function sealCredentials(
  ctx: Pick<RelinkContext, "secrets">,
  integrationId: string,
  credentials: Credentials,
): string {
  return ctx.secrets.sealJson(credentials, integrationId);
}

/**
 * Whether two reads of an integration hold the same credentials. Not a comparison of the sealed
 * text alone: re-encryption under a new key (`rotate-encryption-key`) changes it, not the credentials.
 */
export function sameCredentials(
  ctx: Pick<RelinkContext, "secrets">,
  row: Pick<IntegrationRow, "id" | "credentials_sealed">,
  other: Pick<IntegrationRow, "credentials_sealed">,
): boolean {
  if (row.credentials_sealed === other.credentials_sealed) return true;
  try {
    return (
      ctx.secrets.open(row.credentials_sealed, row.id) === ctx.secrets.open(other.credentials_sealed, row.id)
    );
  } catch {
    return false;
  }
}

export function openCredentials(
  ctx: Pick<RelinkContext, "secrets">,
  row: Pick<IntegrationRow, "id" | "credentials_sealed">,
): Credentials {
  return ctx.secrets.openJson<Credentials>(row.credentials_sealed, row.id);
}
