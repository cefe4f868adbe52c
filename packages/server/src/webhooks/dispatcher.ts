import { type KeyObject, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { hostname } from "node:os";
import type pg from "pg";
import type { Worker } from "../app.ts";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { newId } from "../ids.ts";
import { signingSecrets } from "./endpoints.ts";
import { type PostOutcome, type PostTarget, parseRetryAfter, postTarget, postWebhook } from "./http-post.ts";
import { listenForWebhooks, type WebhookListener } from "./notify.ts";
import {
  type AttemptRow,
  type CandidateRow,
  type Completion,
  dispatcherQueries,
  type Executor,
  type LoadedRow,
  run,
} from "./queries.ts";
import { nextAttemptAt } from "./retry.ts";
import { signWebhookMessage, webhookSigningKey } from "./sign.ts";
import { assertPublicIfLiteral, guardedLookup, parseWebhookUrl, type Resolver } from "./url-guard.ts";

/**
 * The webhook dispatcher drains the outbox: it claims due deliveries with a lease (several
 * replicas share the work on PostgreSQL through `FOR UPDATE SKIP LOCKED`), signs and POSTs each,
 * logs every attempt, and schedules retries.
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

/** Bytes of a receiver's answer kept in the delivery log. */
export const LOGGED_BODY_BYTES = 2048;
/** Bytes of an answer read at most; a longer one is cut off. */
const READ_BODY_BYTES = 64 * 1024;
/**
 * A delivery found waiting behind an earlier pending one is looked at again after this long at
 * the latest; normally the earlier one's completion wakes it at once.
 */
const WAITING_RECHECK_MS = 60_000;
/**
 * Due deliveries read beyond the free slots (a quarter more): the waiting ones among them are set
 * aside, so that the next claim reads past them; in a backlog without failures there are none.
 */
const candidateLimit = (slots: number) => slots + Math.ceil(slots / 4);
/** Results written in one transaction at most. */
const MAX_BATCH = 500;

interface ClaimedDelivery {
  id: string;
  attempts: number;
  endpoint_id: string;
  event_id: string;
  integration_id: string | null;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | null;
  event_created_at: string;
  /** The request body (the same for every endpoint an event goes to). */
  body: string;
}

interface Claim {
  rows: ClaimedDelivery[];
  setAside: number;
}

/** An endpoint's signing keys, decoded once per secret. */
interface EndpointKeys {
  sealed: string;
  previousSealed: string | null;
  previousExpiresAt: string | null;
  current: KeyObject;
  previous: KeyObject | null;
  previousUntil: number;
}

/** A URL checked once (form, scheme, IP literal): its target, or why it is refused. */
type CheckedUrl = { target: PostTarget } | { error: Error };

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
  const policy = { allowHttp: config.allowHttpWebhookUrls, allowPrivate: config.allowPrivateWebhookUrls };
  // Every new connection checks the addresses it connects to (DNS rebinding); a kept-alive
  // connection stays on the address checked when it was opened.
  const lookup = policy.allowPrivate ? undefined : guardedLookup(options.resolve);
  // Kept-alive connections per receiver, the most recently used first; idle ones closed after a while.
  const agentOptions = {
    keepAlive: true,
    maxSockets: concurrency,
    scheduling: "lifo" as const,
    timeout: Math.max(30_000, 2 * config.webhookTimeoutMs),
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const q = dispatcherQueries(ctx.dialect);
  const postgres = ctx.dialect === "postgres";
  const debug = log.isLevelEnabled("debug");

  const targets = new Map<string, CheckedUrl>();
  const keys = new Map<string, EndpointKeys>();

  /** The checked target of a URL, cached (the check depends on the text and the policy only). */
  function targetFor(raw: string): PostTarget {
    let checked = targets.get(raw);
    if (!checked) {
      try {
        const url = parseWebhookUrl(raw, policy);
        if (!policy.allowPrivate) assertPublicIfLiteral(url);
        checked = { target: postTarget(url, url.protocol === "https:" ? agents.https : agents.http, lookup) };
      } catch (error) {
        checked = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      if (targets.size >= 1_000) targets.clear();
      targets.set(raw, checked);
    }
    if ("error" in checked) throw checked.error;
    return checked.target;
  }

  /** The keys that sign a delivery now: the current one, then a rotated-out one still in its grace period. */
  function keysFor(row: ClaimedDelivery, now: number): KeyObject[] {
    let entry = keys.get(row.endpoint_id);
    if (
      !entry ||
      entry.sealed !== row.secret_sealed ||
      entry.previousSealed !== row.previous_secret_sealed ||
      entry.previousExpiresAt !== row.previous_secret_expires_at
    ) {
      // Both secrets opened (as at the epoch: the previous one too, if any); its grace period is
      // judged below, per delivery.
      const [current, previous] = signingSecrets(ctx, { ...row, id: row.endpoint_id }, new Date(0));
      entry = {
        sealed: row.secret_sealed,
        previousSealed: row.previous_secret_sealed,
        previousExpiresAt: row.previous_secret_expires_at,
        current: webhookSigningKey(current as string),
        previous: previous ? webhookSigningKey(previous) : null,
        previousUntil: row.previous_secret_expires_at ? Date.parse(row.previous_secret_expires_at) : 0,
      };
      if (keys.size >= 1_000) keys.clear();
      keys.set(row.endpoint_id, entry);
    }
    return entry.previous && entry.previousUntil > now ? [entry.current, entry.previous] : [entry.current];
  }

  /**
   * `{ id, type, created_at, data }` as JSON. On SQLite `data` is read as the JSON text it was
   * written as (`toJson`), not parsed and serialized again; PostgreSQL gives it parsed.
   */
  function bodyOf(row: LoadedRow): string {
    const data = postgres ? JSON.stringify(row.event_data) : (row.event_data as string);
    return `{"id":${JSON.stringify(row.event_id)},"type":${JSON.stringify(row.type)},"created_at":${JSON.stringify(row.event_created_at)},"data":${data}}`;
  }

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

  /**
   * Leases up to `limit` due deliveries, in due order, and loads what sending them needs, through
   * `db` (on PostgreSQL a transaction: the candidates stay locked until it ends, so that replicas
   * never claim the same row; on SQLite, outside a flush, plain statements, each update re-checking
   * its rows: a deferred transaction that reads then writes would fail with SQLITE_BUSY whenever
   * another connection wrote in between). Due deliveries waiting behind an earlier pending one of
   * their integration are set aside for a while instead (the earlier one's completion wakes the
   * next), so that a long queue behind a failing receiver is not read again on every claim.
   */
  async function claimWith(db: Executor, limit: number): Promise<Claim> {
    const now = ctx.clock.now();
    const nowIso = iso(now);
    const leaseUntil = iso(new Date(now.getTime() + leaseMs));
    const candidates = await run<CandidateRow>(db, q.candidates, [nowIso, candidateLimit(limit)]);
    if (candidates.length === 0) return { rows: [], setAside: 0 };
    // Ties in any order: the order within an integration is kept by the waiting check.
    const ready: string[] = [];
    let waitingRows: CandidateRow[] = [];
    for (const c of candidates) {
      if (c.waiting) waitingRows.push(c);
      else if (ready.length < limit) ready.push(c.id);
    }
    if (waitingRows.length > 0 && postgres) {
      // The earlier pending deliveries are share-locked before anything is set aside: one being
      // completed right now (its row locked) is skipped, so what waits behind it stays due; one
      // not being completed cannot complete before this claim commits, and its wake-up then
      // sees what was set aside. Without it, a completion racing this claim lost its wake-up
      // and the integration's queue stalled for the whole recheck delay.
      const blockers = await run<Pick<CandidateRow, "endpoint_id" | "integration_id" | "event_seq">>(
        db,
        q.blockers,
        [q.list([...new Set(waitingRows.map((c) => c.integration_id ?? ""))])],
      );
      waitingRows = waitingRows.filter((c) =>
        blockers.some(
          (b) =>
            b.endpoint_id === c.endpoint_id &&
            b.integration_id === c.integration_id &&
            b.event_seq < c.event_seq,
        ),
      );
    }
    // Both updates check again that the rows are still due: on SQLite they may run outside a
    // transaction, and another claimer may have taken a row since it was read. Setting aside
    // checks afresh that an earlier delivery is still pending: if it completed since the
    // candidates were read, its wake-up has already run, and setting this one aside would stall
    // the integration's queue for the whole recheck delay.
    if (waitingRows.length > 0) {
      const recheckAt = iso(new Date(now.getTime() + WAITING_RECHECK_MS));
      await run(db, q.setAside, [recheckAt, q.list(waitingRows.map((c) => c.id)), nowIso]);
    }
    const setAside = waitingRows.length;
    if (ready.length === 0) return { rows: [], setAside };
    const claimed = await run<{ id: string }>(db, q.claim, [
      owner,
      leaseUntil,
      leaseUntil,
      q.list(ready),
      nowIso,
    ]);
    const taken = new Set(claimed.map((r) => r.id));
    const ids = ready.filter((id) => taken.has(id) && !inflight.has(id));
    if (ids.length === 0) return { rows: [], setAside };
    const loaded = await run<LoadedRow>(db, q.load, [q.list(ids)]);
    const byId = new Map<string, ClaimedDelivery>();
    const bodies = new Map<string, string>();
    for (const row of loaded) {
      let body = bodies.get(row.event_id);
      if (body === undefined) {
        body = bodyOf(row);
        bodies.set(row.event_id, body);
      }
      byId.set(row.id, {
        id: row.id,
        attempts: Number(row.attempts),
        endpoint_id: row.endpoint_id,
        event_id: row.event_id,
        integration_id: row.integration_id,
        url: row.url,
        secret_sealed: row.secret_sealed,
        previous_secret_sealed: row.previous_secret_sealed,
        previous_secret_expires_at: row.previous_secret_expires_at,
        event_created_at: row.event_created_at,
        body,
      });
    }
    // Keep the claim order (due time) for the attempts.
    const rows = ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [row] : [];
    });
    return { rows, setAside };
  }

  /** A claim on its own: one transaction on PostgreSQL, plain statements on SQLite. */
  function claim(limit: number): Promise<Claim> {
    return postgres ? ctx.db.transaction().execute((trx) => claimWith(trx, limit)) : claimWith(ctx.db, limit);
  }

  async function attempt(row: ClaimedDelivery): Promise<void> {
    const startedAt = ctx.clock.now();
    let outcome: PostOutcome;
    try {
      const target = targetFor(row.url);
      const headers = signWebhookMessage({
        id: row.event_id,
        timestamp: Math.floor(startedAt.getTime() / 1000),
        body: row.body,
        secrets: keysFor(row, startedAt.getTime()),
      });
      outcome = await postWebhook(target, {
        headers: { ...headers, "user-agent": "relink-webhooks/0.1" },
        body: row.body,
        timeoutMs: config.webhookTimeoutMs,
        keepBytes: LOGGED_BODY_BYTES,
        readBytes: READ_BODY_BYTES,
      });
    } catch (error) {
      outcome = {
        status: null,
        body: null,
        error: error instanceof Error ? error.message : String(error),
        latencyMs: 0,
      };
    }
    await record(row, startedAt, outcome);
  }

  interface Result {
    row: ClaimedDelivery;
    startedAt: Date;
    outcome: PostOutcome;
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
    const nowIso = iso(now);
    const outcomes = batch.map(({ row, outcome }) => {
      const attempts = row.attempts + 1;
      const succeeded = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
      const retryAt = succeeded
        ? null
        : nextAttemptAt(
            row.event_created_at,
            attempts,
            now,
            random,
            parseRetryAfter(outcome.retryAfter, now.getTime()),
          );
      const status: Completion["status"] = succeeded ? "SUCCEEDED" : retryAt ? "PENDING" : "FAILED";
      return { attempts, succeeded, retryAt, status };
    });
    const completions: Completion[] = batch.map(({ row, startedAt, outcome }, i) => {
      const { status, retryAt } = outcomes[i]!;
      return {
        id: row.id,
        status,
        nextAttemptAt: retryAt ? iso(retryAt) : null,
        attemptedAt: iso(startedAt),
        responseStatus: outcome.status,
        completedAt: status === "PENDING" ? null : nowIso,
      };
    });
    // The room this batch leaves, for the deliveries claimed in the same transaction.
    const leaving = batch.reduce((n, r) => n + (inflight.has(r.row.id) ? 1 : 0), 0);
    let limit = 0;
    let wakeupsSeen = wakeups;
    let kept: boolean[];
    let next: Claim = { rows: [], setAside: 0 };
    try {
      const written = await ctx.db.transaction().execute(async (trx) => {
        const updated = await run<{ id: string }>(trx, q.complete, q.completeParams(completions, owner));
        const updatedIds = new Set(updated.map((r) => r.id));
        // A lost lease (another replica took over) still logs what happened, if the delivery exists.
        const lost = batch.filter((r) => !updatedIds.has(r.row.id)).map((r) => r.row.id);
        const stillThere =
          lost.length === 0
            ? new Set<string>()
            : new Set((await run<{ id: string }>(trx, q.existing, [q.list(lost)])).map((r) => r.id));
        const kept = batch.map((r) => updatedIds.has(r.row.id) || stillThere.has(r.row.id));
        const finished = batch
          .filter((r, i) => updatedIds.has(r.row.id) && outcomes[i]!.status !== "PENDING")
          .filter((r) => r.row.integration_id !== null)
          .map((r) => r.row.id);
        // The next delivery of each finished one's integration to its endpoint may go now.
        if (finished.length > 0) await run(trx, q.wakeNext, [nowIso, q.list(finished), nowIso]);
        const attemptRows: AttemptRow[] = [];
        for (const [i, { row, startedAt, outcome }] of batch.entries()) {
          if (!kept[i]) continue;
          attemptRows.push({
            id: newId("wha", startedAt.getTime()),
            deliveryId: row.id,
            attemptedAt: iso(startedAt),
            responseStatus: outcome.status,
            latencyMs: outcome.latencyMs,
            responseBody: outcome.body,
            error: outcome.error,
          });
        }
        if (attemptRows.length > 0) await run(trx, q.insertAttempts, q.insertAttemptsParams(attemptRows));
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
    for (const [i, { row, outcome, settle }] of batch.entries()) {
      inflight.delete(row.id);
      const { attempts, succeeded, retryAt } = outcomes[i]!;
      if (kept[i]) options.onAttempt?.(succeeded ? "succeeded" : retryAt ? "retrying" : "failed");
      if (succeeded && !debug && kept[i]) {
        settle();
        continue;
      }
      const fields = {
        delivery_id: row.id,
        event_id: row.event_id,
        endpoint_id: row.endpoint_id,
        attempt: attempts,
        response_status: outcome.status,
        latency_ms: outcome.latencyMs,
      };
      if (!kept[i]) log.debug(fields, "webhook delivery was deleted during its attempt");
      else if (succeeded) log.debug(fields, "webhook delivered");
      else if (retryAt)
        log.info({ ...fields, error: outcome.error, retry_at: iso(retryAt) }, "webhook attempt failed");
      else log.warn({ ...fields, error: outcome.error }, "webhook delivery failed for good after 3 days");
      settle();
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
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
