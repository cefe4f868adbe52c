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
import { pruneAuthChecks } from "./auth-check-retention.ts";
import { type NewEvent, recordEvents } from "./events.ts";
import type { IntegrationDraft, IntegrationPatch, Transition } from "./integration-machine.ts";
import { claimDueLocally, claimedNow, releaseOwnerLocal } from "./local-claims.ts";
import { type AuthCheckValues, insertSyncRun, runColumns, updateSyncRun } from "./store-rows.ts";

export {
  AUTH_CHECK_PRUNE_EVERY,
  AUTH_CHECK_RETENTION,
  PRUNE_AUTH_CHECKS,
  PRUNE_AUTH_CHECKS_MANY,
  pruneAuthChecks,
  pruneDue,
} from "./auth-check-retention.ts";
export {
  type AuthCheckTrigger,
  type AuthCheckValues,
  authCheckValues,
  type CheckRecord,
  cancelOpenRun,
  externalRun,
  findOpenRun,
  finishedRun,
  finishSyncRun,
  insertSyncRun,
  newSyncRun,
  type RunResult,
  updateSyncRun,
} from "./store-rows.ts";

/**
 * The integration store: writes what the machine (`integration-machine.ts`) decided, one row or a
 * batch, together with its auth-check row, its sync-run rows and its outbox events, in the
 * caller's transaction. The only module that writes the `integrations` table (`pnpm
 * check:architecture` fails on any other): the machine's transitions, the scheduler's claims and
 * their release, a campaign's move to its scope config, the expiry warnings' marks. The auth-check
 * and sync-run rows are built in `store-rows.ts`, each in one place.
 */

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

/** Releases every claim `owner` still holds, the slots due as they were (a scheduler stopping). */
export async function releaseOwnerClaims(
  ctx: Pick<RelinkContext, "db" | "claims">,
  owner: string,
): Promise<void> {
  if (ctx.claims) releaseOwnerLocal(ctx.claims, owner);
  // SQLite too: rows an older version leased (claims are no longer written there).
  await ctx.db
    .updateTable("integrations")
    .set({ lease_owner: null, lease_expires_at: null })
    .where("lease_owner", "=", owner)
    .execute();
}

/** The due scan, shared by the claim and by the query-plan test: it must use `integrations_due`. */
export function dueIntegrationsQuery(ctx: Pick<RelinkContext, "db">, now: string, limit: number) {
  return ctx.db
    .selectFrom("integrations")
    .select("id")
    .where("next_sync_at", "<=", now)
    .where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_expires_at", "<", now)]))
    .orderBy("next_sync_at")
    .limit(limit);
}

/** Claims up to `limit` due integrations for `owner` (a lease until `now + leaseMs`); returns the claimed rows. */
export async function claimDue(
  ctx: Pick<RelinkContext, "db" | "dialect" | "claims" | "clock" | "config" | "log">,
  owner: string,
  limit: number,
): Promise<IntegrationRow[]> {
  if (limit <= 0) return [];
  const nowDate = ctx.clock.now();
  const now = nowDate.toISOString();
  const expiresMs = nowDate.getTime() + ctx.config.leaseMs;
  const expires = new Date(expiresMs).toISOString();
  if (ctx.dialect === "sqlite") {
    if (!ctx.claims) throw new TypeError("claiming on SQLite needs the process's claims (ctx.claims)");
    return claimDueLocally(ctx, ctx.claims, owner, limit, { nowMs: nowDate.getTime(), expiresMs });
  }
  const due = dueIntegrationsQuery(ctx, now, limit);
  return ctx.db
    .updateTable("integrations")
    .set({ lease_owner: owner, lease_expires_at: expires })
    .where("id", "in", due.forUpdate().skipLocked())
    .returningAll()
    .execute();
}

/** Whether a scheduler holds a live claim on `row` at `at` (its result will be written by it). */
export function isClaimed(
  ctx: Pick<RelinkContext, "claims">,
  row: Pick<IntegrationRow, "id" | "lease_owner" | "lease_expires_at">,
  at: string,
): boolean {
  if (ctx.claims && claimedNow(ctx.claims, row.id, Date.parse(at))) return true;
  return row.lease_owner !== null && row.lease_expires_at !== null && row.lease_expires_at > at;
}

