import type { Worker } from "../app.ts";
import type { RelinkContext } from "../context.ts";

export interface PeriodicWorker<T> extends Worker {
  /** One round now (tests, the CLI). */
  runOnce(): Promise<T>;
}

export interface PeriodicOptions<T> {
  name: string;
  /** Delay of the first round after `start()`, then of every next one. */
  firstRoundMs: number;
  everyMs: number;
  /** Logged (with the error) when a round fails; the next round comes as usual. */
  failureMessage: string;
  runOnce: () => Promise<T>;
}

/**
 * A background job run in rounds on a timer that never keeps the process alive: a failed round is
 * logged and the next one comes as usual; `stop()` waits for a round in progress.
 */
export function periodicWorker<T>(ctx: RelinkContext, options: PeriodicOptions<T>): PeriodicWorker<T> {
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<T | undefined> | null = null;

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      round = options.runOnce().catch((error: unknown) => {
        ctx.log.error({ err: error }, options.failureMessage);
        return undefined;
      });
      void round.finally(() => {
        round = null;
        if (timer) schedule(options.everyMs);
      });
    }, ms);
    timer.unref();
  };

  return {
    name: options.name,
    runOnce: options.runOnce,
    start() {
      if (timer) return;
      schedule(options.firstRoundMs);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await round;
    },
  };
}
