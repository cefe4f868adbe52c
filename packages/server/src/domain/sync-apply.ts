import type { AuthOutcome, SyncState, SyncWarning } from "@relink/sdk/contract";
import { backoffDelay } from "@relink/sdk/retry";
import type { Config } from "../config.ts";
import { sameGrantStored } from "../connectors/oauth.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import { chunks, marks, memoText, raw } from "../db/bulk.ts";
import type { IntegrationRow, IntegrationUpdate, SyncRunRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { syncFinished } from "./integration-events.ts";
import { transition } from "./integration-machine.ts";
import {
  authCheckValues,
  type Batch,
  cancelOpenRun,
  finishedRun,
  newSyncRun,
  pruneDue,
  type RunResult,
  releaseClaims,
  writeBatch,
} from "./integration-store.ts";
import { sameCredentials, sealCredentials } from "./integrations.ts";
import { ROWS_BY_ROWID, releaseLocal, stillHoldsFileLease } from "./local-claims.ts";
import { replaceRecords, type SealedRecords } from "./records.ts";
import { withUnreportedGap } from "./resume-gap.ts";
import { type ClaimedWork, loadScopeModels, runClaimedNetwork, stoppedBy } from "./sync-network.ts";

/**
 * Applying the scheduler's results: the network part (`sync-network.ts`) has run outside any
 * transaction; here a batch of claimed integrations is written per transaction, which re-reads the
 * rows and drops the results that went stale meanwhile. Each check asks the machine for its
 * transition; the run, its next slot and its records are decided here; the store writes the whole
 * batch with a few multi-row statements.
 */

export type ClaimOutcome =
  | { kind: "synced"; syncState: SyncState; syncId: string; paused?: boolean }
  | { kind: "not-synced"; syncState: SyncState; syncId: string; outcome: AuthOutcome; paused?: boolean }
  | { kind: "skipped"; reason: "lease-lost" | "relinked" | "not-active" | "deleted" | "stopping" };

export const syncIntervalOf = (row: Pick<IntegrationRow, "sync_interval_ms">, config: Config) =>
  row.sync_interval_ms ?? config.syncIntervalMs;

const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * How long to wait after the `attempt`-th consecutive inconclusive attempt (0 = the first):
 * exponential from 1/16 of the interval (at most a minute), capped at the interval; a tool's
 * `Retry-After` is honoured (up to a day).
 */
export function retryDelayMs(attempt: number, intervalMs: number, retryAfterMs?: number): number {
  const baseMs = Math.max(1, Math.min(60_000, Math.floor(intervalMs / 16)));
  const backoff = backoffDelay(attempt, { baseMs, maxMs: intervalMs, jitter: "none" });
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

const addMs = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

const releaseLease = { lease_owner: null, lease_expires_at: null } satisfies IntegrationUpdate;

/** The orphan's end: a run still `RUNNING` under a claim we now hold was left by a worker that died. */
const ORPHANED = {
  sync_state: "TIMED_OUT",
  error: "the server running this sync stopped before it finished",
} as const;

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
 * lost, relinked, disabled, stopping); applies each check (the machine's transition, with its
 * events), records each run (`sync-finished`), stores the records of each successful sync,
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

/**
 * The claimed rows, re-read (locked on PostgreSQL, in id order), and their open runs. On SQLite
 * the rows this process claimed are read by the rowids their claims keep (the row itself, not
 * through the primary key's index: one B-tree less per row); a row not found there (deleted, or
 * moved by a VACUUM) is looked up by id with the rest. `rowids`: the rows found by rowid, for the
 * batch's update.
 */
async function readClaimed(tx: Tx, ctx: RelinkContext, works: readonly ClaimedWork[]) {
  const ids = [...new Set(works.map((w) => w.claimed.id))].sort();
  const locked = new Map<string, IntegrationRow>();
  const open = new Map<string, SyncRunRow>();
  const rowids = new Map<string, number>();
  if (ctx.claims) {
    const wanted = new Map<number, string>();
    for (const id of ids) {
      const rowid = ctx.claims.held.get(id)?.rowid;
      if (rowid !== undefined) wanted.set(rowid, id);
    }
    const rows = await raw<IntegrationRow & { rowid: number }>(tx, ctx.dialect, ROWS_BY_ROWID, [
      JSON.stringify([...wanted.keys()]),
    ]);
    for (const { rowid, ...row } of rows) {
      if (wanted.get(rowid) !== row.id) continue;
      locked.set(row.id, row);
      rowids.set(row.id, rowid);
    }
  }
  const postgres = ctx.dialect === "postgres";
  // PostgreSQL: all at once (the ids as one array: every statement is a round trip); SQLite: in
  // power-of-two chunks (a prepared statement per shape).
  const among = (n: number) => (postgres ? "= any(cast(? as text[]))" : `in ${marks(n)}`);
  const byId = ids.filter((id) => !locked.has(id));
  for (const chunk of postgres ? [byId] : chunks(byId)) {
    if (chunk.length === 0) continue;
    // In id order: two appliers on PostgreSQL lock their common rows in the same order.
    const rows = await raw<IntegrationRow>(
      tx,
      ctx.dialect,
      memoText(
        `locked\u0000${ctx.dialect}\u0000${postgres ? "any" : chunk.length}`,
        () =>
          `select * from integrations where id ${among(chunk.length)} order by id${postgres ? " for update" : ""}`,
      ),
      postgres ? [chunk] : chunk,
    );
    for (const row of rows) locked.set(row.id, row);
  }
  for (const chunk of postgres ? [ids] : chunks(ids)) {
    const runs = await raw<SyncRunRow>(
      tx,
      ctx.dialect,
      memoText(
        `open-runs\u0000${ctx.dialect}\u0000${postgres ? "any" : chunk.length}`,
        () =>
          `select * from sync_runs where integration_id ${among(chunk.length)} and status in ('QUEUED', 'RUNNING')`,
      ),
      postgres ? [chunk] : chunk,
    );
    for (const run of runs) open.set(run.integration_id, run);
  }
  return { locked, open, rowids };
}

async function applyClaimedIn(
  tx: Tx,
  ctx: RelinkContext,
  owner: string,
  works: readonly ClaimedWork[],
): Promise<ClaimOutcome[]> {
  const { locked, open, rowids } = await readClaimed(tx, ctx, works);
  // Whose claim each row is: its lease (PostgreSQL), or this process's memory while it still holds
  // the SQLite file's lease (read in this transaction); a claim applied here is released on commit.
  const local = ctx.claims;
  const fileLeaseHeld = local ? await stillHoldsFileLease(tx, local) : false;
  const ours = (id: string, row?: IntegrationRow) =>
    local ? fileLeaseHeld && local.held.get(id)?.owner === owner : row?.lease_owner === owner;
  const settled: string[] = [];
  if (local) tx.afterCommit(() => releaseLocal(local, owner, settled));
  const now = ctx.clock.now();
  const at = now.toISOString();
  const nowMs = now.getTime();
  const batch: Batch = {
    rows: [],
    checks: [],
    prune: [],
    newRuns: [],
    updatedRuns: [],
    events: [],
    ...(ctx.claims ? { rowids } : {}),
  };
  const released: string[] = [];
  const replaced: Array<{ id: string; records: SealedRecords }> = [];
  const outcomes: ClaimOutcome[] = [];

  /**
   * The run this claim finishes with `result`: the queued one (a manual or relink request keeps its
   * trigger), or a new scheduled one; an orphaned running one is finished as `TIMED_OUT` first.
   * Returns the finished run; its events go into the batch.
   */
  const finishClaimRun = (work: ClaimedWork, row: IntegrationRow, result: RunResult): SyncRunRow => {
    const openRun = open.get(row.id);
    if (openRun?.status === "RUNNING") {
      const orphan = finishedRun(openRun, ORPHANED, at);
      batch.updatedRuns.push(orphan);
      batch.events.push(syncFinished(orphan, at));
    }
    const queued = openRun?.status === "QUEUED" ? openRun : undefined;
    const started = { ...result, startedAt: work.startedAt, scopeConfigId: row.scope_config_id };
    if (queued) {
      const run = finishedRun(queued, started, at);
      batch.updatedRuns.push(run);
      return run;
    }
    const fresh = newSyncRun(row, "SCHEDULE", at, {
      id: newId("sync", nowMs),
      status: "RUNNING",
      queued_at: work.startedAt,
      started_at: work.startedAt,
    });
    const run = finishedRun(fresh, started, at);
    batch.newRuns.push(run);
    return run;
  };

  for (const work of works) {
    const { claimed, result } = work;
    const row = locked.get(claimed.id);
    if (!row) {
      if (ours(claimed.id)) settled.push(claimed.id);
      outcomes.push({ kind: "skipped", reason: "deleted" });
      continue;
    }
    if (!ours(row.id, row)) {
      outcomes.push({ kind: "skipped", reason: "lease-lost" });
      continue;
    }
    locked.delete(row.id); // a claim is applied once
    settled.push(row.id);
    if (result.kind === "inactive") {
      if (row.state === "ACTIVE") {
        released.push(row.id);
        outcomes.push({ kind: "skipped", reason: "lease-lost" });
      } else {
        await settleInactive(tx, row, at);
        outcomes.push({ kind: "skipped", reason: "not-active" });
      }
      continue;
    }
    if (result.kind === "unusable") {
      const run = finishClaimRun(work, row, { sync_state: "FAILED", error: result.message });
      batch.events.push(syncFinished(run, at));
      const delay = retryDelayMs(row.retry_attempt, syncIntervalOf(row, ctx.config));
      batch.rows.push({
        before: row,
        after: {
          ...row,
          ...releaseLease,
          last_sync_id: run.id,
          retry_attempt: row.retry_attempt + 1,
          next_sync_at: nextSlot(row, undefined, addMs(at, delay)),
        },
      });
      ctx.log.error({ integration_id: row.id, tool: row.tool }, result.message);
      outcomes.push({ kind: "not-synced", syncState: "FAILED", syncId: run.id, outcome: "INCONCLUSIVE" });
      continue;
    }
    if (stoppedBy(work.signal)) {
      // The server is stopping: the check proves nothing; the claim goes back, due as it was.
      released.push(row.id);
      outcomes.push({ kind: "skipped", reason: "stopping" });
      continue;
    }
    // A refresh (same OAuth grant, new tokens) is no relink.
    if (!sameCredentials(ctx, row, claimed) && !sameGrantStored(ctx, row, claimed)) {
      // Relinked meanwhile: this result is about credentials no longer in use (the relink asked for a sync).
      released.push(row.id);
      outcomes.push({ kind: "skipped", reason: "relinked" });
      continue;
    }
    if (row.state !== "ACTIVE") {
      await settleInactive(tx, row, at);
      outcomes.push({ kind: "skipped", reason: "not-active" });
      continue;
    }

    // 1. The check and the machine's transition.
    const { check, granted, grantError, sync } = result;
    const t = transition(
      row,
      {
        kind: "auth-checked",
        outcome: check.outcome,
        ...(check.credentialsExpireAt !== undefined
          ? { credentialsExpireAt: check.credentialsExpireAt }
          : {}),
        ...(check.refreshedCredentials
          ? { credentialsSealed: sealCredentials(ctx, row.id, check.refreshedCredentials) }
          : {}),
      },
      now,
      ctx.config,
    );
    batch.checks.push(
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
    if (pruneDue()) batch.prune.push(row.id);
    const after: IntegrationRow = { ...row, ...t.update, ...releaseLease, updated_at: at };
    // The machine's events first (the transition), then the runs'.
    batch.events.push(...t.events);

    // 2. The run and the next slot.
    const interval = syncIntervalOf(row, ctx.config);
    // A slot someone else set while we ran is kept (a queued run we now finish was asking for this one).
    const seen = open.get(row.id)?.status === "QUEUED" ? row.next_sync_at : claimed.next_sync_at;
    let outcome: RunResult;
    if (check.outcome === "AUTH_FAILED") {
      outcome = {
        sync_state: "AUTHENTICATION_FAILED",
        error: check.detail ?? "the tool rejected the credentials",
      };
      after.retry_attempt = 0;
      after.next_sync_at = after.state === "ACTIVE" ? addMs(at, interval) : null;
    } else if (check.outcome === "INCONCLUSIVE" || granted === null || sync === null) {
      outcome = {
        sync_state: "FAILED",
        error:
          check.outcome === "INCONCLUSIVE"
            ? `the credentials could not be checked: ${check.detail ?? "no answer from the tool"}`
            : `the permissions could not be read: ${grantError?.message ?? "no answer from the tool"}`,
      };
      const delay = retryDelayMs(row.retry_attempt, interval, check.retryAfterMs ?? grantError?.retryAfterMs);
      after.retry_attempt = row.retry_attempt + 1;
      after.next_sync_at = nextSlot(after, undefined, addMs(at, delay));
    } else if (sync.failure) {
      outcome = { sync_state: sync.failure.state, error: sync.failure.message };
      if (sync.failure.state !== "CANCELLED") {
        const delay = retryDelayMs(row.retry_attempt, interval, sync.failure.retryAfterMs);
        after.retry_attempt = row.retry_attempt + 1;
        after.next_sync_at = nextSlot(after, seen, addMs(at, delay));
      } // cancelled: left due, another replica (or this one, restarted) takes it over
    } else {
      const warnings: SyncWarning[] = sync.warnings;
      outcome = {
        sync_state: warnings.length > 0 ? "PARTIALLY_FAILED" : "SUCCEEDED",
        warnings,
        records: sync.records?.counts ?? {},
      };
      // An auth-only tool (no `sync`) keeps no records: its stored ones are left as they are.
      if (sync.records) replaced.push({ id: row.id, records: sync.records });
      after.retry_attempt = 0;
      after.granted_permissions = granted;
      after.missing_permissions = sync.missing;
      after.next_sync_at = nextSlot(after, seen, addMs(at, interval));
    }
    const run = finishClaimRun(work, row, outcome);
    after.last_sync_id = run.id;
    // The first sync-finished after a resume carries the paused window, once.
    const finished = withUnreportedGap(syncFinished(run, at), after);
    if (finished.reported) after.gap_reported_at = at;
    batch.rows.push({ before: row, after });
    batch.events.push(finished.event);

    // `paused`: this check paused the integration (ACTIVE to INVALID), for the metrics.
    const paused = t.update.state === "INVALID";
    const syncState = outcome.sync_state;
    outcomes.push(
      check.outcome === "OK" && sync !== null && sync.failure === null
        ? { kind: "synced", syncState, syncId: run.id, paused }
        : { kind: "not-synced", syncState, syncId: run.id, outcome: check.outcome, paused },
    );
  }

  await writeBatch(tx, ctx.dialect, batch);
  await releaseClaims(tx, released);
  await replaceRecords(tx, ctx.dialect, replaced, at);
  return outcomes;
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

/** A claim on an integration no longer `ACTIVE`: its open run ends, nothing is scheduled, the claim goes. */
async function settleInactive(tx: Tx, row: IntegrationRow, at: string): Promise<void> {
  await cancelOpenRun(tx, row.id, `the integration is ${row.state}`, at);
  await releaseClaims(tx, [row.id], { unschedule: true });
}
