/**
 * When a failed delivery is tried again: exponential backoff with jitter, for up to three days
 * after the event; one last attempt lands on the deadline itself, then the delivery is FAILED.
 */

/** The wait after the nth failed attempt (the last step repeats). */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000, // 5 s
  30_000, // 30 s
  2 * 60_000, // 2 min
  10 * 60_000, // 10 min
  60 * 60_000, // 1 h
  3 * 3_600_000, // 3 h
  6 * 3_600_000, // 6 h
  12 * 3_600_000, // 12 h, then every 12 h
];

/** How long after its event a delivery is retried. */
export const DELIVERY_WINDOW_MS = 3 * 24 * 3_600_000;

/** Each wait is stretched or shrunk by up to this fraction, so that receivers coming back are not hit at once. */
export const JITTER = 0.1;

/** The wait after `attempts` failed attempts, jittered by `random()` (0.5 = no jitter). */
export function retryDelay(attempts: number, random: () => number = Math.random): number {
  const base = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0]!;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * After a failed attempt: when to try again, or null when the three days are over.
 * `attempts` counts the attempt that just failed; a receiver's `Retry-After` (`retryAfterMs`)
 * can only make the wait longer.
 */
export function nextAttemptAt(
  eventCreatedAt: string,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
  retryAfterMs = 0,
): Date | null {
  const deadline = Date.parse(eventCreatedAt) + DELIVERY_WINDOW_MS;
  if (now.getTime() >= deadline) return null;
  const wait = Math.max(retryDelay(attempts, random), retryAfterMs);
  return new Date(Math.min(now.getTime() + wait, deadline));
}
