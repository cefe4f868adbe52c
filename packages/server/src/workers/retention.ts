import type { RelinkContext } from "../context.ts";
import { pruneHistory, type RetentionReport } from "../domain/retention.ts";
import { type PeriodicWorker, periodicWorker } from "./periodic.ts";

/** Rounds of retention: the first a minute after start, then hourly. */
const FIRST_ROUND_MS = 60_000;
const ROUND_MS = 3_600_000;

/** `runOnce` resolves with what it removed. */
export type RetentionWorker = PeriodicWorker<RetentionReport>;

/**
 * Removes history older than `RELINK_RETENTION` in the background (see domain/retention.ts). Each
 * batch is a short transaction, so the API and the other workers never wait long; with several
 * replicas each runs it, and what one removed the others simply no longer find.
 */
export function createRetentionWorker(ctx: RelinkContext): RetentionWorker {
  const runOnce = async (): Promise<RetentionReport> => {
    const started = performance.now();
    const report = await pruneHistory(ctx);
    const removed = Object.values(report).reduce((a, b) => a + b, 0);
    if (removed > 0) {
      ctx.log.info(
        { ...report, ms: Math.round(performance.now() - started) },
        "retention: old history removed",
      );
    }
    return report;
  };

  return periodicWorker(ctx, {
    name: "retention",
    firstRoundMs: FIRST_ROUND_MS,
    everyMs: ROUND_MS,
    failureMessage: "retention round failed; it is tried again in an hour",
    runOnce,
  });
}
