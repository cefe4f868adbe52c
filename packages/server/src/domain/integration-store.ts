import type { AuthOutcome, SyncState, SyncTrigger, SyncWarning } from "@relink/sdk/contract";
import type { Insertable } from "kysely";
import type { RelinkContext, Tx } from "../context.ts";
import { chunks, columnArrays, insertRows, marks, memoText, raw, tuples } from "../db/bulk.ts";
import type { Dialect } from "../db/connect.ts";
import {
  type IntegrationRow,
  type IntegrationTable,
  type IntegrationUpdate,
  type SyncRunRow,
  toJson,
} from "../db/schema.ts";
import { newId } from "../ids.ts";
import { pruneAuthChecks } from "./auth-check-retention.ts";
import { type NewEvent, recordEvent, recordEvents } from "./events.ts";
import { syncFinished } from "./integration-events.ts";
import type { IntegrationDraft, IntegrationPatch, Transition } from "./integration-machine.ts";

export {
  AUTH_CHECK_PRUNE_EVERY,
  AUTH_CHECK_RETENTION,
  PRUNE_AUTH_CHECKS,
  PRUNE_AUTH_CHECKS_MANY,
  pruneAuthChecks,
  pruneDue,
} from "./auth-check-retention.ts";

/**
 * The integration store: writes what the machine (`integration-machine.ts`) decided, one row or a
 * batch, together with its auth-check row, its sync-run rows and its outbox events, in the
 * caller's transaction. The only module that writes `integrations.state`. The auth-check row and
 * the sync-run row are built here, each in one place.
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

const runColumns = (run: SyncRunRow) => ({
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

// ─── one integration ───────────────────────────────────────────────────────────────────────────

/** Reads an integration inside a transaction, locking its row on PostgreSQL. */
export async function lockIntegration(
  tx: Tx,
  ctx: Pick<RelinkContext, "dialect">,
  workspaceId: string | null,
  id: string,
): Promise<IntegrationRow | undefined> {
  let query = tx.db.selectFrom("integrations").selectAll().where("id", "=", id);
  if (workspaceId !== null) query = query.where("workspace_id", "=", workspaceId);
  if (ctx.dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirst();
}

const JSON_COLUMNS = new Set<string>(["granted_permissions", "missing_permissions", "opted_out"]);

/** A patch as the columns Kysely writes (JSON columns as text). */
function columnsOf(patch: IntegrationPatch): IntegrationUpdate {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(patch)) {
    if (value !== undefined) out[column] = JSON_COLUMNS.has(column) ? toJson(value) : value;
  }
  return out as IntegrationUpdate;
}

/** What goes with one transition: its check, its runs (inserted or rewritten), events after the machine's. */
export interface TransitionExtras {
  authCheck?: AuthCheckValues;
  runs?: Array<{ insert: SyncRunRow } | { update: SyncRunRow }>;
  events?: NewEvent[];
}

/** A due slot (now or earlier) the scheduler should take at once. */
const dueNow = (update: IntegrationPatch): boolean =>
  update.next_sync_at != null && update.updated_at !== undefined && update.next_sync_at <= update.updated_at;

/**
 * Writes one transition of `row` (read, and locked, in `tx`) with its extras; returns the row
 * after it. A slot due now wakes this process's scheduler once the transaction commits.
 */
