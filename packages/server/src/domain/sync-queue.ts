import type { SyncTrigger } from "@relink/sdk/contract";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import type { IntegrationRow, SyncRunRow } from "../db/schema.ts";
import { syncFinished } from "./integration-events.ts";
import { manualSyncRefusal, transition } from "./integration-machine.ts";
import {
  findOpenRun,
  finishedRun,
  insertSyncRun,
  isClaimed,
  lockIntegration,
  newSyncRun,
  type TransitionExtras,
  writeTransition,
} from "./integration-store.ts";

/**
 * The queue of sync runs: a queued (`QUEUED`) run is what a manual or relink request leaves for the
 * scheduler, which runs it with the integration's next claim (auth check first) and finishes it
 * (`sync-apply.ts`). At most one run is queued or running per integration (a unique index).
 */

export type ManualSyncAnswer =
  | { kind: "queued"; syncId: string; alreadyQueued: boolean }
  | { kind: "not-found" }
  | { kind: "refused"; state: "INVALID" | "INACTIVE" };

/** Inserts a `QUEUED` sync run that the scheduler will pick up with the integration's next claim. */
export async function queueSyncRun(
  tx: Tx,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  trigger: SyncTrigger,
  at: string,
): Promise<string> {
  const run = newSyncRun(row, trigger, at);
  await insertSyncRun(tx, run);
  return run.id;
}

/** The orphan's end: a run still `RUNNING` whose server stopped before it finished. */
const ORPHANED = {
  sync_state: "TIMED_OUT",
  error: "the server running this sync stopped before it finished",
} as const;

/**
 * Queues a manual sync: at most one queued or running per integration (the one already there is
 * returned). The scheduler is woken and runs it (auth check first) with trigger `MANUAL`.
 */
export async function requestManualSync(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
): Promise<ManualSyncAnswer> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockIntegration(tx, ctx, workspaceId, id);
    if (!row) return { kind: "not-found" };
    const refused = manualSyncRefusal(row);
    if (refused) return { kind: "refused", state: refused };
    const now = ctx.clock.now();
    const at = now.toISOString();
    const open = await findOpenRun(tx, row.id);
    const extras: Required<Pick<TransitionExtras, "runs" | "events">> = { runs: [], events: [] };
    if (open) {
      const claimed = isClaimed(ctx, row, at);
      if (open.status === "QUEUED" || claimed)
        return { kind: "queued", syncId: open.id, alreadyQueued: true };
      const orphan = finishedRun(open, ORPHANED, at);
      extras.runs.push({ update: orphan });
      extras.events.push(syncFinished(orphan, at));
    }
    const queued = newSyncRun(row, "MANUAL", at);
    extras.runs.push({ insert: queued });
    await writeTransition(tx, row, transition(row, { kind: "sync-requested" }, now, ctx.config), extras);
    return { kind: "queued", syncId: queued.id, alreadyQueued: false };
  });
}

/**
 * The run a relink asks for, queued with trigger `RELINK`: a queued run becomes it; a run still
 * going on the old credentials finishes first, and the integration, due now, runs again after it.
 * `row` has the relink's scope config.
 */
export function relinkSyncRun(
  open: SyncRunRow | undefined,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  at: string,
): { insert: SyncRunRow } | { update: SyncRunRow } | null {
  if (open?.status === "RUNNING") return null;
  if (open) return { update: { ...open, trigger: "RELINK", scope_config_id: row.scope_config_id } };
  return { insert: newSyncRun(row, "RELINK", at) };
}
