import type { Worker } from "../app.ts";
import type { RelinkContext } from "../context.ts";
import { pruneHistory, type RetentionReport } from "../domain/retention.ts";

/** Rounds of retention: the first a minute after start, then hourly. */
const FIRST_ROUND_MS = 60_000;
const ROUND_MS = 3_600_000;

export interface RetentionWorker extends Worker {
  /** One round now (tests, the CLI); resolves with what it removed. */
  runOnce(): Promise<RetentionReport>;
}

/**
 * Removes history older than `RELINK_RETENTION` in the background (see domain/retention.ts). Each
 * batch is a short transaction, so the API and the other workers never wait long; with several
 * replicas each runs it, and what one removed the others simply no longer find.
 */
export function createRetentionWorker(ctx: RelinkContext): RetentionWorker {
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<RetentionReport | undefined> | null = null;

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

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      round = runOnce().catch((error: unknown) => {
        ctx.log.error({ err: error }, "retention round failed; it is tried again in an hour");
        return undefined;
      });
      void round.finally(() => {
        round = null;
        if (timer) schedule(ROUND_MS);
      });
    }, ms);
    timer.unref();
  };

  return {
    name: "retention",
    runOnce,
    start() {
      if (timer) return;
      schedule(FIRST_ROUND_MS);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await round;
    },
  };
}
