import type { AuthCheck } from "@relink/sdk/contract";
import type { AuthCheckRow } from "../db/schema.ts";

/**
 * Sync runs, by job: the queue (`sync-queue.ts`: manual and relink requests), the run
 * (`sync-network.ts`: the auth check before every sync, then the sync, outside any transaction),
 * and the apply (`sync-apply.ts`: a batch of results per transaction, through the integration
 * machine and store). This module is their one entry point (the scheduler and routes import it).
 */

export { cancelOpenRun, findOpenRun } from "./integration-store.ts";
export {
  applyClaimed,
  type ClaimOutcome,
  retryDelayMs,
  runClaimedIntegration,
  syncIntervalOf,
} from "./sync-apply.ts";
export {
  type ClaimedWork,
  checkAuthNow,
  loadScopeModels,
  type ManualCheckAnswer,
  runAuthCheck,
  runClaimedNetwork,
} from "./sync-network.ts";
export { type ManualSyncAnswer, queueSyncRun, requestManualSync } from "./sync-queue.ts";

export function toAuthCheck(row: AuthCheckRow): AuthCheck {
  return {
    id: row.id,
    integration_id: row.integration_id,
    outcome: row.outcome as AuthCheck["outcome"],
    trigger: row.trigger as AuthCheck["trigger"],
    detail: row.detail,
    duration_ms: row.duration_ms,
    checked_at: row.checked_at,
  };
}
