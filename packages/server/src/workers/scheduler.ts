import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Worker } from "../app.ts";
import type { RelinkContext } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import { claimDue, releaseOwnerClaims } from "../domain/integration-store.ts";
import { releaseFileLease } from "../domain/local-claims.ts";
import {
  applyClaimed,
  type ClaimedWork,
  type ClaimOutcome,
  loadScopeModels,
  runClaimedNetwork,
} from "../domain/sync-runs.ts";
import { expireSyncSessions } from "../domain/sync-session-finish.ts";

/**
 * The scheduler: claims the integrations whose `next_sync_at` has come, many at once, and runs them
 * (auth check, then sync) with bounded concurrency. A claim is a lease (`lease_owner`,
 * `lease_expires_at`): a crashed server's claims expire and are taken again; on PostgreSQL several
 * replicas share the work, each row claimed by one of them (`FOR UPDATE SKIP LOCKED`).
 *
 * The network calls run concurrently, outside any transaction; their results are written by one
 * applier, a batch per transaction (group commit): whatever finished while the previous batch was
 * being written goes into the next one. A batch that fails is retried one integration per
 * transaction, so one bad row never holds back the others; a row that still fails keeps its claim
 * until the lease expires (then it is taken again).
 */
export interface Scheduler extends Worker {
  /** This instance's lease owner id. */
  readonly owner: string;
  /** Claims what is due (up to the free slots) and starts it; resolves with how many it claimed. */
  tick(): Promise<number>;
  /** Runs everything due at the clock's current time, and waits until it is done (tests, benchmarks). */
  runDue(): Promise<{ claimed: number; outcomes: ClaimOutcome[] }>;
  /** How many claims are running now. */
  readonly running: number;
}

/** Results written per transaction, at most. */
const MAX_APPLY_BATCH = 500;

export interface SchedulerOptions {
  /** How long `stop()` waits for running syncs before cancelling them; default 10 s. */
  stopTimeoutMs?: number;
  /** The lease owner id; default: host, process and a random part, unique per instance. */
  owner?: string;
  /** Told the outcome of each claimed sync once applied (for the metrics). */
  onOutcome?: (outcome: ClaimOutcome) => void;
}

