import type { AuthOutcome, SyncState, SyncTrigger, SyncWarning } from "@relink/sdk/contract";
import type { Tx } from "../context.ts";
import { type IntegrationRow, type SyncRunRow, toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { recordEvent } from "./events.ts";
import { syncFinished } from "./integration-events.ts";

/**
 * The rows the integration store (`integration-store.ts`) writes beside an integration: its
 * auth-check rows and its sync-run rows, each built in one place. Part of the store: nothing else
 * writes these tables for an integration's transition.
 */

// ─── rows ───────────────────────────────────────────────────────────────────────────────────────

export type AuthCheckTrigger = "SYNC" | "MANUAL" | "IMPORT" | "RELINK" | "SESSION";

export interface CheckRecord {
  outcome: AuthOutcome;
  trigger: AuthCheckTrigger;
  detail: string | null;
  durationMs: number;
}

/** The `auth_checks` row of one check. */
export function authCheckValues(
  row: Pick<IntegrationRow, "id" | "workspace_id">,
  check: CheckRecord,
  at: string,
  id: string = newId("chk", Date.parse(at)),
) {
  return {
    id,
    workspace_id: row.workspace_id,
    integration_id: row.id,
    outcome: check.outcome,
    trigger: check.trigger,
    detail: check.detail?.slice(0, 500) ?? null,
    duration_ms: Math.max(0, Math.round(check.durationMs)),
    checked_at: at,
  };
}
export type AuthCheckValues = ReturnType<typeof authCheckValues>;

/** A new `sync_runs` row of an integration: queued (`QUEUED`), or already started or finished. */
export function newSyncRun(
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  trigger: SyncTrigger,
  at: string,
  fields: Partial<Pick<SyncRunRow, "id" | "status" | "queued_at" | "started_at">> = {},
): SyncRunRow {
  return {
    id: fields.id ?? newId("sync", Date.parse(at)),
    workspace_id: row.workspace_id,
    integration_id: row.id,
    trigger,
    status: fields.status ?? "QUEUED",
    sync_state: null,
    queued_at: fields.queued_at ?? at,
    started_at: fields.started_at ?? null,
    ended_at: null,
    scope_config_id: row.scope_config_id,
    warnings: [],
    records: {},
    error: null,
  };
}

export interface RunResult {
  sync_state: SyncState;
  warnings?: SyncWarning[];
  records?: Record<string, number>;
  error?: string | null;
  /** When it started (a queued run that never started: `at`). */
  startedAt?: string;
  scopeConfigId?: string | null;
}

/** A run, finished at `at` with `result`. */
export function finishedRun(run: SyncRunRow, result: RunResult, at: string): SyncRunRow {
  return {
    ...run,
    status: "FINISHED",
    sync_state: result.sync_state,
    started_at: result.startedAt ?? run.started_at ?? at,
    ended_at: at,
    scope_config_id: result.scopeConfigId === undefined ? run.scope_config_id : result.scopeConfigId,
    warnings: result.warnings ?? [],
    records: result.records ?? {},
    error: result.error?.slice(0, 1000) ?? null,
  };
}

/**
 * The finished `EXTERNAL` run of a sync session (the product ran the sync): started when the
 * session opened, ended at `at`.
 */
export function externalRun(
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  id: string,
  openedAt: string,
  result: RunResult,
  at: string,
): SyncRunRow {
  const run = newSyncRun(row, "EXTERNAL", at, {
    id,
    status: "RUNNING",
    queued_at: openedAt,
    started_at: openedAt,
  });
  return finishedRun(run, result, at);
}

// ─── sync runs ──────────────────────────────────────────────────────────────────────────────────

/** The integration's queued or running sync run, if any (at most one: a unique index keeps it so). */
export async function findOpenRun(tx: Tx, integrationId: string): Promise<SyncRunRow | undefined> {
  return tx.db
    .selectFrom("sync_runs")
    .selectAll()
    .where("integration_id", "=", integrationId)
    .where("status", "in", ["QUEUED", "RUNNING"])
    .executeTakeFirst();
}

/** A run as the columns written (JSON columns as text). */
export const runColumns = (run: SyncRunRow) => ({
  ...run,
  warnings: toJson(run.warnings),
  records: toJson(run.records),
});

export async function insertSyncRun(tx: Tx, run: SyncRunRow): Promise<void> {
  await tx.db.insertInto("sync_runs").values(runColumns(run)).execute();
}

/** Writes a run's changed columns (everything but who it belongs to and when it was queued). */
export async function updateSyncRun(tx: Tx, run: SyncRunRow): Promise<void> {
  const { id, workspace_id, integration_id, queued_at, ...changed } = runColumns(run);
  await tx.db.updateTable("sync_runs").set(changed).where("id", "=", id).execute();
}

/** Finishes a run and announces it (`sync-finished`). */
export async function finishSyncRun(
  tx: Tx,
  run: SyncRunRow,
  result: RunResult,
  at: string,
): Promise<SyncRunRow> {
  const finished = finishedRun(run, result, at);
  await updateSyncRun(tx, finished);
  await recordEvent(tx, syncFinished(finished, at));
  return finished;
}

/** Cancels the queued (or orphaned running) run of an integration that can no longer sync. */
export async function cancelOpenRun(
  tx: Tx,
  integrationId: string,
  reason: string,
  at: string,
): Promise<void> {
  const open = await findOpenRun(tx, integrationId);
  if (open) await finishSyncRun(tx, open, { sync_state: "CANCELLED", error: reason }, at);
}
