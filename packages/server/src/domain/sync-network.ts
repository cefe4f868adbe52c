import type { AuthOutcome, SyncState, SyncWarning } from "@relink/sdk/contract";
import { leasedRefresh, sameGrantStored } from "../connectors/oauth.ts";
import {
  type AuthCheckResult,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  type Credentials,
} from "../connectors/types.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import type { AuthCheckRow, IntegrationRow, ScopeConfigRow } from "../db/schema.ts";
import { transition } from "./integration-machine.ts";
import { authCheckValues, lockIntegration, writeTransition } from "./integration-store.ts";
import { openCredentials, sameCredentials, sealCredentials } from "./integrations.ts";
import { type SealedRecords, sealSyncRecords } from "./records.ts";
import { missingPermissions, readableModels } from "./scope.ts";
import { simulatedCheck } from "./simulation.ts";

/**
 * The network part of sync runs: the auth check before every sync, then (only on `OK`) the
 * permissions and the sync itself through the connector, outside any transaction. Nothing is
 * written here but the operator's manual check, which asks the machine and hands the result to the
 * store once the tool has answered. The scheduler's results are written by `sync-apply.ts`.
 */

/** The connector's check, with anything it throws made `INCONCLUSIVE` (a connector bug never pauses anyone). */
export async function runAuthCheck(
  ctx: Pick<RelinkContext, "log">,
  connector: Connector,
  credentials: Credentials,
  signal: AbortSignal,
  refresh?: ConnectorContext["refresh"],
): Promise<AuthCheckResult & { durationMs: number }> {
  const started = performance.now();
  try {
    const result = await connector.checkAuth({ credentials, signal, refresh });
    return { ...result, durationMs: performance.now() - started };
  } catch (error) {
    if (error instanceof ConnectorError) {
      return {
        outcome: error.outcome,
        detail: error.message,
        retryAfterMs: error.retryAfterMs,
        durationMs: performance.now() - started,
      };
    }
    ctx.log.error({ err: error, tool: connector.tool.id }, "connector checkAuth failed");
    return {
      outcome: "INCONCLUSIVE",
      detail: "the connector failed",
      durationMs: performance.now() - started,
    };
  }
}

/** Aborted because the server is stopping (not because a call took too long). */
export const stoppedBy = (signal: AbortSignal) =>
  signal.aborted && (signal.reason as { name?: string } | undefined)?.name !== "TimeoutError";

type ScopeModels = ScopeConfigRow["models"];

/** What the network said about one claimed integration; nothing of it is written yet. */
export interface ClaimedWork {
  claimed: IntegrationRow;
  startedAt: string;
  signal: AbortSignal;
  result:
    | { kind: "inactive" }
    | { kind: "unusable"; message: string }
    | {
        kind: "checked";
        check: AuthCheckResult & { durationMs: number };
        granted: string[] | null;
        grantError: { message: string; retryAfterMs?: number } | null;
        /** Only after an `OK` check with the permissions read. */
        sync: {
          /** Sealed already (outside the writer's transaction): see `domain/records.ts`. */
          records: SealedRecords | null;
          warnings: SyncWarning[];
          missing: ReturnType<typeof missingPermissions>;
          failure: { state: SyncState; message: string; retryAfterMs?: number } | null;
        } | null;
      };
}

/** The models of the scope configs these integrations use (one query). */
export async function loadScopeModels(
  ctx: Pick<RelinkContext, "db">,
  rows: readonly Pick<IntegrationRow, "scope_config_id">[],
): Promise<Map<string, ScopeModels>> {
  const ids = [...new Set(rows.map((r) => r.scope_config_id).filter((id): id is string => id !== null))];
  const scopes = new Map<string, ScopeModels>();
  for (let i = 0; i < ids.length; i += 500) {
    const found = await ctx.db
      .selectFrom("scope_configs")
      .select(["id", "models"])
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const s of found) scopes.set(s.id, s.models);
  }
  return scopes;
}

/**
 * The network part of a claimed integration, outside any transaction: the auth check, then (only
 * on `OK`) what the credentials grant and the sync of the scope's readable models. A sync never
 * starts on credentials that just failed. `applyClaimed` writes the result.
 */