export function createScheduler(ctx: RelinkContext, options: SchedulerOptions = {}): Scheduler {
  const owner = options.owner ?? `sch_${hostname()}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const concurrency = ctx.config.syncConcurrency;
  const running = new Map<string, { promise: Promise<ClaimOutcome>; abort: AbortController }>();
  const idleWaiters = new Set<() => void>();
  let claiming: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  let stopping = false;
  let started = false;
  let tickSoon = false;
  let collected: ClaimOutcome[] | null = null;

  const log = ctx.log.child({ worker: "scheduler", owner });

  /** Results waiting for the applier, each with the settling of its claim. */
  let pending: Array<{ work: ClaimedWork; settle: (outcome: ClaimOutcome) => void }> = [];
  let applying = false;

  function enqueue(work: ClaimedWork): Promise<ClaimOutcome> {
    return new Promise((settle) => {
      pending.push({ work, settle });
      if (!applying) {
        applying = true;
        // Results that arrive in the same turn (an instant connector, a burst) go in one batch.
        setImmediate(() => void drain());
      }
    });
  }

  async function drain(): Promise<void> {
    try {
      while (pending.length > 0) {
        const batch = pending.slice(0, MAX_APPLY_BATCH);
        pending = pending.slice(batch.length);
        const outcomes = await applyBatch(batch.map((b) => b.work));
        for (const [i, b] of batch.entries())
          b.settle(outcomes[i] ?? { kind: "skipped", reason: "lease-lost" });
      }
    } finally {
      applying = false;
    }
  }

  async function applyBatch(works: ClaimedWork[]): Promise<ClaimOutcome[]> {
    try {
      return await applyClaimed(ctx, owner, works);
    } catch (error) {
      if (works.length === 1) {
        log.error({ err: error, integration_id: works[0]?.claimed.id }, "sync run failed");
        return [{ kind: "skipped", reason: "lease-lost" }];
      }
      log.warn({ err: error, batch: works.length }, "a batch failed: writing its results one by one");
      const outcomes: ClaimOutcome[] = [];
      for (const work of works) outcomes.push(...(await applyBatch([work])));
      return outcomes;
    }
  }

  function runClaimed(rows: IntegrationRow[]): void {
    const scopes = loadScopeModels(ctx, rows);
    // One claim, one lease: its syncs must end well before the lease does, or another server could
    // take them meanwhile. `stop()` cancels them all.
    const abort = new AbortController();
    const signal = AbortSignal.any([
      abort.signal,
      AbortSignal.timeout(Math.max(1_000, ctx.config.leaseMs * 0.8)),
    ]);
    for (const row of rows) {
      const promise = scopes
        .then((found) => runClaimedNetwork(ctx, row, found, signal))
        .then(enqueue)
        .catch((error): ClaimOutcome => {
          log.error({ err: error, integration_id: row.id }, "sync run failed");
          return { kind: "skipped", reason: "lease-lost" };
        })
        .then((outcome) => {
          running.delete(row.id);
          options.onOutcome?.(outcome);
          collected?.push(outcome);
          for (const wake of idleWaiters) wake();
          // Slots are free again: with a backlog, claim more at once rather than at the next tick.
          if (started && !stopping) requestTick();
          return outcome;
        });
      running.set(row.id, { promise, abort });
    }
  }

  async function claimAndStart(): Promise<number> {
    if (stopping) return 0;
    if (claiming) return claiming;
    claiming = (async () => {
      try {
        await expireSyncSessions(ctx).catch((error) =>
          log.error({ err: error }, "expiring sync sessions failed"),
        );
        const rows = await claimDue(ctx, owner, concurrency - running.size);
        runClaimed(rows);
        return rows.length;
      } catch (error) {
        log.error({ err: error }, "claiming due integrations failed");
        return 0;
      } finally {
        claiming = null;
      }
    })();
    return claiming;
  }

  function requestTick(): void {
    if (tickSoon) return;
    tickSoon = true;
    setImmediate(() => {
      tickSoon = false;
      if (started && !stopping) void claimAndStart();
    });
  }

  const waitForAny = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        idleWaiters.delete(done);
        resolve();
      };
      idleWaiters.add(done);
    });

  return {
    name: "scheduler",
    owner,
    get running() {
      return running.size;
    },
    tick: claimAndStart,
    async runDue() {
      const outcomes: ClaimOutcome[] = [];
      const previous = collected;
      collected = outcomes;
      let claimed = 0;
      try {
        for (;;) {
          if (stopping) break;
          const n = running.size < concurrency ? await claimAndStart() : 0;
          claimed += n;
          if (n === 0 && running.size === 0) break;
          if (running.size >= concurrency || n === 0) await waitForAny();
        }
      } finally {
        collected = previous;
      }
      return { claimed, outcomes };
    },
    start() {
      if (started) return;
      started = true;
      stopping = false;
      if (ctx.claims) ctx.claims.running++;
      unsubscribe = ctx.onWake("scheduler", requestTick);
      timer = setInterval(() => void claimAndStart(), ctx.config.schedulerTickMs);
      timer.unref();
      requestTick();
    },
    async stop() {
      stopping = true;
      if (started && ctx.claims) ctx.claims.running--;
      started = false;
      if (timer) clearInterval(timer);
      timer = null;
      unsubscribe?.();
      unsubscribe = null;
      if (claiming) await claiming.catch(() => 0);
      const all = () => Promise.allSettled([...running.values()].map((r) => r.promise));
      if (running.size > 0) {
        const finished = await Promise.race([
          all().then(() => true),
          sleep(stopTimeoutMs, false, { ref: false }),
        ]);
        if (!finished) {
          log.warn({ running: running.size }, "stopping: cancelling the syncs still running");
          for (const r of running.values()) r.abort.abort(new DOMException("stopping", "AbortError"));
          await Promise.race([all(), sleep(2_000, undefined, { ref: false })]);
        }
      }
      // Whatever is still claimed by us goes back to the pool, due as it was; on SQLite, the file's
      // lease too when this was the process's last scheduler on it.
      try {
        await releaseOwnerClaims(ctx, owner);
        if (ctx.claims && (await releaseFileLease(ctx, ctx.claims))) {
          log.info("gave the scheduler's lease on the SQLite file back");
        }
      } catch (error) {
        log.error({ err: error }, "releasing the scheduler's claims failed");
      }
    },
  };
}