/**
 * A campaign moves the integrations of a workspace that already grant its target onto it: the
 * scope config changes, nothing else (no check, no state, no event: the grant was already there).
 */
export async function moveToScopeConfig(
  tx: Tx,
  workspaceId: string,
  ids: readonly string[],
  scopeConfigId: string,
  at: string,
): Promise<void> {
  for (const chunk of chunks(ids)) {
    await tx.db
      .updateTable("integrations")
      .set({ scope_config_id: scopeConfigId, updated_at: at })
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", chunk)
      .execute();
  }
}

/**
 * Marks these integrations as warned for their current credentials' expiry, unless another
 * process did first; returns the rows it marked (those whose warning this caller announces).
 */
export async function markExpiryWarned(tx: Tx, ids: readonly string[]): Promise<IntegrationRow[]> {
  const marked: IntegrationRow[] = [];
  for (const chunk of chunks(ids)) {
    marked.push(
      ...(await tx.db
        .updateTable("integrations")
        .set((eb) => ({ expiry_warned_for: eb.ref("credentials_expire_at") }))
        .where("id", "in", chunk)
        .where((eb) =>
          eb.or([
            eb("expiry_warned_for", "is", null),
            eb("expiry_warned_for", "!=", eb.ref("credentials_expire_at")),
          ]),
        )
        .returningAll()
        .execute()),
    );
  }
  return marked;
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
  /** SQLite: the rows' rowids, read with their ids in this transaction (the update finds each row by it). */
  rowids?: ReadonlyMap<string, number>;
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
    await updateIntegrations(tx, dialect, chunk, QUIET, batch.rowids);
  for (const chunk of dialect === "postgres" ? [changed] : chunks(changed))
    await updateIntegrations(tx, dialect, chunk, CHANGED, batch.rowids);
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
export const QUIET = shape("quiet", WRITTEN_QUIET);
export const CHANGED = shape("changed", WRITTEN_CHANGED);

/**
 * SQLite's text of the batch update of `rows` integrations (one per shape and number of rows),
 * finding each row by its rowid or by its id (exported for the query-plan test).
 */
export function sqliteIntegrationsUpdate(
  { name, columns }: UpdateShape,
  rows: number,
  byRowid: boolean,
): string {
  return memoText(`update-integrations\u0000${name}\u0000sqlite\u0000${rows}\u0000${byRowid}`, () => {
    const set = columns
      .slice(1)
      .map(([column]) => `${column} = v.${column}`)
      .join(", ");
    const names = columns.map(([c]) => c).join(", ");
    const tuple = marks(columns.length + (byRowid ? 1 : 0));
    // By rowid: the caller read each row by it in this same transaction and checked its id (a
    // rowid changes only in a VACUUM, which cannot run inside the transaction).
    const match = byRowid ? "integrations.rowid = v.rid" : "integrations.id = v.id";
    return `with v (${byRowid ? "rid, " : ""}${names}) as (values ${tuples(tuple, rows)})
    update integrations set ${set}, lease_owner = null, lease_expires_at = null
    from v where ${match}`;
  });
}

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
  rowids?: ReadonlyMap<string, number>,
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
  // SQLite: by rowid when the batch read every row's (the row itself, not through the primary key's
  // index: one B-tree less per row).
  const byRowid = rowids !== undefined && rows.every((row) => rowids.has(row.id));
  const text = sqliteIntegrationsUpdate(name === "quiet" ? QUIET : CHANGED, rows.length, byRowid);
  const params: unknown[] = [];
  for (const row of rows) {
    if (byRowid) params.push(rowids.get(row.id));
    for (let i = 0; i < columns.length; i++) {
      const value = row[(columns[i] as Written[number])[0]];
      params.push(json[i] ? toJson(value) : value);
    }
  }
  await raw(tx, dialect, text, params);
}