export async function runClaimedNetwork(
  ctx: RelinkContext,
  claimed: IntegrationRow,
  scopes: ReadonlyMap<string, ScopeModels>,
  signal: AbortSignal,
): Promise<ClaimedWork> {
  const startedAt = ctx.clock.now().toISOString();
  const work = (result: ClaimedWork["result"]): ClaimedWork => ({ claimed, startedAt, signal, result });
  if (claimed.state !== "ACTIVE") return work({ kind: "inactive" });

  const connector = ctx.connectors.get(claimed.tool);
  let credentials: Credentials | null = null;
  let unusable: string | null = null;
  try {
    credentials = openCredentials(ctx, claimed);
  } catch {
    unusable = "the stored credentials cannot be decrypted with the configured keys";
  }
  if (!connector) unusable = `no connector for tool "${claimed.tool}" is installed on this server`;
  if (!connector || !credentials) return work({ kind: "unusable", message: unusable ?? "sync failed" });

  const refresh = leasedRefresh(ctx, claimed.id, connector, signal);
  const check =
    (await simulatedCheck(ctx, claimed.id)) ??
    (await runAuthCheck(ctx, connector, credentials, signal, refresh));
  const current = check.refreshedCredentials ?? credentials;
  let granted: string[] | null = null;
  let grantError: { message: string; retryAfterMs?: number } | null = null;
  if (check.outcome === "OK" && !stoppedBy(signal)) {
    try {
      granted = await connector.grantedPermissions({ credentials: current, signal, refresh });
    } catch (error) {
      grantError = connectorFailure(ctx, connector, error, "grantedPermissions");
    }
  }
  if (granted === null || stoppedBy(signal)) {
    return work({ kind: "checked", check, granted, grantError, sync: null });
  }

  const models = (claimed.scope_config_id ? scopes.get(claimed.scope_config_id) : undefined) ?? {};
  const missing = missingPermissions(connector.tool, models, granted, claimed.opted_out);
  const warnings: SyncWarning[] = missing.map((m) => ({ code: "PERMISSION_MISSING", ...m }));
  let records: SealedRecords | null = null;
  let failure: { state: SyncState; message: string; retryAfterMs?: number } | null = null;
  try {
    const requested = readableModels(connector.tool, models, granted, claimed.opted_out);
    // A tool the product syncs itself (no `sync`): the check was the work; no records are kept.
    if (connector.sync) {
      const result = await connector.sync({ credentials: current, signal, models: requested, refresh });
      records = sealSyncRecords(ctx.secrets, claimed.id, result.records ?? {}, requested);
    }
  } catch (error) {
    if (signal.aborted) {
      failure = stoppedBy(signal)
        ? { state: "CANCELLED", message: "the server stopped during the sync" }
        : { state: "TIMED_OUT", message: "the sync took too long" };
    } else {
      failure = { state: "FAILED", ...connectorFailure(ctx, connector, error, "sync") };
    }
  }
  return work({ kind: "checked", check, granted, grantError, sync: { records, warnings, missing, failure } });
}

function connectorFailure(
  ctx: Pick<RelinkContext, "log">,
  connector: Connector,
  error: unknown,
  operation: string,
): { message: string; retryAfterMs?: number } {
  if (error instanceof ConnectorError) return { message: error.message, retryAfterMs: error.retryAfterMs };
  ctx.log.error({ err: error, tool: connector.tool.id }, `connector ${operation} failed`);
  return { message: "the connector failed" };
}

export type ManualCheckAnswer =
  | {
      kind: "checked";
      outcome: AuthOutcome;
      /** For an `INCONCLUSIVE` outcome: how long the tool asked us to wait. */
      retryAfterMs?: number;
      check: AuthCheckRow;
      row: IntegrationRow;
    }
  | { kind: "not-found" }
  | { kind: "refused"; state: "INACTIVE" }
  | { kind: "no-connector" }
  | { kind: "changed" };

/**
 * Checks an integration's credentials now (the operator's button; a sync session's check, with
 * trigger `SESSION`). Allowed while `INVALID`: an `OK` ends the streak and resumes scheduling.
 * Refused while `INACTIVE`.
 */
export async function checkAuthNow(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  signal: AbortSignal,
  trigger: "MANUAL" | "SESSION" = "MANUAL",
): Promise<ManualCheckAnswer> {
  const before = await ctx.db
    .selectFrom("integrations")
    .selectAll()
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!before) return { kind: "not-found" };
  if (before.state === "INACTIVE") return { kind: "refused", state: "INACTIVE" };
  const connector = ctx.connectors.get(before.tool);
  if (!connector) return { kind: "no-connector" };
  let credentials: Credentials;
  try {
    credentials = openCredentials(ctx, before);
  } catch {
    return { kind: "no-connector" };
  }
  const check =
    (await simulatedCheck(ctx, id)) ??
    (await runAuthCheck(ctx, connector, credentials, signal, leasedRefresh(ctx, id, connector, signal)));
  return inTransaction(ctx, async (tx) => {
    const row = await lockIntegration(tx, ctx, workspaceId, id);
    if (!row) return { kind: "not-found" };
    if (row.state === "INACTIVE") return { kind: "refused", state: "INACTIVE" };
    // A refresh (same OAuth grant, new tokens) is no relink.
    if (!sameCredentials(ctx, row, before) && !sameGrantStored(ctx, row, before)) return { kind: "changed" };
    const now = ctx.clock.now();
    const at = now.toISOString();
    const t = transition(
      row,
      {
        kind: "auth-checked",
        outcome: check.outcome,
        ...(check.credentialsExpireAt !== undefined
          ? { credentialsExpireAt: check.credentialsExpireAt }
          : {}),
        ...(check.refreshedCredentials
          ? { credentialsSealed: sealCredentials(ctx, row.id, check.refreshedCredentials) }
          : {}),
      },
      now,
      ctx.config,
    );
    const recorded = authCheckValues(
      row,
      {
        outcome: check.outcome,
        trigger,
        detail: check.detail ?? null,
        durationMs: check.durationMs,
      },
      at,
    );
    const updated = await writeTransition(tx, row, t, { authCheck: recorded });
    return {
      kind: "checked",
      outcome: check.outcome,
      ...(check.retryAfterMs === undefined ? {} : { retryAfterMs: check.retryAfterMs }),
      check: recorded,
      row: updated,
    };
  });
}
