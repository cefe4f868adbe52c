import type { AuthCheck, AuthOutcome } from "@relink/sdk/contract";

/** Longest span the timeline shows. */
export const TIMELINE_MAX_SPAN_MS = 7 * 24 * 3_600_000;
/** Shortest span: a demo with a pause window of seconds still gets a readable chart. */
export const TIMELINE_MIN_SPAN_MS = 10_000;

export interface TimelineInput {
  checks: readonly Pick<AuthCheck, "outcome" | "checked_at">[];
  failingSince: string | null;
  pausedAt: string | null;
  pausesAt: string | null;
  now: number;
}

export interface Timeline {
  start: number;
  end: number;
  /** The checks inside the window, oldest first. */
  checks: Array<{ at: number; outcome: AuthOutcome; index: number }>;
  streak: { from: number; to: number } | null;
  /** Failure streaks that ended (an OK check closed them), inside the window. */
  pastStreaks: Array<{ from: number; to: number }>;
  pausedAt: number | null;
  pausesAt: number | null;
  counts: Record<AuthOutcome, number>;
}

/**
 * The window and marks of the auth-health chart: the checks of the last days (at most a week, less
 * when the history is shorter, so that a demo running in seconds is readable too), the open failure
 * streak, the pause moment or the one coming.
 */
export function timeline(input: TimelineInput): Timeline {
  const times = input.checks.map((c) => Date.parse(c.checked_at));
  const failingSince = input.failingSince ? Date.parse(input.failingSince) : null;
  const pausedAt = input.pausedAt ? Date.parse(input.pausedAt) : null;
  const pausesAt = input.pausesAt ? Date.parse(input.pausesAt) : null;
  const earliest = Math.min(input.now, ...times, ...(failingSince === null ? [] : [failingSince]));
  let end = Math.max(
    input.now,
    ...(pausesAt !== null && pausesAt - input.now < TIMELINE_MAX_SPAN_MS ? [pausesAt] : []),
  );
  // At least a few seconds wide, growing into the past: the latest checks stay at the right.
  const span = Math.max(end - Math.max(input.now - TIMELINE_MAX_SPAN_MS, earliest), TIMELINE_MIN_SPAN_MS);
  let start = end - span;
  // A little room on both sides so dots at the edges are whole.
  start -= span * 0.04;
  end += span * 0.04;
  const checks = input.checks
    .map((c, index) => ({ at: Date.parse(c.checked_at), outcome: c.outcome, index }))
    .filter((c) => c.at >= start && c.at <= end)
    .sort((a, b) => a.at - b.at);
  const counts: Record<AuthOutcome, number> = { OK: 0, AUTH_FAILED: 0, INCONCLUSIVE: 0 };
  for (const c of checks) counts[c.outcome]++;
  const pastStreaks: Array<{ from: number; to: number }> = [];
  let open: number | null = null;
  for (const c of checks) {
    if (c.outcome === "AUTH_FAILED" && open === null) open = c.at;
    if (c.outcome === "OK" && open !== null) {
      pastStreaks.push({ from: open, to: c.at });
      open = null;
    }
  }
  return {
    start,
    end,
    checks,
    pastStreaks,
    streak:
      failingSince === null ? null : { from: Math.max(failingSince, start), to: Math.min(input.now, end) },
    pausedAt: pausedAt !== null && pausedAt >= start ? pausedAt : null,
    pausesAt: pausesAt !== null && pausesAt <= end ? pausesAt : null,
    counts,
  };
}

/** Evenly spaced tick times for the axis. */
export function ticks(start: number, end: number, count = 5): number[] {
  const step = (end - start) / count;
  return Array.from({ length: count + 1 }, (_, i) => start + step * i);
}
