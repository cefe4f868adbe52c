import type { RelinkContext, Tx } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import {
  type AuthTransition,
  decideAuthTransition,
  type IntegrationPatch,
  transition,
} from "./integration-machine.ts";
import { authCheckValues, type CheckRecord, writeTransition } from "./integration-store.ts";

/**
 * The pause engine's earlier entry points. The rule now lives in the integration machine
 * (`integration-machine.ts`, pure) and its writes in the integration store (`integration-store.ts`);
 * this module re-exports them for callers of the earlier path.
 */

export { authStatusChangedData } from "./integration-events.ts";
export {
  type AuthTransition,
  decideAuthTransition,
  type StreakView,
} from "./integration-machine.ts";
export {
  AUTH_CHECK_PRUNE_EVERY,
  AUTH_CHECK_RETENTION,
  type AuthCheckTrigger,
  authCheckValues,
  type CheckRecord,
  PRUNE_AUTH_CHECKS,
  PRUNE_AUTH_CHECKS_MANY,
  pruneAuthChecks,
  pruneDue,
} from "./integration-store.ts";

/**
 * Applies one check to an integration the caller has just read (and locked) in `tx`: the
 * machine's `auth-checked` transition, written by the store with the check and its events.
 * `extra`: further columns written with it (e.g. refreshed credentials).
 */
export async function applyAuthOutcome(
  tx: Tx,
  ctx: Pick<RelinkContext, "clock" | "config">,
  row: IntegrationRow,
  check: CheckRecord,
  extra: IntegrationPatch = {},
): Promise<{ row: IntegrationRow; checkId: string; transition: AuthTransition }> {
  const now = ctx.clock.now();
  const t = transition(row, { kind: "auth-checked", outcome: check.outcome }, now, ctx.config);
  const authCheck = authCheckValues(row, check, now.toISOString());
  const updated = await writeTransition(tx, row, { ...t, update: { ...extra, ...t.update } }, { authCheck });
  return {
    row: updated,
    checkId: authCheck.id,
    transition: decideAuthTransition(row, check.outcome, now, ctx.config.pauseAfterMs),
  };
}
