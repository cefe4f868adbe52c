import type { IntegrationRow } from "../db/schema.ts";
import type { NewEvent } from "./events.ts";

/**
 * The gap on resume (docs/design.md "The paused window"): an integration paused (`INVALID`) syncs
 * nothing until it is `ACTIVE` again. The pause's start is kept (`paused_at`); on resume the window
 * becomes `gap_from`/`gap_until`, carried as `paused_from`/`paused_until` by the
 * `integration-state-changed` to `ACTIVE` and by the first `sync-finished` after it, and exposed as
 * the integration's `backfill_from`, so the product can backfill what it missed.
 *
 * Pure: the integration machine (`integration-machine.ts`) puts these columns in its transitions'
 * `update` and the store writes them.
 */

/** The columns of a pause (to `INVALID`). */
export const pausedColumns = (at: string): Pick<IntegrationRow, "paused_at"> => ({ paused_at: at });

/** The columns of a resume (`INVALID` to `ACTIVE`): the window, not yet reported by a sync. */
export function resumedColumns(
  row: Pick<IntegrationRow, "paused_at" | "failing_since" | "updated_at">,
  at: string,
): Pick<IntegrationRow, "paused_at" | "gap_from" | "gap_until" | "gap_reported_at"> {
  // Paused before relink kept the pause's start: the streak's start is the safe (earlier) bound.
  const from = row.paused_at ?? row.failing_since ?? row.updated_at;
  return { paused_at: null, gap_from: from, gap_until: at, gap_reported_at: null };
}

/** `paused_from`/`paused_until` of a state change to `ACTIVE` from `INVALID`; nothing otherwise. */
export function stateChangeGap(
  row: Pick<IntegrationRow, "state" | "gap_from" | "gap_until">,
  previousState: string,
): { paused_from?: string; paused_until?: string } {
  if (previousState !== "INVALID" || row.state !== "ACTIVE" || !row.gap_from || !row.gap_until) return {};
  return { paused_from: row.gap_from, paused_until: row.gap_until };
}

/** The first `sync-finished` after a resume carries the window; the caller marks it reported. */
export function withUnreportedGap(
  event: NewEvent,
  row: Pick<IntegrationRow, "gap_from" | "gap_until" | "gap_reported_at">,
): { event: NewEvent; reported: boolean } {
  if (event.type !== "sync-finished" || !row.gap_from || !row.gap_until || row.gap_reported_at) {
    return { event, reported: false };
  }
  return {
    event: { ...event, data: { ...event.data, paused_from: row.gap_from, paused_until: row.gap_until } },
    reported: true,
  };
}
