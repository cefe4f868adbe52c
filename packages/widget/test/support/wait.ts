import { vi } from "vitest";

/**
 * The deadline of every wait in the widget tests. `vi.waitFor` gives up after 1 s by default; a
 * busy machine can take longer than that to render, move focus or close a window, so the widget
 * tests wait through `waitFor` here and only a real hang reaches the deadline.
 */
export const WAIT_TIMEOUT_MS = 30_000;

/** `vi.waitFor` with a generous deadline: retries `check` until it returns without throwing. */
export function waitFor<T>(
  check: () => T | Promise<T>,
  options: { timeout?: number; interval?: number } = {},
): Promise<T> {
  return vi.waitFor(check, { timeout: WAIT_TIMEOUT_MS, interval: 20, ...options });
}
