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
  /**
   * For a wait on many things that a busy machine does slowly (hundreds of integrations to pause):
   * a measure of how far it got (a count). Each time its value changes the deadline starts again,
   * so `timeoutMs` bounds the time *without progress*; the test's own timeout bounds the whole.
   */
  progress?: () => Promise<unknown> | unknown;
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
  let started = performance.now();
  let last = options.progress ? await options.progress() : undefined;
  for (;;) {
    const value = await condition();
    if (value) return value as Exclude<T, false | null | undefined | 0 | "">;
    if (options.progress) {
      const now = await options.progress();
      if (!Object.is(now, last)) {
        last = now;
        started = performance.now();
      }
    }
    if (performance.now() - started > timeoutMs) {
      const detail = options.describe ? `: ${await options.describe()}` : "";
      const without = options.progress ? " without progress" : "";
      throw new Error(`timed out after ${timeoutMs} ms${without} waiting for ${label}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
