import type {
  ReportedSyncWarning,
  SyncRun,
  SyncSession,
  SyncSessionFinish,
  SyncState,
} from "@relink/sdk/contract";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import type { SyncRunRow, SyncSessionRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { DomainError, notFound } from "./errors.ts";
import { recordEvent } from "./events.ts";
import { syncFinished } from "./integration-events.ts";
import { transition } from "./integration-machine.ts";
import { externalRun, insertSyncRun, lockIntegration, writeTransition } from "./integration-store.ts";
import { toSyncRun } from "./integrations.ts";
import { syncIntervalOf } from "./sync-runs.ts";

import { checkRetrying, toSyncSession } from "./sync-sessions.ts";

/** Sync sessions (`sync-sessions.ts`): finishing one, expiring those left open, listing them. */

// ─── finishing ──────────────────────────────────────────────────────────────────────────────────

export interface FinishSyncSessionInput {
  workspaceId: string;
  integrationId: string;
  sessionId: string;
  report: SyncSessionFinish;
  signal: AbortSignal;
}

/** Closes an open session with the product's report: an `EXTERNAL` sync run, announced. */
export async function finishSyncSession(
  ctx: RelinkContext,
  input: FinishSyncSessionInput,
): Promise<{ session: SyncSession; sync: SyncRun }> {
  const session = await ctx.db
    .selectFrom("sync_sessions")
    .selectAll()
    .where("id", "=", input.sessionId)
    .where("integration_id", "=", input.integrationId)
    .where("workspace_id", "=", input.workspaceId)
    .executeTakeFirst();
  if (!session) throw notFound("Sync session");
  refuseClosed(session);
  if (Date.parse(session.expires_at) <= ctx.clock.now().getTime()) {
    await expireSession(ctx, session);
    throw sessionExpired(session);
  }

  const { report } = input;
  let state: SyncState = report.outcome;
  let error: string | null = null;
  if (report.outcome === "AUTHENTICATION_FAILED") {
    // Only relink's own check counts: a product bug must not open a streak or pause anything.
    const answer = await checkRetrying(ctx, input.workspaceId, input.integrationId, input.signal);
    const outcome = answer.kind === "checked" ? answer.outcome : "INCONCLUSIVE";
    if (outcome !== "AUTH_FAILED") {
      state = "FAILED";
      error =
        outcome === "OK"
          ? "The product reported an authentication failure, but relink's check found the credentials valid."
          : "The product reported an authentication failure; relink's confirming check was inconclusive.";
    }
  } else if (report.outcome === "FAILED") {
    error = "The product's sync failed.";
  }

  const closed = await inTransaction(ctx, (tx) =>
    closeSession(ctx, tx, session, {
      status: "FINISHED",
      outcome: report.outcome,
      state,
      error,
      records: report.records ?? {},
      warnings: report.warnings ?? [],
    }),
  );
  if (!closed) {
    const now = await ctx.db
      .selectFrom("sync_sessions")
      .selectAll()
      .where("id", "=", session.id)
      .executeTakeFirstOrThrow();
    refuseClosed(now);
    throw new DomainError("SESSION_FINISHED", "This sync session was already finished.");
  }
  return { session: toSyncSession(closed.session), sync: toSyncRun(closed.run) };
}

function refuseClosed(session: SyncSessionRow): void {
  if (session.status === "EXPIRED") throw sessionExpired(session);
  if (session.status !== "OPEN") {
    throw new DomainError("SESSION_FINISHED", "This sync session was already finished.", {
      details: { session_id: session.id, sync_id: session.sync_id },
    });
  }
}

const sessionExpired = (session: SyncSessionRow) =>
  new DomainError(
    "SESSION_EXPIRED",
    "This sync session expired before it was finished; its sync was recorded as failed.",
    {
      details: { session_id: session.id, expires_at: session.expires_at, sync_id: session.sync_id },
    },
  );

interface Closing {
  status: "FINISHED" | "EXPIRED";
  outcome: string;
  state: SyncState;
  error: string | null;
  records: Record<string, number>;
  warnings: ReportedSyncWarning[];
}

/**
 * Closes a session still open (a guarded update: of two closers, on any replicas, one wins) and
 * records its `EXTERNAL` run in the caller's transaction: the machine's `external-sync-finished`
 * transition, written by the store with the run and its `sync-finished` event. For a tool relink
 * does not sync itself, a finished session counts as the sync: the next scheduled check moves one
 * interval on.
 */
async function closeSession(
  ctx: RelinkContext,
  tx: Tx,
  session: SyncSessionRow,
  closing: Closing,
): Promise<{ session: SyncSessionRow; run: SyncRunRow } | null> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  const runId = newId("sync", Date.parse(at));
  const updated = await tx.db
    .updateTable("sync_sessions")
    .set({ status: closing.status, finished_at: at, outcome: closing.outcome, sync_id: runId })
    .where("id", "=", session.id)
    .where("status", "=", "OPEN")
    .returningAll()
    .executeTakeFirst();
  if (!updated) return null;
  const integration = await lockIntegration(tx, ctx, session.workspace_id, session.integration_id);
  const run = externalRun(
    {
      id: session.integration_id,
      workspace_id: session.workspace_id,
      scope_config_id: integration?.scope_config_id ?? null,
    },
    runId,
    session.created_at,
    {
      sync_state: closing.state,
      warnings: closing.warnings,
      records: closing.records,
      error: closing.error,
    },
    at,
  );
  if (integration) {
    const authOnly = !ctx.connectors.get(integration.tool)?.sync && closing.status === "FINISHED";
    const t = transition(
      integration,
      {
        kind: "external-sync-finished",
        run,
        ...(authOnly ? { authOnlyIntervalMs: syncIntervalOf(integration, ctx.config) } : {}),
      },
      now,
      ctx.config,
    );
    await writeTransition(tx, integration, t, { runs: [{ insert: run }] });
  } else {
    await insertSyncRun(tx, run);
    await recordEvent(tx, syncFinished(run, at));
  }
  return { session: updated, run };
}

