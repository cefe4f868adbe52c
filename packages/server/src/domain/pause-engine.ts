import type { AuthOutcome, WebhookEventData } from "@relink/sdk/contract";
import type { Config } from "../config.ts";
import type { RelinkContext, Tx } from "../context.ts";
import { raw } from "../db/bulk.ts";
import type { IntegrationRow, IntegrationUpdate } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { recordEvent } from "./events.ts";
import { integrationSummary, pausesAt } from "./integrations.ts";
import { recordStateChange, type StateChangeReason } from "./lifecycle.ts";

/**
 * The pause engine (docs/design.md section 4): what one auth check's outcome does to an integration's
 * failure streak and state. `decideAuthTransition` is the rule, pure; `applyAuthOutcome` writes it
 * with its events in the caller's transaction. Lifecycle changes go through `lifecycle.ts`, which
 * this module extends.
 */

export type AuthCheckTrigger = "SYNC" | "MANUAL" | "IMPORT" | "RELINK" | "SESSION";

export interface StreakView {
  state: string;
  failing_since: string | null;
  failed_checks: number;
}

export interface AuthTransition {
  /** The columns to write. */
  update: Pick<
    IntegrationUpdate,
    "state" | "failing_since" | "failed_checks" | "last_checked_at" | "last_succeeded_at"
  >;
  /** The auth status announced (`integration-auth-status-changed`), or null when it did not change. */
  authStatus: "FAILING" | "OK" | null;
  /** The state change announced (`integration-state-changed`), or null. */
  stateChange: { from: string; to: string; reason: StateChangeReason } | null;
}

/**
 * The rules of the pause engine for one check at `now`:
 * `OK` ends any streak and recovers an `INVALID` integration; `AUTH_FAILED` opens or extends the
 * streak and pauses (`INVALID`) at the first failing check at or after `failing_since + pauseAfterMs`;
 * `INCONCLUSIVE` changes nothing but the time of the last check. `INACTIVE` is never changed here.
 */
export function decideAuthTransition(
  current: StreakView,
  outcome: AuthOutcome,
  now: Date,
  pauseAfterMs: number,
): AuthTransition {
  const at = now.toISOString();
  if (outcome === "INCONCLUSIVE") {
    return { update: { last_checked_at: at }, authStatus: null, stateChange: null };
  }
  if (outcome === "OK") {
    const recovered = current.state === "INVALID";
    return {
      update: {
        failing_since: null,
        failed_checks: 0,
        last_checked_at: at,
        last_succeeded_at: at,
        ...(recovered ? { state: "ACTIVE" } : {}),
      },
      authStatus: current.failing_since !== null ? "OK" : null,
      stateChange: recovered ? { from: "INVALID", to: "ACTIVE", reason: "AUTH_RECOVERED" } : null,
    };
  }
  const opens = current.failing_since === null;
  const failingSince = opens ? at : (current.failing_since as string);
  const pauses = current.state === "ACTIVE" && now.getTime() >= Date.parse(failingSince) + pauseAfterMs;
  return {
    update: {
      failing_since: failingSince,
      failed_checks: opens ? 1 : current.failed_checks + 1,
      last_checked_at: at,
      ...(pauses ? { state: "INVALID" } : {}),
    },
    authStatus: opens ? "FAILING" : null,
    stateChange: pauses ? { from: "ACTIVE", to: "INVALID", reason: "AUTHENTICATION_FAILED" } : null,
  };
}

export interface CheckRecord {
  outcome: AuthOutcome;
  trigger: AuthCheckTrigger;
  detail: string | null;
  durationMs: number;
}

/**
 * Applies one check to an integration whose row the caller has just re-read (and locked) in `tx`:
 * records the check, updates the streak and state, writes the events of every transition.
 * A pause stops scheduling (`next_sync_at = null`); a recovery schedules a sync now.
 * Returns the updated row and the recorded check's id.
 */
