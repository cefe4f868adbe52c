import type { Clock } from "../clock.ts";
import { DomainError } from "../domain/errors.ts";

/**
 * Fixed-window counters in memory. Enough for one process (SQLite); with several replicas each
 * counts on its own, so the effective limit is the limit times the replicas.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    readonly clock: Clock,
    readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError("limit must be a whole number ≥ 1");
    if (!(windowMs > 0)) throw new TypeError("windowMs must be positive");
  }

  /** Counts one attempt for `key`; throws `429 RATE_LIMITED` with `Retry-After` over the limit. */
  hit(key: string): void {
    const now = this.clock.now().getTime();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.#windows.delete(key);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
      this.#prune(now);
    }
    window.count++;
    if (window.count > this.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
      throw new DomainError("RATE_LIMITED", `Too many attempts ${this.name}; try again in ${retryAfter} s.`, {
        details: { retry_after: retryAfter },
        retryAfterSeconds: retryAfter,
      });
    }
  }

  #prune(now: number): void {
    if (this.#windows.size <= this.maxKeys) return;
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.windowMs) this.#windows.delete(key);
    }
    // Still full: forget the oldest windows (insertion order).
    for (const key of this.#windows.keys()) {
      if (this.#windows.size <= this.maxKeys) break;
      this.#windows.delete(key);
    }
  }
}

/** Credential submissions (and OAuth sign-ins started) per flow token and per client IP. */
export const SUBMISSION_LIMITS = {
  perToken: { limit: 10, windowMs: 10 * 60_000 },
  perIp: { limit: 60, windowMs: 10 * 60_000 },
} as const;