// ─── expiry ─────────────────────────────────────────────────────────────────────────────────────

async function expireSession(ctx: RelinkContext, session: SyncSessionRow): Promise<boolean> {
  const closed = await inTransaction(ctx, (tx) =>
    closeSession(ctx, tx, session, {
      status: "EXPIRED",
      outcome: "SESSION_EXPIRED",
      state: "FAILED",
      error: "SESSION_EXPIRED: the product did not finish the sync session before it expired.",
      records: {},
      warnings: [],
    }),
  );
  return closed !== null;
}

/**
 * Ends the sessions left open past `expires_at` as `FAILED` runs (`SESSION_EXPIRED`). Run by the
 * scheduler on every tick, on every replica: the guarded close lets one of them do each.
 */
export async function expireSyncSessions(ctx: RelinkContext, limit = 100): Promise<number> {
  const due = await ctx.db
    .selectFrom("sync_sessions")
    .selectAll()
    .where("status", "=", "OPEN")
    .where("expires_at", "<=", ctx.clock.now().toISOString())
    .orderBy("expires_at")
    .limit(limit)
    .execute();
  let expired = 0;
  for (const session of due) if (await expireSession(ctx, session)) expired++;
  return expired;
}

/** The sessions of an integration, newest first: who took its credentials, and when. */
export async function listSyncSessions(
  ctx: RelinkContext,
  workspaceId: string,
  integrationId: string,
  limit: number,
  before: string | null,
): Promise<SyncSessionRow[]> {
  let query = ctx.db
    .selectFrom("sync_sessions")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("integration_id", "=", integrationId)
    .orderBy("id", "desc")
    .limit(limit);
  if (before) query = query.where("id", "<", before);
  return query.execute();
}
