import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import type { Worker } from "../app.ts";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { type Claim, type ClaimedDelivery, deliveryClaimer } from "./claim.ts";
import type { PostOutcome } from "./http-post.ts";
import { listenForWebhooks, type WebhookListener } from "./notify.ts";
import { deliveryPoster } from "./post-delivery.ts";
import { dispatcherQueries } from "./queries.ts";
import { type AttemptResult, logSettlement, settle, writeSettlements } from "./settle.ts";
import { deliverySigner } from "./sign-delivery.ts";
import type { Resolver } from "./url-guard.ts";

export { LOGGED_BODY_BYTES } from "./post-delivery.ts";

/**
 * The webhook dispatcher drains the outbox: it claims due deliveries with a lease (several
 * replicas share the work on PostgreSQL through `FOR UPDATE SKIP LOCKED`, `claim.ts`), signs
 * (`sign-delivery.ts`) and POSTs each (`post-delivery.ts`), logs every attempt and schedules
 * retries (`settle.ts`). This file only schedules that work: how many are in flight, when to claim.
 *
 * - Per-integration order: a delivery waits while an earlier delivery of the same integration to
 *   the same endpoint is still PENDING (being retried). A FAILED one no longer holds the rest.
 *   Events without an integration (the endpoint test) are not ordered.
 * - A disabled endpoint's pending deliveries wait; they resume when it is enabled again.
 * - At least once: a delivery is marked done only after its POST; a crash between the two sends it
 *   again once its lease expires, with the same `webhook-id`.
 * - Prompt: woken in-process when an event commits, on PostgreSQL also by a NOTIFY from other
 *   replicas (LISTEN on a dedicated connection), polling every `webhookTickMs` otherwise.
 * - Batched: the results of the attempts that finish together are written in one transaction,
 *   which also claims the next deliveries for the room they leave (one transaction per batch, a
 *   few plain statements, whatever its size).
 */
export interface WebhookDispatcher extends Worker {
  /** Claims the deliveries due now (up to the concurrency), attempts them all; returns how many. */
  runOnce(): Promise<number>;
  /** `runOnce` until nothing is due at the clock's current time; returns the attempts made. */
  drain(): Promise<number>;
}

export interface WebhookDispatcherOptions {
  /** DNS for the delivery-time address check (tests). */
  resolve?: Resolver;
  /** Jitter source, 0 to 1 (`() => 0.5` = no jitter). */
  random?: () => number;
  /**
   * PostgreSQL: a new client outside the pool, for LISTEN (wake-ups from the other replicas). Without
   * it, events committed by another replica are found by polling.
   */
  newClient?: (() => pg.Client) | undefined;
  /** Told what became of each attempt this dispatcher wrote (for the metrics). */
  onAttempt?: ((outcome: "succeeded" | "retrying" | "failed") => void) | undefined;
}

/** Results written in one transaction at most. */
const MAX_BATCH = 500;

