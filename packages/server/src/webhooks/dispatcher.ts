import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { hostname } from "node:os";
import { type Kysely, sql } from "kysely";
import type { Worker } from "../app.ts";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import type { Database } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { signingSecrets } from "./endpoints.ts";
import { type PostOutcome, parseRetryAfter, postWebhook } from "./http-post.ts";
import { nextAttemptAt } from "./retry.ts";
import { signWebhookMessage } from "./sign.ts";
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
 * - Prompt: woken in-process when an event commits, polling every `webhookTickMs` otherwise.
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

interface ClaimedDelivery {
  id: string;
  attempts: number;
  endpoint_id: string;
  event_id: string;
  event_seq: number;
  integration_id: string | null;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | null;
  type: string;
  event_created_at: string;
  data: Record<string, unknown>;
}

export function createWebhookDispatcher(
  ctx: RelinkContext,
  options: WebhookDispatcherOptions = {},
): WebhookDispatcher {
  const { config, log } = ctx;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const random = options.random ?? Math.random;
  const concurrency = config.webhookConcurrency;
  const claimBatch = Math.max(1, Math.floor(concurrency / 4));
  // Longer than any attempt can take (the POST has a hard deadline), so that a live claim never
  // expires under its holder; short, so that a crashed process's claims come back quickly.
  const leaseMs = 2 * config.webhookTimeoutMs + 2_000;
  const policy = { allowHttp: config.allowHttpWebhookUrls, allowPrivate: config.allowPrivateWebhookUrls };
  const lookup = policy.allowPrivate ? undefined : guardedLookup(options.resolve);
  const agentOptions = { keepAlive: true, maxSockets: concurrency, scheduling: "lifo" as const };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const secretCache = new Map<string, string[]>();
  /**
   * PostgreSQL: one transaction holding the candidate rows (`FOR UPDATE SKIP LOCKED`), so that
   * replicas never claim the same row. SQLite (one process): plain statements, each update
   * re-checking its rows; a deferred transaction that reads then writes would fail with
   * SQLITE_BUSY whenever another connection wrote in between.
   */
  /** A timestamp parameter where its type cannot be inferred (a CASE), typed for PostgreSQL. */
  const timestamp = (value: string) =>
    ctx.dialect === "postgres" ? sql<string>`cast(${value} as timestamptz)` : sql<string>`${value}`;
  const claimScope = <T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> =>
    ctx.dialect === "postgres" ? ctx.db.transaction().execute(fn) : fn(ctx.db);

  const inflight = new Map<string, Promise<void>>();
  let running = false;
  let claiming: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  /**
   * Leases up to `limit` due deliveries, in due order, and loads what sending them needs. Due
   * deliveries waiting behind an earlier pending one of their integration are set aside for a
   * while instead (the earlier one's completion wakes the next), so that a long queue behind a
   * failing receiver is not read again on every claim.
   */
  async function claim(limit: number): Promise<{ rows: ClaimedDelivery[]; setAside: number }> {
    const now = ctx.clock.now();
    const nowIso = iso(now);
    const leaseUntil = iso(new Date(now.getTime() + leaseMs));
    const recheckAt = iso(new Date(now.getTime() + WAITING_RECHECK_MS));
    const { ids, setAside } = await claimScope(async (trx) => {
      const candidates = await trx
        .selectFrom("webhook_deliveries as d")
        .select(["d.id", "d.endpoint_id", "d.integration_id", "d.event_seq"])
        .select((eb) =>
          eb
            .exists(
              eb
                .selectFrom("webhook_deliveries as p")
                .select(sql`1`.as("one"))
                .whereRef("p.endpoint_id", "=", "d.endpoint_id")
                .whereRef("p.integration_id", "=", "d.integration_id")
                .whereRef("p.event_seq", "<", "d.event_seq")
                // A literal, so that SQLite uses the partial index of pending deliveries.
                .where("p.status", "=", sql.lit("PENDING")),
            )
            .as("waiting"),
        )
        .where("d.status", "=", "PENDING")
        .where("d.next_attempt_at", "<=", nowIso)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom("webhook_endpoints as e")
              .select(sql`1`.as("one"))
              .whereRef("e.id", "=", "d.endpoint_id")
              .where("e.enabled", "=", true),
          ),
        )
        // Ties in any order: the order within an integration is kept by the waiting check.
        .orderBy("d.next_attempt_at")
        .limit(limit * 4)
        .$if(ctx.dialect === "postgres", (qb) => qb.forUpdate().skipLocked())
        .execute();
      const ready = candidates
        .filter((c) => !c.waiting)
        .slice(0, limit)
        .map((c) => c.id);
      let waiting = candidates.filter((c) => c.waiting).map((c) => c.id);
      if (waiting.length > 0 && ctx.dialect === "postgres") {
        // The earlier pending deliveries are share-locked before anything is set aside: one being
        // completed right now (its row locked) is skipped, so what waits behind it stays due; one
        // not being completed cannot complete before this claim commits, and its wake-up then
        // sees what was set aside. Without it, a completion racing this claim lost its wake-up
        // and the integration's queue stalled for the whole recheck delay.
        const waitingRows = candidates.filter((c) => c.waiting);
        const blockers = await trx
          .selectFrom("webhook_deliveries as p")
          .select(["p.endpoint_id", "p.integration_id", "p.event_seq"])
          .where("p.status", "=", sql.lit("PENDING"))
          .where("p.integration_id", "in", [...new Set(waitingRows.map((c) => c.integration_id ?? ""))])
          .forShare()
          .skipLocked()
          .execute();
        waiting = waitingRows
          .filter((c) =>
            blockers.some(
              (b) =>
                b.endpoint_id === c.endpoint_id &&
                b.integration_id === c.integration_id &&
                b.event_seq < c.event_seq,
            ),
          )
          .map((c) => c.id);
      }
      // Both updates check again that the rows are still due: on SQLite they run outside a
      // transaction, and another claimer may have taken a row since it was read.
      if (waiting.length > 0) {
        await trx
          .updateTable("webhook_deliveries")
          .set({ next_attempt_at: recheckAt })
          .where("id", "in", waiting)
          .where("status", "=", "PENDING")
          .where("next_attempt_at", "<=", nowIso)
          // Still behind a pending one, seen afresh: if the earlier delivery completed since the
          // candidates were read, its wake-up has already run, and setting this one aside would
          // stall the integration's queue for the whole recheck delay.
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("webhook_deliveries as p")
                .select(sql`1`.as("one"))
                .whereRef("p.endpoint_id", "=", "webhook_deliveries.endpoint_id")
                .whereRef("p.integration_id", "=", "webhook_deliveries.integration_id")
                .whereRef("p.event_seq", "<", "webhook_deliveries.event_seq")
                .where("p.status", "=", sql.lit("PENDING")),
            ),
          )
          .execute();
      }
      const claimed =
        ready.length === 0
          ? []
          : await trx
              .updateTable("webhook_deliveries")
              .set({ lease_owner: owner, lease_expires_at: leaseUntil, next_attempt_at: leaseUntil })
              .where("id", "in", ready)
              .where("status", "=", "PENDING")
              .where("next_attempt_at", "<=", nowIso)
              .returning("id")
              .execute();
      const taken = new Set(claimed.map((r) => r.id));
      return { ids: ready.filter((id) => taken.has(id) && !inflight.has(id)), setAside: waiting.length };
    });
    if (ids.length === 0) return { rows: [], setAside };
    const rows = await ctx.db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
      .innerJoin("events as ev", "ev.id", "d.event_id")
      .select([
        "d.id",
        "d.attempts",
        "d.endpoint_id",
        "d.event_id",
        "d.event_seq",
        "d.integration_id",
        "e.url",
        "e.secret_sealed",
        "e.previous_secret_sealed",
        "e.previous_secret_expires_at",
        "ev.type",
        "ev.created_at as event_created_at",
        "ev.data",
      ])
      .where("d.id", "in", ids)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Keep the claim order (due time) for the attempts.
    return {
      rows: ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [row] : [];
      }),
      setAside,
    };
  }

  function secretsFor(row: ClaimedDelivery, now: Date): string[] {
    const key = `${row.endpoint_id}|${row.secret_sealed}|${row.previous_secret_sealed}|${row.previous_secret_expires_at}`;
    const cached = secretCache.get(key);
    if (
      cached &&
      (!row.previous_secret_expires_at || Date.parse(row.previous_secret_expires_at) > now.getTime())
    )
      return cached;
    const secrets = signingSecrets(ctx, { ...row, id: row.endpoint_id }, now);
    if (secretCache.size > 1_000) secretCache.clear();
    secretCache.set(key, secrets);
    return secrets;
  }

  async function attempt(row: ClaimedDelivery): Promise<void> {
    const startedAt = ctx.clock.now();
    let outcome: PostOutcome;
    try {
      const url = parseWebhookUrl(row.url, policy);
      if (!policy.allowPrivate) assertPublicIfLiteral(url);
      const body = JSON.stringify({
        id: row.event_id,
        type: row.type,
        created_at: row.event_created_at,
        data: row.data,
      });
      const headers = signWebhookMessage({
        id: row.event_id,
        timestamp: Math.floor(startedAt.getTime() / 1000),
        body,
        secrets: secretsFor(row, startedAt),
      });
      outcome = await postWebhook(url, {
        headers: { ...headers, "user-agent": "relink-webhooks/0.1" },
        body,
        timeoutMs: config.webhookTimeoutMs,
        keepBytes: LOGGED_BODY_BYTES,
        readBytes: READ_BODY_BYTES,
        agent: url.protocol === "https:" ? agents.https : agents.http,
        ...(lookup ? { lookup } : {}),
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

  interface Completion {
    row: ClaimedDelivery;
    startedAt: Date;
    outcome: PostOutcome;
    settle: (error?: unknown) => void;
  }
  const completions: Completion[] = [];
  let flushing: Promise<void> | null = null;

  /**
   * Logs the attempt and moves the delivery on: done, retried later, or failed for good. Attempts
   * that finish together are written in one transaction (SQLite has one writer: fewer, larger
   * transactions are what makes it fast).
   */
  function record(row: ClaimedDelivery, startedAt: Date, outcome: PostOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      completions.push({
        row,
        startedAt,
        outcome,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
      flushSoon();
    });
  }

  function flushSoon(): void {
    if (flushing || completions.length === 0) return;
    // After the answers that arrived in this turn of the event loop have all been recorded: on
    // SQLite a write never waits for I/O, so without this every batch would hold one attempt.
    flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => flush(completions.splice(0, 500)))
      .finally(() => {
        flushing = null;
        flushSoon();
      });
  }

  async function flush(batch: Completion[]): Promise<void> {
    const now = ctx.clock.now();
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
      const status = succeeded ? "SUCCEEDED" : retryAt ? "PENDING" : "FAILED";
      return { attempts, succeeded, retryAt, status };
    });
    let kept: boolean[];
    try {
      kept = await ctx.db.transaction().execute(async (trx) => {
        // One update per group of attempts with the same result (usually one group: delivered).
        const groups = new Map<string, number[]>();
        for (const [i, { outcome }] of batch.entries()) {
          const { retryAt, status } = outcomes[i]!;
          const key = `${status}|${retryAt?.getTime()}|${outcome.status}`;
          const group = groups.get(key);
          if (group) group.push(i);
          else groups.set(key, [i]);
        }
        const updatedIds = new Set<string>();
        for (const indexes of groups.values()) {
          const first = indexes[0]!;
          const { retryAt, status } = outcomes[first]!;
          const ids = indexes.map((i) => batch[i]!.row.id);
          const attemptedAt = sql<string>`case ${sql.ref("id")} ${sql.join(
            indexes.map((i) => sql`when ${batch[i]!.row.id} then ${timestamp(iso(batch[i]!.startedAt))}`),
            sql` `,
          )} end`;
          const updated = await trx
            .updateTable("webhook_deliveries")
            .set((eb) => ({
              status,
              attempts: eb("attempts", "+", 1),
              next_attempt_at: retryAt ? iso(retryAt) : null,
              lease_owner: null,
              lease_expires_at: null,
              last_attempt_at: attemptedAt,
              last_response_status: batch[first]!.outcome.status,
              completed_at: status === "PENDING" ? null : iso(now),
            }))
            .where("id", "in", ids)
            .where("lease_owner", "=", owner)
            .returning("id")
            .execute();
          for (const { id } of updated) updatedIds.add(id);
        }
        // A lost lease (another replica took over) still logs what happened, if the delivery exists.
        const lost = batch.map((c) => c.row.id).filter((id) => !updatedIds.has(id));
        const stillThere = new Set(
          lost.length === 0
            ? []
            : (await trx.selectFrom("webhook_deliveries").select("id").where("id", "in", lost).execute()).map(
                (r) => r.id,
              ),
        );
        const kept = batch.map((c) => updatedIds.has(c.row.id) || stillThere.has(c.row.id));
        const finished = batch
          .filter((c, i) => updatedIds.has(c.row.id) && outcomes[i]!.status !== "PENDING")
          .filter((c) => c.row.integration_id !== null)
          .map((c) => c.row.id);
        if (finished.length > 0) {
          // The next delivery of each finished one's integration to its endpoint may go now.
          await trx
            .updateTable("webhook_deliveries")
            .set({ next_attempt_at: iso(now) })
            .where("id", "in", (eb) =>
              eb
                .selectFrom("webhook_deliveries as d")
                .select((inner) =>
                  inner
                    .selectFrom("webhook_deliveries as n")
                    .select("n.id")
                    .whereRef("n.endpoint_id", "=", "d.endpoint_id")
                    .whereRef("n.integration_id", "=", "d.integration_id")
                    .where("n.status", "=", sql.lit("PENDING"))
                    .whereRef("n.event_seq", ">", "d.event_seq")
                    .orderBy("n.event_seq")
                    .limit(1)
                    .as("next_id"),
                )
                .where("d.id", "in", finished),
            )
            .where("next_attempt_at", ">", iso(now))
            .where("lease_expires_at", "is", null)
            .execute();
        }
        const attemptRows = batch
          .filter((_, i) => kept[i])
          .map(({ row, startedAt, outcome }) => ({
            id: newId("wha", startedAt.getTime()),
            delivery_id: row.id,
            attempted_at: iso(startedAt),
            response_status: outcome.status,
            latency_ms: outcome.latencyMs,
            response_body: outcome.body,
            error: outcome.error,
          }));
        if (attemptRows.length > 0) await trx.insertInto("webhook_attempts").values(attemptRows).execute();
        return kept;
      });
    } catch (error) {
      if (batch.length > 1) {
        // One bad row must not hold back the others: write them one by one.
        for (const completion of batch) await flush([completion]);
        return;
      }
      // Nothing written: the lease expires and the delivery is attempted again.
      for (const completion of batch) completion.settle(error);
      return;
    }
    for (const [i, { row, outcome, settle }] of batch.entries()) {
      const { attempts, succeeded, retryAt } = outcomes[i]!;
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
  }

  function track(row: ClaimedDelivery): void {
    const done = attempt(row)
      .catch((error: unknown) => log.error({ err: error, delivery_id: row.id }, "webhook attempt crashed"))
      .finally(() => {
        inflight.delete(row.id);
        kick();
      });
    inflight.set(row.id, done);
  }

  /** Claims while there is room and work; coalesces wake-ups that arrive meanwhile. */
  function kick(): void {
    if (!running) return;
    if (claiming) {
      again = true;
      return;
    }
    // Under load, claim in batches rather than one row per finished attempt; the next attempt to
    // finish kicks again.
    if (inflight.size > 0 && concurrency - inflight.size < claimBatch) return;
    // `.finally` runs after the assignment, even when the loop ends without awaiting.
    claiming = claimWhileRoom().finally(() => {
      claiming = null;
    });
  }

  async function claimWhileRoom(): Promise<void> {
    try {
      do {
        again = false;
        const room = concurrency - inflight.size;
        if (room <= 0) break;
        const { rows, setAside } = await claim(room);
        for (const row of rows) track(row);
        // More may be due behind the deliveries just set aside.
        if (setAside > 0 && rows.length < room) again = true;
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
      timer = setInterval(kick, config.webhookTickMs);
      timer.unref();
      kick();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      unsubscribe?.();
      await claiming;
      // Attempts under way finish (each has a deadline); nothing claimed is left behind.
      await Promise.allSettled([...inflight.values()]);
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
