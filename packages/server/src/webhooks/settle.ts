import { parseRetryAfter } from "@relink/sdk/retry";
import { iso } from "../clock.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../logging.ts";
import type { ClaimedDelivery } from "./claim.ts";
import type { PostOutcome } from "./http-post.ts";
import { type AttemptRow, type Completion, type DispatcherQueries, type Executor, run } from "./queries.ts";
import { nextAttemptAt } from "./retry.ts";

/**
 * The settle part of the webhook dispatcher: what an attempt's outcome makes of its delivery
 * (done, retried later, failed for good), written with the attempt's log row.
 */

/** One finished attempt. */
export interface AttemptResult {
  row: ClaimedDelivery;
  startedAt: Date;
  outcome: PostOutcome;
}

/** What an attempt makes of its delivery. */
export interface Settlement {
  /** Attempts so far, this one included. */
  attempts: number;
  succeeded: boolean;
  /** When to try again; null when it succeeded or the three days are over. */
  retryAt: Date | null;
  status: Completion["status"];
}

/** The settlement of each attempt of a batch, as of `now` (`random`: the retry jitter). */
export function settle(batch: readonly AttemptResult[], now: Date, random: () => number): Settlement[] {
  return batch.map(({ row, outcome }) => {
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
}

/**
 * Writes a batch's settlements and attempt log rows through `trx`, and lets the next delivery of
 * each finished one's integration go. Returns, per attempt, whether its delivery still exists
 * (a delivery deleted during its attempt is not logged).
 */
export async function writeSettlements(
  trx: Executor,
  q: DispatcherQueries,
  owner: string,
  batch: readonly AttemptResult[],
  settlements: readonly Settlement[],
  now: Date,
): Promise<boolean[]> {
  const nowIso = iso(now);
  const completions: Completion[] = batch.map(({ row, startedAt, outcome }, i) => {
    const { status, retryAt } = settlements[i]!;
    return {
      id: row.id,
      status,
      nextAttemptAt: retryAt ? iso(retryAt) : null,
      attemptedAt: iso(startedAt),
      responseStatus: outcome.status,
      completedAt: status === "PENDING" ? null : nowIso,
    };
  });
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
    .filter((r, i) => updatedIds.has(r.row.id) && settlements[i]!.status !== "PENDING")
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
  return kept;
}

/** Logs what became of an attempt written (`kept`: its delivery still existed). */
export function logSettlement(
  log: Logger,
  result: AttemptResult,
  settlement: Settlement,
  kept: boolean,
): void {
  const { row, outcome } = result;
  const { attempts, succeeded, retryAt } = settlement;
  const fields = {
    delivery_id: row.id,
    event_id: row.event_id,
    endpoint_id: row.endpoint_id,
    attempt: attempts,
    response_status: outcome.status,
    latency_ms: outcome.latencyMs,
  };
  if (!kept) log.debug(fields, "webhook delivery was deleted during its attempt");
  else if (succeeded) log.debug(fields, "webhook delivered");
  else if (retryAt)
    log.info({ ...fields, error: outcome.error, retry_at: iso(retryAt) }, "webhook attempt failed");
  else log.warn({ ...fields, error: outcome.error }, "webhook delivery failed for good after 3 days");
}
