import type {
  AuthCheck,
  AuthOutcome,
  SyncState,
  SyncTrigger,
  SyncWarning,
  WebhookEventData,
} from "@relink/sdk/contract";
import type { Config } from "../config.ts";
import {
  type AuthCheckResult,
  type Connector,
  ConnectorError,
  type Credentials,
} from "../connectors/types.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import { chunks, insertRows, marks, memoText, raw, tuples } from "../db/bulk.ts";
import type { Dialect } from "../db/connect.ts";
import {
  type AuthCheckRow,
  type IntegrationRow,
  type IntegrationUpdate,
  type ScopeConfigRow,
  type SyncRunRow,
  toJson,
} from "../db/schema.ts";
import { newId } from "../ids.ts";
import { type NewEvent, recordEvent, recordEvents } from "./events.ts";
import { openCredentials, sameCredentials, sealCredentials } from "./integrations.ts";
import { lockIntegration, stateChangedData } from "./lifecycle.ts";
import {
  type AuthTransition,
  applyAuthOutcome,
  authCheckValues,
  authStatusChangedData,
  decideAuthTransition,
  pruneAuthChecks,
  pruneDue,
} from "./pause-engine.ts";
import { replaceRecords, type SealedRecords, sealSyncRecords } from "./records.ts";
import { missingPermissions, readableModels } from "./scope.ts";

/**
 * Sync runs: the auth check before every sync, the sync itself through the connector, and the
 * bookkeeping around both. Network calls happen outside transactions (check, then only on `OK` the
 * permissions and the sync); their results are written afterwards, a batch of claimed integrations
 * per transaction, which re-reads the rows and drops the results that went stale meanwhile. The run
 * is recorded once it has finished (a queued manual or relink run stays `QUEUED` until then).
 */

export function toAuthCheck(row: AuthCheckRow): AuthCheck {
  return {
    id: row.id,
    integration_id: row.integration_id,
    outcome: row.outcome as AuthCheck["outcome"],
    trigger: row.trigger as AuthCheck["trigger"],
    detail: row.detail,
    duration_ms: row.duration_ms,
    checked_at: row.checked_at,
  };
}

export const syncIntervalOf = (row: Pick<IntegrationRow, "sync_interval_ms">, config: Config) =>
  row.sync_interval_ms ?? config.syncIntervalMs;

const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * How long to wait after the `attempt`-th consecutive inconclusive attempt (0 = the first):
 * exponential from 1/16 of the interval (at most a minute), capped at the interval; a tool's
 * `Retry-After` is honoured (up to a day).
 */
