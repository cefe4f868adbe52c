import type { EndUser, Integration, WebhookEventData } from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import { type IntegrationRow, toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { relinkedExpiry } from "./credential-expiry.ts";
import { recordEvent } from "./events.ts";
import { integrationSummary, sealCredentials } from "./integrations.ts";
import { stateChangeGap } from "./resume-gap.ts";
import { missingPermissions } from "./scope.ts";
import { cancelOpenRun } from "./sync-runs.ts";
import type { VerifiedCredentials } from "./tool-checks.ts";

/**
 * Every change of an integration's state goes through this module, in one transaction with the
 * event that announces it.
 */

export type StateChangeReason =
  | "AUTHENTICATION_FAILED"
  | "AUTH_RECOVERED"
  | "RELINKED"
  | "DISABLED"
  | "ENABLED";

export function stateChangedData(
  row: IntegrationRow,
  previousState: string,
  reason: StateChangeReason,
  at: string,
): WebhookEventData<"integration-state-changed"> {
  return {
    integration_id: row.id,
    integration_tool: row.tool,
    integration_category: row.category as Integration["category"],
    end_user: integrationSummary(row).end_user,
    state: row.state as Integration["state"],
    previous_state: previousState as Integration["state"],
    reason,
    updated_at: at,
    ...stateChangeGap(row, previousState),
  };
}

export async function recordStateChange(
  tx: Tx,
  row: IntegrationRow,
  previousState: string,
  reason: StateChangeReason,
  at: string,
): Promise<void> {
  await recordEvent(tx, {
    workspaceId: row.workspace_id,
    type: "integration-state-changed",
    integrationId: row.id,
    data: stateChangedData(row, previousState, reason, at),
    createdAt: at,
  });
}

export interface CreateIntegrationInput {
  workspaceId: string;
  tool: { id: string; category: string };
  endUser: EndUser;
  verified: VerifiedCredentials;
  scopeConfig: { id: string; models: Parameters<typeof missingPermissions>[1] } | null;
  syncIntervalMs: number | null;
  optedOut?: string[];
  /** Runs inside the transaction, e.g. to spend a flow token. */
  within?: (tx: Tx, row: IntegrationRow) => Promise<void>;
}

/** Creates an `ACTIVE` integration on verified credentials, due for a sync at once. */
export async function createIntegration(
  ctx: RelinkContext,
  input: CreateIntegrationInput,
): Promise<IntegrationRow> {
  const now = iso(ctx.clock.now());
  const id = newId("int");
  const connector = ctx.connectors.get(input.tool.id);
  const missing =
    connector && input.scopeConfig
      ? missingPermissions(connector.tool, input.scopeConfig.models, input.verified.granted, input.optedOut)
      : [];
  const row = await inTransaction(ctx, async (tx) => {
    const inserted = await tx.db
      .insertInto("integrations")
      .values({
        id,
        workspace_id: input.workspaceId,
        tool: input.tool.id,
        category: input.tool.category,
        end_user_origin_id: input.endUser.origin_id,
        end_user_organization_name: input.endUser.organization_name,
        end_user_email: input.endUser.email ?? null,
        credentials_sealed: sealCredentials(ctx, id, input.verified.credentials),
        account_id: input.verified.account.id,
        account_name: input.verified.account.name ?? null,
        scope_config_id: input.scopeConfig?.id ?? null,
        state: "ACTIVE",
        failing_since: null,
        failed_checks: 0,
        last_checked_at: now,
        last_succeeded_at: now,
        next_sync_at: now,
        sync_interval_ms: input.syncIntervalMs,
        retry_attempt: 0,
        granted_permissions: toJson(input.verified.granted),
        missing_permissions: toJson(missing),
        opted_out: toJson(input.optedOut ?? []),
        ...relinkedExpiry(input.verified.expiresAt),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.db
      .insertInto("auth_checks")
      .values({
        id: newId("chk", Date.parse(now)),
        workspace_id: input.workspaceId,
        integration_id: id,
        outcome: "OK",
        trigger: "IMPORT",
        detail: "credentials checked when the integration was created",
        duration_ms: 0,
        checked_at: now,
      })
      .execute();
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      type: "integration-created",
      integrationId: id,
      data: integrationSummary(inserted),
      createdAt: now,
    });
    await input.within?.(tx, inserted);
    tx.wake("scheduler");
    return inserted;
  });
  return row;
}

/**
 * Disables (`INACTIVE`: no syncs, credentials and config kept) or re-enables an integration.
 * Re-enabling makes it `ACTIVE` and due at once; the check before that sync decides what follows.
 */
export async function setEnabled(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  enabled: boolean,
): Promise<IntegrationRow | undefined> {
  return inTransaction(ctx, async (tx) => {
    const current = await lockIntegration(tx, ctx, workspaceId, id);
    if (!current) return undefined;
    const inactive = current.state === "INACTIVE";
    if (enabled !== inactive) return current; // nothing to change
    const now = iso(ctx.clock.now());
    const row = await tx.db
      .updateTable("integrations")
      .set(
        enabled
          ? { state: "ACTIVE", next_sync_at: now, retry_attempt: 0, updated_at: now }
          : { state: "INACTIVE", next_sync_at: null, updated_at: now },
      )
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordStateChange(tx, row, current.state, enabled ? "ENABLED" : "DISABLED", now);
    if (enabled) tx.wake("scheduler");
    // A queued manual sync would never run (nothing is scheduled any more): it ends now. A sync
    // being run by a live claim is ended by its scheduler, which finds the integration INACTIVE.
    const claimed = current.lease_owner !== null && (current.lease_expires_at ?? "") > now;
    if (!enabled && !claimed) await cancelOpenRun(tx, id, "the integration was disabled", now);
    return row;
  });
}

/** Deletes an integration; its credentials are destroyed with the row. */
export async function deleteIntegration(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const current = await lockIntegration(tx, ctx, workspaceId, id);
    if (!current) return false;
    const now = iso(ctx.clock.now());
    await tx.db.deleteFrom("integrations").where("id", "=", id).execute();
    await recordEvent(tx, {
      workspaceId,
      type: "integration-deleted",
      integrationId: id,
      data: { id, tool: current.tool, end_user: integrationSummary(current).end_user, deleted_at: now },
      createdAt: now,
    });
    return true;
  });
}

/** Reads an integration inside a transaction, locking its row on PostgreSQL. */
export async function lockIntegration(
  tx: Tx,
  ctx: Pick<RelinkContext, "dialect">,
  workspaceId: string | null,
  id: string,
): Promise<IntegrationRow | undefined> {
  let query = tx.db.selectFrom("integrations").selectAll().where("id", "=", id);
  if (workspaceId !== null) query = query.where("workspace_id", "=", workspaceId);
  if (ctx.dialect === "postgres") query = query.forUpdate();
  return query.executeTakeFirst();
}
