import type { DemoHrisState, Outage, OutageStatus } from "./state.ts";

/** Starts, ends and reports the simulated outage; holds `"timeout"` requests until it ends. */
export interface OutageControl {
  start(status: OutageStatus, durationMs: number): Outage;
  /** Ends the outage now and answers every held request. */
  end(): void;
  /** The outage in effect, or null once it has ended (by time or by `end()`). */
  current(): Outage | null;
  /** Resolves when the current outage ends, is ended or replaced, or `signal` aborts. */
  waitForEnd(signal?: AbortSignal): Promise<void>;
}

export function createOutageControl(state: DemoHrisState, now: () => number): OutageControl {
  const waiting = new Set<() => void>();

  function releaseAll(): void {
    for (const release of [...waiting]) release();
  }

  return {
    start(status, durationMs) {
      releaseAll();
      const startedAt = now();
      state.outage = {
        status,
        duration_ms: durationMs,
        started_at: startedAt,
        ends_at: startedAt + durationMs,
      };
      return state.outage;
    },
    end() {
      state.outage = null;
      releaseAll();
    },
    current() {
      if (state.outage && now() >= state.outage.ends_at) state.outage = null;
      return state.outage;
    },
    waitForEnd(signal) {
      const outage = this.current();
      if (!outage || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const release = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", release);
          waiting.delete(release);
          resolve();
        };
        // unref: a held request must not keep a process alive that is otherwise done.
        const timer = setTimeout(release, Math.max(0, outage.ends_at - now()));
        timer.unref();
        waiting.add(release);
        signal?.addEventListener("abort", release, { once: true });
      });
    },
  };
}
