/**
 * Waiting in tests: on a condition, never for a fixed time. A busy machine makes everything
 * slower, so the deadlines are generous (a test that takes 3 s on a quiet machine may take 15 s
 * under load) and only matter when something is really stuck.
 */

/** The default deadline of `waitFor`. */
export const WAIT_TIMEOUT_MS = 30_000;

export interface WaitOptions {
  /** Gives up (throws) after this long; `WAIT_TIMEOUT_MS` by default. */
  timeoutMs?: number;
  /** Between two checks; 25 ms by default. */
  intervalMs?: number;
  /** What is still missing, for the error when the deadline passes. */
  describe?: () => Promise<string> | string;
}

/**
 * Polls `condition` until it returns a truthy value and returns that value. A check that throws
 * ends the wait at once with its error (a child process that died need not wait for the deadline).
 *
 * @example
 * const delivery = await waitFor("the delivery settled", async () =>
 *   (await deliveries()).find((d) => d.status !== "PENDING"),
 * );
 */
export async function waitFor<T>(
  label: string,
  condition: () => Promise<T> | T,
  options: WaitOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
  const started = performance.now();
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, false | null | undefined | 0 | "">;
    if (performance.now() - started > timeoutMs) {
      const detail = options.describe ? `: ${await options.describe()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
