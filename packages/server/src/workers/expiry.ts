import type { RelinkContext } from "../context.ts";
import { announceExpiringCredentials } from "../domain/credential-expiry.ts";
import { type PeriodicWorker, periodicWorker } from "./periodic.ts";

/** A round a minute: an expiry warned about days ahead needs no finer grain. */
const ROUND_MS = 60_000;

/** `runOnce` resolves with how many expiries it announced. */
export type ExpiryWorker = PeriodicWorker<number>;

/** Announces credentials about to expire (`integration-credentials-expiring`), see domain/credential-expiry.ts. */
export function createExpiryWorker(ctx: RelinkContext): ExpiryWorker {
  return periodicWorker(ctx, {
    name: "expiry",
    firstRoundMs: ROUND_MS,
    everyMs: ROUND_MS,
    failureMessage: "credentials expiry round failed; it is tried again in a minute",
    runOnce: () => announceExpiringCredentials(ctx),
  });
}