export function retryDelayMs(attempt: number, intervalMs: number, retryAfterMs?: number): number {
  const base = Math.max(1, Math.min(60_000, Math.floor(intervalMs / 16)));
  const backoff = Math.min(intervalMs, base * 2 ** Math.min(attempt, 40));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

const addMs = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/** The connector's check, with anything it throws made `INCONCLUSIVE` (a connector bug never pauses anyone). */
export async function runAuthCheck(
  ctx: Pick<RelinkContext, "log">,
  connector: Connector,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<AuthCheckResult & { durationMs: number }> {
  const started = performance.now();
  try {
    const result = await connector.checkAuth({ credentials, signal });
    return { ...result, durationMs: performance.now() - started };
  } catch (error) {
    if (error instanceof ConnectorError) {
      return {
        outcome: error.outcome,
        detail: error.message,
        retryAfterMs: error.retryAfterMs,
        durationMs: performance.now() - started,
      };
    }
    ctx.log.error({ err: error, tool: connector.tool.id }, "connector checkAuth failed");
    return {
      outcome: "INCONCLUSIVE",
      detail: "the connector failed",
      durationMs: performance.now() - started,
    };
  }
}

// ─── the open run of an integration ─────────────────────────────────────────────────────────────

/** The integration's queued or running sync run, if any (at most one: a unique index keeps it so). */
export async function findOpenRun(tx: Tx, integrationId: string): Promise<SyncRunRow | undefined> {
  return tx.db
    .selectFrom("sync_runs")
    .selectAll()
    .where("integration_id", "=", integrationId)
    .where("status", "in", ["QUEUED", "RUNNING"])
    .executeTakeFirst();
}

interface FinishedRun {
  sync_state: SyncState;
  warnings?: SyncWarning[];
  records?: Record<string, number>;
  error?: string | null;
}

/** Finishes a run and announces it (`sync-finished`). */
async function finishRun(tx: Tx, run: SyncRunRow, result: FinishedRun, at: string): Promise<SyncRunRow> {
  const finished = await tx.db
    .updateTable("sync_runs")
    .set({
      status: "FINISHED",
      sync_state: result.sync_state,
      started_at: run.started_at ?? at,
      ended_at: at,
      warnings: toJson(result.warnings ?? []),
      records: toJson(result.records ?? {}),
      error: result.error?.slice(0, 1000) ?? null,
    })
    .where("id", "=", run.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvent(tx, {
    workspaceId: finished.workspace_id,
    type: "sync-finished",
    integrationId: finished.integration_id,
    data: syncFinishedData(finished, at),
    createdAt: at,
  });
  return finished;
}

/**
 * The run this claim works on, started: the queued one (a manual or relink request keeps its
 * trigger), or a new scheduled one. A run still `RUNNING` under a claim we now hold was left by a
 * worker that died: it is finished as `TIMED_OUT` first.
 */
async function startRun(tx: Tx, row: IntegrationRow, startedAt: string, at: string): Promise<SyncRunRow> {
  const open = await findOpenRun(tx, row.id);
  if (open?.status === "QUEUED") {
    return tx.db
      .updateTable("sync_runs")
      .set({ status: "RUNNING", started_at: startedAt, scope_config_id: row.scope_config_id })
      .where("id", "=", open.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  if (open) {
    await finishRun(
      tx,
      open,
      { sync_state: "TIMED_OUT", error: "the server running this sync stopped before it finished" },
      at,
    );
  }
  return tx.db
    .insertInto("sync_runs")
    .values({
      id: newId("sync", Date.parse(at)),
      workspace_id: row.workspace_id,
      integration_id: row.id,
      trigger: "SCHEDULE" satisfies SyncTrigger,
      status: "RUNNING",
      sync_state: null,
      queued_at: startedAt,
      started_at: startedAt,
      ended_at: null,
      scope_config_id: row.scope_config_id,
      warnings: toJson([]),
      records: toJson({}),
      error: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Cancels the queued run of an integration that can no longer sync (disabled, paused). */
export async function cancelOpenRun(
  tx: Tx,
  integrationId: string,
  reason: string,
  at: string,
): Promise<void> {
  const open = await findOpenRun(tx, integrationId);
  if (open) await finishRun(tx, open, { sync_state: "CANCELLED", error: reason }, at);
}

// ─── claimed integrations ───────────────────────────────────────────────────────────────────────

export type ClaimOutcome =
  | { kind: "synced"; syncState: SyncState; syncId: string; paused?: boolean }
  | { kind: "not-synced"; syncState: SyncState; syncId: string; outcome: AuthOutcome; paused?: boolean }
  | { kind: "skipped"; reason: "lease-lost" | "relinked" | "not-active" | "deleted" | "stopping" };

/** Aborted because the server is stopping (not because a call took too long). */
const stoppedBy = (signal: AbortSignal) =>
  signal.aborted && (signal.reason as { name?: string } | undefined)?.name !== "TimeoutError";

const releaseLease: IntegrationUpdate = { lease_owner: null, lease_expires_at: null };

type ScopeModels = ScopeConfigRow["models"];

/** What the network said about one claimed integration; nothing of it is written yet. */
export interface ClaimedWork {
  claimed: IntegrationRow;
  startedAt: string;
  signal: AbortSignal;
  result:
    | { kind: "inactive" }
    | { kind: "unusable"; message: string }
    | {
        kind: "checked";
        check: AuthCheckResult & { durationMs: number };
        granted: string[] | null;
        grantError: { message: string; retryAfterMs?: number } | null;
        /** Only after an `OK` check with the permissions read. */
        sync: {
          /** Sealed already (outside the writer's transaction): see `domain/records.ts`. */
          records: SealedRecords | null;
          warnings: SyncWarning[];
          missing: ReturnType<typeof missingPermissions>;
          failure: { state: SyncState; message: string; retryAfterMs?: number } | null;
        } | null;
      };
}

/** The models of the scope configs these integrations use (one query). */
export async function loadScopeModels(
  ctx: Pick<RelinkContext, "db">,
  rows: readonly Pick<IntegrationRow, "scope_config_id">[],
): Promise<Map<string, ScopeModels>> {
  const ids = [...new Set(rows.map((r) => r.scope_config_id).filter((id): id is string => id !== null))];
  const scopes = new Map<string, ScopeModels>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await ctx.db
      .selectFrom("scope_configs")
      .select(["id", "models"])
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const s of found) scopes.set(s.id, s.models);
  }
  return scopes;
}

/**
 * The network part of a claimed integration, outside any transaction: the auth check, then (only
 * on `OK`) what the credentials grant and the sync of the scope's readable models. A sync never
 * starts on credentials that just failed. `applyClaimed` writes the result.
 */
export async function runClaimedNetwork(
  ctx: RelinkContext,
  claimed: IntegrationRow,
  scopes: ReadonlyMap<string, ScopeModels>,
  signal: AbortSignal,
): Promise<ClaimedWork> {
  const startedAt = ctx.clock.now().toISOString();
  const work = (result: ClaimedWork["result"]): ClaimedWork => ({ claimed, startedAt, signal, result });
  if (claimed.state !== "ACTIVE") return work({ kind: "inactive" });

  const connector = ctx.connectors.get(claimed.tool);
  let credentials: Credentials | null = null;
  let unusable: string | null = null;
  try {
    credentials = openCredentials(ctx, claimed);
  } catch {
    unusable = "the stored credentials cannot be decrypted with the configured keys";
  }
  if (!connector) unusable = `no connector for tool "${claimed.tool}" is installed on this server`;
  if (!connector || !credentials) return work({ kind: "unusable", message: unusable ?? "sync failed" });

  const check = await runAuthCheck(ctx, connector, credentials, signal);
  const current = check.refreshedCredentials ?? credentials;
  let granted: string[] | null = null;
  let grantError: { message: string; retryAfterMs?: number } | null = null;
  if (check.outcome === "OK" && !stoppedBy(signal)) {
    try {
      granted = await connector.grantedPermissions({ credentials: current, signal });
    } catch (error) {
      grantError = connectorFailure(ctx, connector, error, "grantedPermissions");
    }
  }
  if (granted === null || stoppedBy(signal)) {
    return work({ kind: "checked", check, granted, grantError, sync: null });
  }

  const models = (claimed.scope_config_id ? scopes.get(claimed.scope_config_id) : undefined) ?? {};
  const missing = missingPermissions(connector.tool, models, granted, claimed.opted_out);
  const warnings: SyncWarning[] = missing.map((m) => ({ code: "PERMISSION_MISSING", ...m }));
  let records: SealedRecords | null = null;
  let failure: { state: SyncState; message: string; retryAfterMs?: number } | null = null;
  try {
    const requested = readableModels(connector.tool, models, granted, claimed.opted_out);
    // A tool the product syncs itself (no `sync`): the check was the work; no records are kept.
    if (connector.sync) {
      const result = await connector.sync({ credentials: current, signal, models: requested });
      records = sealSyncRecords(ctx.secrets, claimed.id, result.records ?? {}, requested);
    }
  } catch (error) {
    if (signal.aborted) {
      failure = stoppedBy(signal)
        ? { state: "CANCELLED", message: "the server stopped during the sync" }
        : { state: "TIMED_OUT", message: "the sync took too long" };
    } else {
      failure = { state: "FAILED", ...connectorFailure(ctx, connector, error, "sync") };
    }
  }
  return work({ kind: "checked", check, granted, grantError, sync: { records, warnings, missing, failure } });
}

/**
 * Runs one integration the scheduler has claimed (its `lease_owner` is `owner`): the network part,
 * then its result written in one transaction. The scheduler does the same for many at once.
 */
export async function runClaimedIntegration(
  ctx: RelinkContext,
  claimed: IntegrationRow,
  owner: string,
  signal: AbortSignal,
): Promise<ClaimOutcome> {
  const scopes = await loadScopeModels(ctx, [claimed]);
  const work = await runClaimedNetwork(ctx, claimed, scopes, signal);
  const [outcome] = await applyClaimed(ctx, owner, [work]);
  return outcome ?? { kind: "skipped", reason: "lease-lost" };
}

/**
 * Writes the results of claimed integrations in ONE transaction (all or nothing): re-reads (and on
 * PostgreSQL locks) their rows and drops the results that went stale meanwhile (deleted, claim
 * lost, relinked, disabled, stopping); applies each check (pause engine, with the events of its
 * transitions), records each run (`sync-finished`), stores the records of each successful sync,
 * schedules each next slot and releases each claim, with multi-row statements.
 */
export async function applyClaimed(
  ctx: RelinkContext,
  owner: string,
  works: readonly ClaimedWork[],
): Promise<ClaimOutcome[]> {
  if (works.length === 0) return [];
  return inTransaction(ctx, (tx) => applyClaimedIn(tx, ctx, owner, works));
}

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

async function applyClaimedIn(
  tx: Tx,
  ctx: RelinkContext,
  owner: string,
  works: readonly ClaimedWork[],
): Promise<ClaimOutcome[]> {
  const ids = [...new Set(works.map((w) => w.claimed.id))].sort();
  const locked = new Map<string, IntegrationRow>();
  const open = new Map<string, SyncRunRow>();
  for (const chunk of chunks(ids)) {
    // In id order: two appliers on PostgreSQL lock their common rows in the same order.
    const rows = await raw<IntegrationRow>(
      tx,
      ctx.dialect,
      memoText(
        `locked\u0000${ctx.dialect}\u0000${chunk.length}`,
        () =>
          `select * from integrations where id in ${marks(chunk.length)} order by id${ctx.dialect === "postgres" ? " for update" : ""}`,
      ),
      chunk,
    );
    for (const row of rows) locked.set(row.id, row);
    const runs = await raw<SyncRunRow>(
      tx,
      ctx.dialect,
      memoText(
        `open-runs\u0000${chunk.length}`,
        () =>
          `select * from sync_runs where integration_id in ${marks(chunk.length)} and status in ('QUEUED', 'RUNNING')`,
      ),
      chunk,
    );
    for (const run of runs) open.set(run.integration_id, run);
  }

  const now = ctx.clock.now();
  const at = now.toISOString();
  const nowMs = now.getTime();
  const checks: Array<ReturnType<typeof authCheckValues>> = [];
  const prune: string[] = [];
  const newRuns: unknown[][] = [];
  /** The rows to write back: those whose state and streak stay as they were (most runs), and the others. */
  const quiet: IntegrationRow[] = [];
  const changed: IntegrationRow[] = [];
  const released: string[] = [];
  const replaced: Array<{ id: string; records: SealedRecords }> = [];
  const events: NewEvent[] = [];
  const outcomes: ClaimOutcome[] = [];

  for (const work of works) {
    const { claimed, result } = work;
    const row = locked.get(claimed.id);
    if (!row) {
      outcomes.push({ kind: "skipped", reason: "deleted" });
      continue;
    }
    if (row.lease_owner !== owner) {
      outcomes.push({ kind: "skipped", reason: "lease-lost" });
      continue;
    }
    locked.delete(row.id); // a claim is applied once
    if (result.kind === "inactive") {
      if (row.state === "ACTIVE") {
        released.push(row.id);
        outcomes.push({ kind: "skipped", reason: "lease-lost" });
      } else {
        await settleInactiveIn(tx, ctx, row);
        outcomes.push({ kind: "skipped", reason: "not-active" });
      }
      continue;
    }
    if (result.kind === "unusable") {
      const run = await startRun(tx, row, work.startedAt, at);
      const finished = await finishRun(tx, run, { sync_state: "FAILED", error: result.message }, at);
      await scheduleRetry(tx, ctx, row, finished.id, at, undefined);
      ctx.log.error({ integration_id: row.id, tool: row.tool }, result.message);
      outcomes.push({
        kind: "not-synced",
        syncState: "FAILED",
        syncId: finished.id,
        outcome: "INCONCLUSIVE",
      });
      continue;
    }
    if (stoppedBy(work.signal)) {
      // The server is stopping: the check proves nothing; the claim goes back, due as it was.
      released.push(row.id);
      outcomes.push({ kind: "skipped", reason: "stopping" });
      continue;
    }
    if (!sameCredentials(ctx, row, claimed)) {
      // Relinked meanwhile: this result is about credentials no longer in use (the relink asked for a sync).
      released.push(row.id);
      outcomes.push({ kind: "skipped", reason: "relinked" });
      continue;
    }
    if (row.state !== "ACTIVE") {
      await settleInactiveIn(tx, ctx, row);
      outcomes.push({ kind: "skipped", reason: "not-active" });
      continue;
    }

    // 1. The check and the pause engine's transition.
    const { check, granted, grantError, sync } = result;
    const transition = decideAuthTransition(row, check.outcome, now, ctx.config.pauseAfterMs);
    checks.push(
      authCheckValues(
        row,
        {
          outcome: check.outcome,
          trigger: "SYNC",
          detail: check.detail ?? null,
          durationMs: check.durationMs,
        },
        at,
        newId("chk", nowMs),
      ),
    );
    if (pruneDue()) prune.push(row.id);
    const after: IntegrationRow = {
      ...row,
      ...transition.update,
      ...releaseLease,
      updated_at: at,
    } as IntegrationRow;
    if (check.refreshedCredentials) {
      after.credentials_sealed = sealCredentials(ctx, row.id, check.refreshedCredentials);
    }
    if (transition.stateChange?.to === "INVALID") after.next_sync_at = null;

    // 2. The run: a queued one (manual, relink) keeps its trigger; else a new scheduled one.
    const openRun = open.get(row.id);
    const queued = openRun?.status === "QUEUED" ? openRun : undefined;
    const leftover: FinishedRunEvent | null =
      openRun?.status === "RUNNING"
        ? await finishRunQuietly(
            tx,
            openRun,
            { sync_state: "TIMED_OUT", error: "the server running this sync stopped before it finished" },
            at,
          )
        : null;

    let syncState: SyncState;
    let error: string | null = null;
    let counts: Record<string, number> = {};
    let warnings: SyncWarning[] = [];
    const interval = syncIntervalOf(row, ctx.config);
    // A slot someone else set while we ran is kept (a queued run we now finish was asking for this one).
    const seen = queued ? row.next_sync_at : claimed.next_sync_at;
    if (check.outcome === "AUTH_FAILED") {
      syncState = "AUTHENTICATION_FAILED";
      error = check.detail ?? "the tool rejected the credentials";
      after.retry_attempt = 0;
      after.next_sync_at = after.state === "ACTIVE" ? addMs(at, interval) : null;
    } else if (check.outcome === "INCONCLUSIVE" || granted === null || sync === null) {
      syncState = "FAILED";
      error =
        check.outcome === "INCONCLUSIVE"
          ? `the credentials could not be checked: ${check.detail ?? "no answer from the tool"}`
          : `the permissions could not be read: ${grantError?.message ?? "no answer from the tool"}`;
      const delay = retryDelayMs(row.retry_attempt, interval, check.retryAfterMs ?? grantError?.retryAfterMs);
      after.retry_attempt = row.retry_attempt + 1;
      after.next_sync_at = nextSlot(after, undefined, addMs(at, delay));
    } else if (sync.failure) {
      syncState = sync.failure.state;
      error = sync.failure.message;
      if (sync.failure.state !== "CANCELLED") {
        const delay = retryDelayMs(row.retry_attempt, interval, sync.failure.retryAfterMs);
        after.retry_attempt = row.retry_attempt + 1;
        after.next_sync_at = nextSlot(after, seen, addMs(at, delay));
      } // cancelled: left due, another replica (or this one, restarted) takes it over
    } else {
      warnings = sync.warnings;
      syncState = warnings.length > 0 ? "PARTIALLY_FAILED" : "SUCCEEDED";
      counts = sync.records?.counts ?? {};
      if (sync.records) replaced.push({ id: row.id, records: sync.records });
      after.retry_attempt = 0;
      after.granted_permissions = granted;
      after.missing_permissions = sync.missing;
      after.next_sync_at = nextSlot(after, seen, addMs(at, interval));
    }

    const run: SyncRunRow = {
      id: queued?.id ?? newId("sync", nowMs),
      workspace_id: row.workspace_id,
      integration_id: row.id,
      trigger: queued?.trigger ?? ("SCHEDULE" satisfies SyncTrigger),
      status: "FINISHED",
      sync_state: syncState,
      queued_at: queued?.queued_at ?? work.startedAt,
      started_at: work.startedAt,
      ended_at: at,
      scope_config_id: row.scope_config_id,
      warnings,
      records: counts,
      error: error?.slice(0, 1000) ?? null,
    };
    if (queued) {
      await tx.db
        .updateTable("sync_runs")
        .set({
          status: run.status,
          sync_state: run.sync_state,
          started_at: run.started_at,
          ended_at: run.ended_at,
          scope_config_id: run.scope_config_id,
          warnings: toJson(run.warnings),
          records: toJson(run.records),
          error: run.error,
        })
        .where("id", "=", queued.id)
        .execute();
    } else {
      const values: Record<string, unknown> = {
        ...run,
        warnings: toJson(run.warnings),
        records: toJson(run.records),
      };
      newRuns.push(SYNC_RUN_COLUMNS.map((c) => values[c]));
    }
    after.last_sync_id = run.id;
    const same =
      after.state === row.state &&
      after.failing_since === row.failing_since &&
      after.credentials_sealed === row.credentials_sealed;
    (same ? quiet : changed).push(after);

    // 3. The events, in the order of what happened: the transitions, then the runs.
    if (transition.authStatus) {
      events.push({
        workspaceId: row.workspace_id,
        type: "integration-auth-status-changed",
        integrationId: row.id,
        data: authStatusChangedData(after, transition.authStatus, ctx.config),
        createdAt: at,
      });
    }
    if (transition.stateChange) {
      events.push({
        workspaceId: row.workspace_id,
        type: "integration-state-changed",
        integrationId: row.id,
        data: stateChangedData(after, transition.stateChange.from, transition.stateChange.reason, at),
        createdAt: at,
      });
    }
    if (leftover) events.push(leftover);
    events.push(syncFinishedEvent(run, at));

    // `paused`: this check paused the integration (ACTIVE to INVALID), for the metrics.
    const paused = transition.stateChange?.to === "INVALID";
    outcomes.push(
      check.outcome === "OK" && sync !== null && sync.failure === null
        ? { kind: "synced", syncState, syncId: run.id, paused }
        : { kind: "not-synced", syncState, syncId: run.id, outcome: check.outcome, paused },
    );
  }

  // The writes, a few multi-row statements for the whole batch.
  await insertRows(
    tx,
    ctx.dialect,
    "auth_checks",
    AUTH_CHECK_COLUMNS,
    checks.map((c) => AUTH_CHECK_COLUMNS.map((column) => c[column])),
  );
  if (prune.length > 0) await pruneAuthChecks(tx, prune);
  await insertRows(tx, ctx.dialect, "sync_runs", SYNC_RUN_COLUMNS, newRuns);
  for (const chunk of chunks(quiet)) await updateIntegrations(tx, ctx.dialect, chunk, QUIET);
  for (const chunk of chunks(changed)) await updateIntegrations(tx, ctx.dialect, chunk, CHANGED);
  for (const chunk of chunks(released)) {
    await tx.db.updateTable("integrations").set(releaseLease).where("id", "in", chunk).execute();
  }
  await replaceRecords(tx, ctx.dialect, replaced, at);
  await recordEvents(tx, events);
  return outcomes;
}

type FinishedRunEvent = NewEvent;

/** The `sync-finished` payload of a finished run (its state and end are set when it finishes). */
function syncFinishedData(run: SyncRunRow, at: string): WebhookEventData<"sync-finished"> {
  return {
    sync_id: run.id,
    integration_id: run.integration_id,
    sync_state: (run.sync_state ?? "FAILED") as SyncState,
    trigger: run.trigger as SyncTrigger,
    started_at: run.started_at,
    ended_at: run.ended_at ?? at,
    scope_config_id: run.scope_config_id,
    warnings: run.warnings,
  };
}

function syncFinishedEvent(run: SyncRunRow, at: string): NewEvent {
  return {
    workspaceId: run.workspace_id,
    type: "sync-finished",
    integrationId: run.integration_id,
    data: syncFinishedData(run, at),
    createdAt: at,
  };
}

/** Finishes a run; returns its `sync-finished` event for the caller to record in order. */
async function finishRunQuietly(tx: Tx, run: SyncRunRow, result: FinishedRun, at: string): Promise<NewEvent> {
  const finished: SyncRunRow = {
    ...run,
    status: "FINISHED",
    sync_state: result.sync_state,
    started_at: run.started_at ?? at,
    ended_at: at,
    warnings: result.warnings ?? [],
    records: result.records ?? {},
    error: result.error?.slice(0, 1000) ?? null,
  };
  await tx.db
    .updateTable("sync_runs")
    .set({
      status: finished.status,
      sync_state: finished.sync_state,
      started_at: finished.started_at,
      ended_at: finished.ended_at,
      warnings: toJson(finished.warnings),
      records: toJson(finished.records),
      error: finished.error,
    })
    .where("id", "=", run.id)
    .execute();
  return syncFinishedEvent(finished, at);
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
const WRITTEN_CHANGED: Written = [
  ...WRITTEN_QUIET,
  ["state", "text"],
  ["failing_since", "timestamptz"],
  ["credentials_sealed", "text"],
];
const JSON_WRITTEN = new Set<string>(["granted_permissions", "missing_permissions"]);

interface UpdateShape {
  name: string;
  columns: Written;
  json: boolean[];
}
const shape = (name: string, columns: Written): UpdateShape => ({
  name,
  columns,
  json: columns.map(([column]) => JSON_WRITTEN.has(column)),
});
const QUIET = shape("quiet", WRITTEN_QUIET);
const CHANGED = shape("changed", WRITTEN_CHANGED);

/** Updates many integrations with per-row values in one statement (`UPDATE … FROM (VALUES …)`), releasing their claims. */
async function updateIntegrations(
  tx: Tx,
  dialect: Dialect,
  rows: readonly IntegrationRow[],
  { name, columns, json }: UpdateShape,
): Promise<void> {
  if (rows.length === 0) return;
  const text = memoText(`update-integrations\u0000${name}\u0000${dialect}\u0000${rows.length}`, () => {
    const tuple =
      dialect === "postgres"
        ? `(${columns.map(([, type]) => `cast(? as ${type})`).join(", ")})`
        : marks(columns.length);
    const set = columns
      .slice(1)
      .map(([column]) => `${column} = v.${column}`)
      .join(", ");
    return `with v (${columns.map(([c]) => c).join(", ")}) as (values ${tuples(tuple, rows.length)})
    update integrations set ${set}, lease_owner = null, lease_expires_at = null
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

/**
 * The next slot of an integration we ran: none unless it is still `ACTIVE`; the one someone else
 * set while we ran (a relink asks for a sync now); else `planned`.
 */
function nextSlot(
  locked: IntegrationRow,
  seenNextSyncAt: string | null | undefined,
  planned: string,
): string | null {
  if (locked.state !== "ACTIVE") return null;
  if (seenNextSyncAt !== undefined && locked.next_sync_at !== seenNextSyncAt) return locked.next_sync_at;
  return planned;
}

async function scheduleRetry(
  tx: Tx,
  ctx: Pick<RelinkContext, "config">,
  row: IntegrationRow,
  syncId: string,
  at: string,
  retryAfterMs: number | undefined,
  seenNextSyncAt?: string | null,
): Promise<void> {
  const delay = retryDelayMs(row.retry_attempt, syncIntervalOf(row, ctx.config), retryAfterMs);
  await tx.db
    .updateTable("integrations")
    .set({
      ...releaseLease,
      last_sync_id: syncId,
      retry_attempt: row.retry_attempt + 1,
      next_sync_at: nextSlot(row, seenNextSyncAt, addMs(at, delay)),
    })
    .where("id", "=", row.id)
    .execute();
}

async function settleInactiveIn(tx: Tx, ctx: Pick<RelinkContext, "clock">, row: IntegrationRow) {
  const at = ctx.clock.now().toISOString();
  await cancelOpenRun(tx, row.id, `the integration is ${row.state}`, at);
  await tx.db
    .updateTable("integrations")
    .set({ ...releaseLease, next_sync_at: null })
    .where("id", "=", row.id)
    .execute();
}

function connectorFailure(
  ctx: Pick<RelinkContext, "log">,
  connector: Connector,
  error: unknown,
  operation: string,
): { message: string; retryAfterMs?: number } {
  if (error instanceof ConnectorError) return { message: error.message, retryAfterMs: error.retryAfterMs };
  ctx.log.error({ err: error, tool: connector.tool.id }, `connector ${operation} failed`);
  return { message: "the connector failed" };
}

// ─── manual operations ──────────────────────────────────────────────────────────────────────────

export type ManualSyncAnswer =
  | { kind: "queued"; syncId: string; alreadyQueued: boolean }
  | { kind: "not-found" }
  | { kind: "refused"; state: "INVALID" | "INACTIVE" };

/** Inserts a `QUEUED` sync run that the scheduler will pick up with the integration's next claim. */
export async function queueSyncRun(
  tx: Tx,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  trigger: SyncTrigger,
  at: string,
): Promise<string> {
  const id = newId("sync", Date.parse(at));
  await tx.db
    .insertInto("sync_runs")
    .values({
      id,
      workspace_id: row.workspace_id,
      integration_id: row.id,
      trigger,
      status: "QUEUED",
      sync_state: null,
      queued_at: at,
      started_at: null,
      ended_at: null,
      scope_config_id: row.scope_config_id,
      warnings: toJson([]),
      records: toJson({}),
      error: null,
    })
    .execute();
  return id;
}

/**
 * Queues a manual sync: at most one queued or running per integration (the one already there is
 * returned). The scheduler is woken and runs it (auth check first) with trigger `MANUAL`.
 */
export async function requestManualSync(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
): Promise<ManualSyncAnswer> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockIntegration(tx, ctx, workspaceId, id);
    if (!row) return { kind: "not-found" };
    if (row.state === "INVALID" || row.state === "INACTIVE") return { kind: "refused", state: row.state };
    const at = ctx.clock.now().toISOString();
    const open = await findOpenRun(tx, row.id);
    if (open) {
      const claimed = row.lease_owner !== null && row.lease_expires_at !== null && row.lease_expires_at > at;
      if (open.status === "QUEUED" || claimed)
        return { kind: "queued", syncId: open.id, alreadyQueued: true };
      await finishRun(
        tx,
        open,
        { sync_state: "TIMED_OUT", error: "the server running this sync stopped before it finished" },
        at,
      );
    }
    const syncId = await queueSyncRun(tx, row, "MANUAL", at);
    await tx.db
      .updateTable("integrations")
      .set({ next_sync_at: at, updated_at: at })
      .where("id", "=", row.id)
      .execute();
    tx.wake("scheduler");
    return { kind: "queued", syncId, alreadyQueued: false };
  });
}

export type ManualCheckAnswer =
  | {
      kind: "checked";
      outcome: AuthOutcome;
      /** For an `INCONCLUSIVE` outcome: how long the tool asked us to wait. */
      retryAfterMs?: number;
      check: AuthCheckRow;
      row: IntegrationRow;
      transition: AuthTransition;
    }
  | { kind: "not-found" }
  | { kind: "refused"; state: "INACTIVE" }
  | { kind: "no-connector" }
  | { kind: "changed" };

/**
 * Checks an integration's credentials now (the operator's button; a sync session's check, with
 * trigger `SESSION`). Allowed while `INVALID`: an `OK` ends the streak and resumes scheduling.
 * Refused while `INACTIVE`.
 */
export async function checkAuthNow(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  signal: AbortSignal,
  trigger: "MANUAL" | "SESSION" = "MANUAL",
): Promise<ManualCheckAnswer> {
  const before = await ctx.db
    .selectFrom("integrations")
    .selectAll()
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!before) return { kind: "not-found" };
  if (before.state === "INACTIVE") return { kind: "refused", state: "INACTIVE" };
  const connector = ctx.connectors.get(before.tool);
  if (!connector) return { kind: "no-connector" };
  let credentials: Credentials;
  try {
    credentials = openCredentials(ctx, before);
  } catch {
    return { kind: "no-connector" };
  }
  const check = await runAuthCheck(ctx, connector, credentials, signal);
  return inTransaction(ctx, async (tx) => {
    const row = await lockIntegration(tx, ctx, workspaceId, id);
    if (!row) return { kind: "not-found" };
    if (row.state === "INACTIVE") return { kind: "refused", state: "INACTIVE" };
    if (!sameCredentials(ctx, row, before)) return { kind: "changed" };
    const applied = await applyAuthOutcome(
      tx,
      ctx,
      row,
      {
        outcome: check.outcome,
        trigger,
        detail: check.detail ?? null,
        durationMs: check.durationMs,
      },
      check.refreshedCredentials
        ? { credentials_sealed: sealCredentials(ctx, row.id, check.refreshedCredentials) }
        : {},
    );
    const recorded = await tx.db
      .selectFrom("auth_checks")
      .selectAll()
      .where("id", "=", applied.checkId)
      .executeTakeFirstOrThrow();
    return {
      kind: "checked",
      outcome: check.outcome,
      ...(check.retryAfterMs === undefined ? {} : { retryAfterMs: check.retryAfterMs }),
      check: recorded,
      row: applied.row,
      transition: applied.transition,
    };
  });
}
