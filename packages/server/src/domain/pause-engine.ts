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
  pruneAuthChecks,
  pruneDue,
} from "./integration-store.ts";