export async function writeTransition(
  tx: Tx,
  row: IntegrationRow,
  t: Transition,
  extras: TransitionExtras = {},
): Promise<IntegrationRow> {
  if (t.deletes) {
    await tx.db.deleteFrom("integrations").where("id", "=", row.id).execute();
  }
  const updated =
    t.deletes || Object.keys(t.update).length === 0
      ? row
      : await tx.db
          .updateTable("integrations")
          .set(columnsOf(t.update))
          .where("id", "=", row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
  if (extras.authCheck) await insertAuthCheck(tx, extras.authCheck);
  for (const run of extras.runs ?? []) {
    if ("insert" in run) await insertSyncRun(tx, run.insert);
    else await updateSyncRun(tx, run.update);
  }
  await recordEvents(tx, [...t.events, ...(extras.events ?? [])]);
  if (!t.deletes && dueNow(t.update) && updated.state === "ACTIVE") tx.wake("scheduler");
  return updated;
}

/** Inserts a new integration as the machine's `created` transition made it. */
export async function insertIntegration(
  tx: Tx,
  draft: IntegrationDraft,
  t: Transition,
  extras: TransitionExtras = {},
): Promise<IntegrationRow> {
  const inserted = await tx.db
    .insertInto("integrations")
    .values({ ...columnsOf(draft), ...columnsOf(t.update) } as Insertable<IntegrationTable>)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (extras.authCheck) await insertAuthCheck(tx, extras.authCheck);
  await recordEvents(tx, [...t.events, ...(extras.events ?? [])]);
  if (dueNow(t.update)) tx.wake("scheduler");
  return inserted;
}

/**
 * Stores the tokens an OAuth refresh gave (`connectors/oauth.ts`, under its lease): the same grant,
 * so no transition; state, streak and slots are left alone.
 */
export async function storeRefreshedCredentials(
  tx: Tx,
  integrationId: string,
  credentialsSealed: string,
): Promise<void> {
  await tx.db
    .updateTable("integrations")
    .set({ credentials_sealed: credentialsSealed })
    .where("id", "=", integrationId)
    .execute();
}

/** Inserts a check; a manual or scheduled one also prunes the integration's old checks. */
/**
 * Releases the scheduler's claims on these integrations, their slots as they were; `unschedule`
 * also clears their slots (an integration no longer `ACTIVE`). State and streak are left alone.
 */
export async function releaseClaims(
  tx: Tx,
  ids: readonly string[],
  { unschedule = false }: { unschedule?: boolean } = {},
): Promise<void> {
  const set = { lease_owner: null, lease_expires_at: null, ...(unschedule ? { next_sync_at: null } : {}) };
  for (const chunk of chunks(ids)) {
    await tx.db.updateTable("integrations").set(set).where("id", "in", chunk).execute();
  }
}

async function insertAuthCheck(tx: Tx, check: AuthCheckValues): Promise<void> {
  await tx.db.insertInto("auth_checks").values(check).execute();
  if (check.trigger === "MANUAL" || check.trigger === "SYNC" || check.trigger === "SESSION")
    await pruneAuthChecks(tx, [check.integration_id]);
}

// ─── a batch (the scheduler) ────────────────────────────────────────────────────────────────────

const AUTH_CHECK_COLUMNS = [
  "id",
  "workspace_id",
  "integration_id",
  "outcome",
  "trigger",
  "detail",
  "duration_ms",
  "checked_at",
] as const;
const SYNC_RUN_COLUMNS = [
  "id",
  "workspace_id",
  "integration_id",
  "trigger",
  "status",
  "sync_state",
  "queued_at",
  "started_at",
  "ended_at",
  "scope_config_id",
  "warnings",
  "records",
  "error",
] as const;

/** A batch of transitions of claimed integrations, written with a few multi-row statements. */
export interface Batch {
  /** Each row as read (`before`) and as it is written back, its claim released (`after`). */
  rows: Array<{ before: IntegrationRow; after: IntegrationRow }>;
  checks: AuthCheckValues[];
  /** Integrations whose old checks are pruned. */
  prune: string[];
  /** Runs to insert (new), and runs to rewrite (a queued or orphaned run finished). */
  newRuns: SyncRunRow[];
  updatedRuns: SyncRunRow[];
  /** In order. */
  events: NewEvent[];
}

/** Writes a batch (see `Batch`) in the caller's transaction. */
export async function writeBatch(tx: Tx, dialect: Dialect, batch: Batch): Promise<void> {
  await insertRows(
    tx,
    dialect,
    "auth_checks",
    AUTH_CHECK_COLUMNS,
    batch.checks.map((c) => AUTH_CHECK_COLUMNS.map((column) => c[column])),
  );
  if (batch.prune.length > 0) await pruneAuthChecks(tx, batch.prune);
  for (const run of batch.updatedRuns) await updateSyncRun(tx, run);
  await insertRows(
    tx,
    dialect,
    "sync_runs",
    SYNC_RUN_COLUMNS,
    batch.newRuns.map((run) => {
      const values = runColumns(run) as Record<string, unknown>;
      return SYNC_RUN_COLUMNS.map((c) => values[c]);
    }),
  );
  /** The rows whose state and streak stay as they were (most runs), and the others. */
  const quiet: IntegrationRow[] = [];
  const changed: IntegrationRow[] = [];
  for (const { before, after } of batch.rows) {
    const same = CHANGED_ONLY.every(([column]) => after[column] === before[column]);
    (same ? quiet : changed).push(after);
  }
  // PostgreSQL: one statement each (arrays); SQLite: one per power-of-two chunk (prepared shapes).
  for (const chunk of dialect === "postgres" ? [quiet] : chunks(quiet))
    await updateIntegrations(tx, dialect, chunk, QUIET);
  for (const chunk of dialect === "postgres" ? [changed] : chunks(changed))
    await updateIntegrations(tx, dialect, chunk, CHANGED);
  await recordEvents(tx, batch.events);
}

type Written = ReadonlyArray<readonly [keyof IntegrationRow, string]>;

/** The columns the scheduler writes back, per row, with their PostgreSQL types. */
const WRITTEN_QUIET: Written = [
  ["id", "text"],
  ["failed_checks", "integer"],
  ["last_checked_at", "timestamptz"],
  ["last_succeeded_at", "timestamptz"],
  ["next_sync_at", "timestamptz"],
  ["retry_attempt", "integer"],
  ["last_sync_id", "text"],
  ["granted_permissions", "jsonb"],
  ["missing_permissions", "jsonb"],
  ["updated_at", "timestamptz"],
];
/**
 * A column an index holds is rewritten in that index whenever an `UPDATE` sets it, even to the
 * same value (SQLite): `state` and `failing_since` (the dashboard's indexes) are set only for the
 * rows whose streak or state changed, so a quiet run touches no index but the due one; and the
 * sealed credentials (the longest value) only when the tool refreshed them.
 */
const CHANGED_ONLY: Written = [
  ["state", "text"],
  ["failing_since", "timestamptz"],
  ["credentials_sealed", "text"],
  // The paused window and the tool's expiry change with a pause, a resume or a check that says so.
  ["paused_at", "timestamptz"],
  ["gap_from", "timestamptz"],
  ["gap_until", "timestamptz"],
  ["gap_reported_at", "timestamptz"],
  ["credentials_expire_at", "timestamptz"],
];
const WRITTEN_CHANGED: Written = [...WRITTEN_QUIET, ...CHANGED_ONLY];

interface UpdateShape {
  name: string;
  columns: Written;
  json: boolean[];
}
const shape = (name: string, columns: Written): UpdateShape => ({
  name,
  columns,
  json: columns.map(([column]) => JSON_COLUMNS.has(column)),
});
const QUIET = shape("quiet", WRITTEN_QUIET);
const CHANGED = shape("changed", WRITTEN_CHANGED);

/**
 * Updates many integrations with per-row values in one statement, releasing their claims: SQLite
 * `UPDATE … FROM (VALUES …)` (one text per number of rows), PostgreSQL `UPDATE … FROM unnest(…)`
 * (each column one array: one text whatever the number of rows).
 */
async function updateIntegrations(
  tx: Tx,
  dialect: Dialect,
  rows: readonly IntegrationRow[],
  { name, columns, json }: UpdateShape,
): Promise<void> {
  if (rows.length === 0) return;
  const set = () =>
    columns
      .slice(1)
      .map(([column]) => `${column} = v.${column}`)
      .join(", ");
  const names = columns.map(([c]) => c).join(", ");
  if (dialect === "postgres") {
    const text = memoText(
      `update-integrations-unnest\u0000${name}`,
      () =>
        `update integrations set ${set()}, lease_owner = null, lease_expires_at = null
    from unnest(${columns.map(([, type]) => `cast(? as ${type}[])`).join(", ")}) as v (${names})
    where integrations.id = v.id`,
    );
    const values = rows.map((row) => columns.map(([column]) => row[column]));
    await raw(
      tx,
      dialect,
      text,
      columnArrays(
        values,
        columns.map(([, type]) => type),
      ),
    );
    return;
  }
  const text = memoText(`update-integrations\u0000${name}\u0000${dialect}\u0000${rows.length}`, () => {
    return `with v (${names}) as (values ${tuples(marks(columns.length), rows.length)})
    update integrations set ${set()}, lease_owner = null, lease_expires_at = null
    from v where integrations.id = v.id`;
  });
  const params: unknown[] = [];
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      const value = row[(columns[i] as Written[number])[0]];
      params.push(json[i] ? toJson(value) : value);
    }
  }
  await raw(tx, dialect, text, params);
}
