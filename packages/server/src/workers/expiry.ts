import type { Worker } from "../app.ts";
import type { RelinkContext } from "../context.ts";
import { announceExpiringCredentials } from "../domain/credential-expiry.ts";

/** A round a minute: an expiry warned about days ahead needs no finer grain. */
const ROUND_MS = 60_000;

export interface ExpiryWorker extends Worker {
  /** One round now (tests, the CLI); resolves with how many expiries it announced. */
  runOnce(): Promise<number>;
}

/** Announces credentials about to expire (`integration-credentials-expiring`), see domain/credential-expiry.ts. */
export function createExpiryWorker(ctx: RelinkContext): ExpiryWorker {
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<number | undefined> | null = null;

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      round = announceExpiringCredentials(ctx).catch((error: unknown) => {
        ctx.log.error({ err: error }, "credentials expiry round failed; it is tried again in a minute");
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
    name: "expiry",
    runOnce: () => announceExpiringCredentials(ctx),
    start() {
      if (timer) return;
      schedule(ROUND_MS);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await round;
    },
  };
}