export async function applyAuthOutcome(
  tx: Tx,
  ctx: Pick<RelinkContext, "clock" | "config">,
  row: IntegrationRow,
  check: CheckRecord,
  extra: IntegrationUpdate = {},
): Promise<{ row: IntegrationRow; checkId: string; transition: AuthTransition }> {
  const now = ctx.clock.now();
  const at = now.toISOString();
  const transition =
    row.state === "INACTIVE"
      ? { update: { last_checked_at: at }, authStatus: null, stateChange: null }
      : decideAuthTransition(row, check.outcome, now, ctx.config.pauseAfterMs);

  const checkId = await recordAuthCheck(tx, row, check, at);

  const scheduling: IntegrationUpdate = {};
  if (transition.stateChange?.to === "INVALID") scheduling.next_sync_at = null;
  if (transition.stateChange?.reason === "AUTH_RECOVERED") {
    scheduling.next_sync_at = at;
    scheduling.retry_attempt = 0;
    tx.wake("scheduler");
  }
  const updated = await tx.db
    .updateTable("integrations")
    .set({ ...extra, ...transition.update, ...scheduling, updated_at: at })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();

  if (transition.authStatus) {
    await recordEvent(tx, {
      workspaceId: row.workspace_id,
      type: "integration-auth-status-changed",
      integrationId: row.id,
      data: authStatusChangedData(updated, transition.authStatus, ctx.config),
      createdAt: at,
    });
  }
  if (transition.stateChange) {
    await recordStateChange(tx, updated, transition.stateChange.from, transition.stateChange.reason, at);
  }
  return { row: updated, checkId, transition };
}

export function authStatusChangedData(
  row: IntegrationRow,
  status: "FAILING" | "OK",
  config: Pick<Config, "pauseAfterMs">,
): WebhookEventData<"integration-auth-status-changed"> {
  const summary = integrationSummary(row);
  return {
    integration_id: row.id,
    integration_tool: row.tool,
    integration_category: summary.category,
    end_user: summary.end_user,
    auth_status: status,
    failing_since: row.failing_since,
    pauses_at: pausesAt(row, config),
  };
}

/** Checks kept per integration: enough for the dashboard's timeline, bounded however often it runs. */
export const AUTH_CHECK_RETENTION = 500;

/**
 * The scheduler records many checks per transaction and prunes an integration's checks at about one
 * check in `AUTH_CHECK_PRUNE_EVERY` (the prune reads the newest `AUTH_CHECK_RETENTION` index entries):
 * between two prunes an integration keeps at most a few dozen checks more than the bound.
 */
export const AUTH_CHECK_PRUNE_EVERY = 16;

/** Whether this check of the scheduler also prunes its integration's old checks. */
export const pruneDue = (): boolean => Math.random() * AUTH_CHECK_PRUNE_EVERY < 1;

/** The `auth_checks` row of one check. */
export function authCheckValues(
  row: Pick<IntegrationRow, "id" | "workspace_id">,
  check: CheckRecord,
  at: string,
  id: string = newId("chk", Date.parse(at)),
) {
  return {
    id,
    workspace_id: row.workspace_id,
    integration_id: row.id,
    outcome: check.outcome,
    trigger: check.trigger,
    detail: check.detail?.slice(0, 500) ?? null,
    duration_ms: Math.max(0, Math.round(check.durationMs)),
    checked_at: at,
  };
}

/**
 * Keeps the newest `AUTH_CHECK_RETENTION` checks of each of these integrations. Ids are
 * time-ordered: everything older than the integration's `AUTH_CHECK_RETENTION`-th newest goes;
 * nothing is deleted while there are fewer. One statement per integration, its cut-off read once
 * from the integration's index entries (a subquery correlated with each deleted row would walk
 * them again for every row: quadratic in the retention).
 */
export async function pruneAuthChecks(tx: Tx, integrationIds: readonly string[]): Promise<void> {
  for (const id of integrationIds) await raw(tx, tx.dialect, PRUNE_AUTH_CHECKS, [id, id]);
}

/** The prune of one integration's checks (its id twice): both parts read `auth_checks_integration`. */
export const PRUNE_AUTH_CHECKS = `delete from auth_checks where integration_id = ? and id < (select id from auth_checks where integration_id = ? order by id desc limit 1 offset ${AUTH_CHECK_RETENTION - 1})`;

async function recordAuthCheck(tx: Tx, row: IntegrationRow, check: CheckRecord, at: string) {
  const values = authCheckValues(row, check, at);
  await tx.db.insertInto("auth_checks").values(values).execute();
  await pruneAuthChecks(tx, [row.id]);
  return values.id;
}
