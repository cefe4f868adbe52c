import type { EndUser } from "@relink/sdk/contract";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { relinkedExpiry } from "./credential-expiry.ts";
import { recordEvent } from "./events.ts";
import { type StateChangeReason, stateChanged } from "./integration-events.ts";
import { transition } from "./integration-machine.ts";
import {
  authCheckValues,
  cancelOpenRun,
  insertIntegration,
  isClaimed,
  lockIntegration,
  writeTransition,
} from "./integration-store.ts";
import { sealCredentials } from "./integrations.ts";
import { missingPermissions } from "./scope.ts";
import type { VerifiedCredentials } from "./tool-checks.ts";

/**
 * An integration's life: creation, enabling and disabling, deletion. Each asks the machine
 * (`integration-machine.ts`) for the transition and hands it to the store (`integration-store.ts`),
 * in one transaction with the events that announce it.
 */

export type { StateChangeReason } from "./integration-events.ts";
export { stateChangedData } from "./integration-events.ts";

/** Records an `integration-state-changed` event about `row` (after the change), in `tx`. */
export async function recordStateChange(
  tx: Tx,
  row: IntegrationRow,
  previousState: string,
  reason: StateChangeReason,
  at: string,
): Promise<void> {
  await recordEvent(tx, stateChanged(row, previousState, reason, at));
}
export { lockIntegration } from "./integration-store.ts";

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
  const now = ctx.clock.now();
  const at = now.toISOString();
  const id = newId("int");
  const connector = ctx.connectors.get(input.tool.id);
  const missing =
    connector && input.scopeConfig
      ? missingPermissions(connector.tool, input.scopeConfig.models, input.verified.granted, input.optedOut)
      : [];
  const draft = {
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
    sync_interval_ms: input.syncIntervalMs,
    granted_permissions: input.verified.granted,
    missing_permissions: missing,
    opted_out: input.optedOut ?? [],
    ...relinkedExpiry(input.verified.expiresAt),
    expiry_warned_for: null,
    created_at: at,
  };
  const created = transition(null, { kind: "created", draft }, now, ctx.config);
  return inTransaction(ctx, async (tx) => {
    const inserted = await insertIntegration(tx, draft, created, {
      authCheck: authCheckValues(
        draft,
        {
          outcome: "OK",
          trigger: "IMPORT",
          detail: "credentials checked when the integration was created",
          durationMs: 0,
        },
        at,
      ),
    });
    await input.within?.(tx, inserted);
    return inserted;
  });
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
    const now = ctx.clock.now();
    const t = transition(current, { kind: enabled ? "enabled" : "disabled" }, now, ctx.config);
    if (t.events.length === 0) return current; // nothing to change
    const row = await writeTransition(tx, current, t);
    // A queued manual sync would never run (nothing is scheduled any more): it ends now. A sync
    // being run by a live claim is ended by its scheduler, which finds the integration INACTIVE.
    const at = now.toISOString();
    const claimed = isClaimed(ctx, current, at);
    if (!enabled && !claimed) await cancelOpenRun(tx, id, "the integration was disabled", at);
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
    await writeTransition(tx, current, transition(current, { kind: "deleted" }, ctx.clock.now(), ctx.config));
    return true;
  });
}