export function createWebhookDispatcher(
  ctx: RelinkContext,
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const { config, log } = ctx;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const random = options.random ?? Math.random;
  const concurrency = config.webhookConcurrency;
  // Claims come in batches of at least this many (unless nothing is in flight): fewer, larger
  // transactions; the deliveries still in flight keep the receivers busy meanwhile.
  const claimBatch = Math.max(1, Math.floor(concurrency / 4));
  // Longer than any attempt can take (the POST has a hard deadline), so that a live claim never
  // expires under its holder; short, so that a crashed process's claims come back quickly.
  const leaseMs = 2 * config.webhookTimeoutMs + 2_000;
  const q = dispatcherQueries(ctx.dialect);
  const postgres = ctx.dialect === "postgres";
  const debug = log.isLevelEnabled("debug");

  const inflight = new Map<string, Promise<void>>();
  /** Slots promised to claims under way. */
  let reserved = 0;
  let running = false;
  let claiming: Promise<void> | null = null;
  let again = false;
  /** Counts wake-ups, so that a claim can tell whether one came while it was under way. */
  let wakeups = 0;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let listener: WebhookListener | undefined;

  const claimWith = deliveryClaimer(ctx, { q, owner, leaseMs, inflight: (id) => inflight.has(id) });
  const sign = deliverySigner(ctx);
  const poster = deliveryPoster(config, options.resolve);

  /** A claim on its own: one transaction on PostgreSQL, plain statements on SQLite. */
  function claim(limit: number): Promise<Claim> {
    return postgres ? ctx.db.transaction().execute((trx) => claimWith(trx, limit)) : claimWith(ctx.db, limit);
  }

  async function attempt(row: ClaimedDelivery): Promise<void> {
    const startedAt = ctx.clock.now();
    const outcome = await poster.post(row, () => sign(row, startedAt));
    await record(row, startedAt, outcome);
  }

  interface Result extends AttemptResult {
    settle: (error?: unknown) => void;
  }
  const results: Result[] = [];
  let flushing: Promise<void> | null = null;

  /**
   * Logs the attempt and moves the delivery on: done, retried later, or failed for good. Attempts
   * that finish together are written in one transaction (SQLite has one writer: fewer, larger
   * transactions are what makes it fast).
   */
  function record(row: ClaimedDelivery, startedAt: Date, outcome: PostOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      results.push({
        row,
        startedAt,
        outcome,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
      flushSoon();
    });
  }

  function flushSoon(): void {
    if (flushing || results.length === 0) return;
    // After the answers that arrived in this turn of the event loop have all been recorded: on
    // SQLite a write never waits for I/O, so without this every batch would hold one attempt.
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => flush(results.splice(0, MAX_BATCH), true))
      .catch((error: unknown) => log.error({ err: error }, "webhook dispatcher could not record attempts"))
      .finally(() => {
        flushing = null;
        flushSoon();
      });
  }

  /**
   * Writes a batch of results in one transaction; while running, the same transaction claims the
   * next deliveries for the room the batch leaves (on SQLite it holds the write lock already, on
   * PostgreSQL it locks what it claims like any claim).
   */
  async function flush(batch: Result[], claimNext: boolean): Promise<void> {
    const now = ctx.clock.now();
    const outcomes = settle(batch, now, random);
    // The room this batch leaves, for the deliveries claimed in the same transaction.
    const leaving = batch.reduce((n, r) => n + (inflight.has(r.row.id) ? 1 : 0), 0);
    let limit = 0;
    let wakeupsSeen = wakeups;
    let kept: boolean[];
    let next: Claim = { rows: [], setAside: 0 };
    try {
      const written = await ctx.db.transaction().execute(async (trx) => {
        const kept = await writeSettlements(trx, q, owner, batch, outcomes, now);
        if (claimNext && running) {
          const room = concurrency - (inflight.size - leaving) - reserved;
          if (room >= claimBatch || (room > 0 && inflight.size === leaving)) {
            limit = room;
            reserved += limit;
            wakeupsSeen = wakeups;
            next = await claimWith(trx, limit);
          }
        }
        return kept;
      });
      kept = written;
    } catch (error) {
      reserved -= limit;
      limit = 0;
      next = { rows: [], setAside: 0 };
      if (batch.length > 1) {
        // One bad row must not hold back the others: write them one by one.
        for (const result of batch) await flush([result], false);
      } else {
        // Nothing written: the lease expires and the delivery is attempted again.
        for (const result of batch) {
          inflight.delete(result.row.id);
          result.settle(error);
        }
      }
      kick();
      return;
    }
    for (const [i, result] of batch.entries()) {
      inflight.delete(result.row.id);
      const settlement = outcomes[i]!;
      const { succeeded, retryAt } = settlement;
      if (kept[i]) options.onAttempt?.(succeeded ? "succeeded" : retryAt ? "retrying" : "failed");
      if (!(succeeded && !debug && kept[i])) logSettlement(log, result, settlement, kept[i]!);
      result.settle();
    }
    reserved -= limit;
    for (const row of next.rows) track(row);
    // Claimed in the transaction: more is due only if it filled its room, set some aside, or a
    // wake-up came meanwhile (possibly turned away for want of room: it was reserved for this
    // claim). A batch too small to claim leaves the claiming to the next one (attempts are still
    // in flight).
    if (limit > 0 && (next.rows.length >= limit || next.setAside > 0 || wakeups !== wakeupsSeen)) kick();
    else if (limit === 0 && (inflight.size === 0 || wakeups !== wakeupsSeen)) kick();
  }

  function track(row: ClaimedDelivery): void {
    const done: Promise<void> = attempt(row)
      .catch((error: unknown) => log.error({ err: error, delivery_id: row.id }, "webhook attempt crashed"))
      .finally(() => {
        // Normally removed when its result was written.
        if (inflight.get(row.id) === done) {
          inflight.delete(row.id);
          kick();
        }
      });
    inflight.set(row.id, done);
  }

  /** Claims while there is room and work; coalesces wake-ups that arrive meanwhile. */
  function kick(): void {
    if (!running) return;
    wakeups++;
    if (claiming) {
      again = true;
      return;
    }
    // Under load, claim in batches rather than one row per finished attempt; the next batch of
    // results claims in its own transaction.
    const room = concurrency - inflight.size - reserved;
    if (room <= 0 || (inflight.size > 0 && room < claimBatch)) return;
    // `.finally` runs after the assignment, even when the loop ends without awaiting.
    claiming = claimWhileRoom().finally(() => {
      claiming = null;
    });
  }

  async function claimWhileRoom(): Promise<void> {
    try {
      do {
        again = false;
        const room = concurrency - inflight.size - reserved;
        if (room <= 0) break;
        reserved += room;
        let claimed: Claim;
        try {
          claimed = await claim(room);
        } finally {
          reserved -= room;
        }
        for (const row of claimed.rows) track(row);
        // More may be due behind the deliveries just set aside.
        if (claimed.setAside > 0 && claimed.rows.length < room) again = true;
      } while (again && running);
    } catch (error) {
      log.error({ err: error }, "webhook dispatcher could not claim deliveries");
    }
  }

  /** One claim and its attempts: how many were attempted, and whether there may be more due now. */
  async function runBatch(): Promise<{ attempted: number; more: boolean }> {
    const { rows, setAside } = await claim(concurrency);
    await Promise.all(rows.map(attempt));
    return { attempted: rows.length, more: rows.length > 0 || setAside > 0 };
  }

  return {
    name: "webhooks",
    async runOnce() {
      return (await runBatch()).attempted;
    },
    async drain() {
      let total = 0;
      for (;;) {
        const { attempted, more } = await runBatch();
        total += attempted;
        if (!more) return total;
      }
    },
    start() {
      if (running) return;
      running = true;
      unsubscribe = ctx.onWake("webhooks", kick);
      if (postgres && options.newClient) {
        listener = listenForWebhooks({ newClient: options.newClient, onWake: kick, log });
      }
      timer = setInterval(kick, config.webhookTickMs);
      timer.unref();
      kick();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      unsubscribe?.();
      const closing = listener?.close();
      listener = undefined;
      // Attempts under way finish (each has a deadline) and their results are written; nothing
      // claimed is left behind.
      while (claiming || flushing || inflight.size > 0) {
        await claiming;
        await Promise.allSettled([...inflight.values()]);
        await flushing;
      }
      await closing;
      const now = iso(ctx.clock.now());
      await ctx.db
        .updateTable("webhook_deliveries")
        .set({ lease_owner: null, lease_expires_at: null, next_attempt_at: now })
        .where("lease_owner", "=", owner)
        .where("status", "=", "PENDING")
        .execute()
        .catch((error: unknown) => log.warn({ err: error }, "could not release webhook claims"));
      poster.close();
    },
  };
}
