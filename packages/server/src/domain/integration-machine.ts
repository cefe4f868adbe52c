import type { AuthOutcome, StateChangeReason } from "@relink/sdk/contract";
import type { Config } from "../config.ts";
import type { IntegrationRow, SyncRunRow } from "../db/schema.ts";
import type { NewEvent } from "./events.ts";
import {
  authStatusChanged,
  integrationCreated,
  integrationDeleted,
  integrationRelinked,
  stateChanged,
  syncFinished,
} from "./integration-events.ts";
import { pausedColumns, resumedColumns, withUnreportedGap } from "./resume-gap.ts";

/**
 * The integration machine (docs/design.md section 4): every transition of an integration's state,
 * auth streak and scheduling, as a pure function of the current row, the input, the time and the
 * configuration. It returns the columns to change and the events that announce the change, and
 * does nothing else: `integration-store.ts` writes both (with the auth-check and sync-run rows) in
 * one transaction, and is the only writer of `integrations.state`.
 */

export type IntegrationState = "ACTIVE" | "INVALID" | "INACTIVE";
export type MachineConfig = Pick<Config, "pauseAfterMs">;

/** The columns a transition owns (a new integration's draft has every other column). */
type MachineColumn =
  | "state"
  | "failing_since"
  | "failed_checks"
  | "last_checked_at"
  | "last_succeeded_at"
  | "next_sync_at"
  | "retry_attempt"
  | "last_sync_id"
  | "lease_owner"
  | "lease_expires_at"
  | "paused_at"
  | "gap_from"
  | "gap_until"
  | "gap_reported_at"
  | "relinked_at"
  | "updated_at";

/** The replaceable part of an integration: what a relink (or a tool's refresh) brings. */
type ReplacedColumn =
  | "credentials_sealed"
  | "account_id"
  | "account_name"
  | "scope_config_id"
  | "opted_out"
  | "granted_permissions"
  | "missing_permissions"
  | "credentials_expire_at";

/** What a transition changes: plain values of the row's columns. */
export type IntegrationPatch = Partial<Pick<IntegrationRow, MachineColumn | ReplacedColumn>>;

/** A replacement without the expiry: a relink whose tool said nothing about it clears it. */
type Replacement = Omit<Pick<IntegrationRow, ReplacedColumn>, "credentials_expire_at"> &
  Partial<Pick<IntegrationRow, "credentials_expire_at">>;

/** A new integration before the machine gives it a state. */
export type IntegrationDraft = Omit<IntegrationRow, MachineColumn>;

export interface Transition {
  /** The columns to write; empty when nothing changes. */
  update: IntegrationPatch;
  /** The events announcing the change, in order. */
  events: NewEvent[];
  /** The row goes (delete). */
  deletes?: true;
}

export type RelinkReplacement = Replacement;

export type MachineInput =
  /** A new integration on credentials just checked (connect, import). */
  | { kind: "created"; draft: IntegrationDraft }
  /**
   * One auth check's outcome (scheduled, manual, simulated). `credentialsSealed`: the tool
   * refreshed them; `credentialsExpireAt`: when the tool says they expire (kept when unsaid).
   */
  | { kind: "auth-checked"; outcome: AuthOutcome; credentialsSealed?: string; credentialsExpireAt?: string }
  /** A relink completed with new credentials (and maybe a new scope). */
  | { kind: "relinked"; replacement: RelinkReplacement }
  | { kind: "enabled" }
  | { kind: "disabled" }
  /** The operator asked for a sync now (refused unless `ACTIVE`: see `manualSyncRefusal`). */
  | { kind: "sync-requested" }
  | { kind: "deleted" }
  /**
   * A sync the product ran itself finished (a sync session's `EXTERNAL` run, already finished): it
   * is the integration's last sync. `SUCCEEDED` or `PARTIALLY_FAILED` counts as a passing check.
   * `AUTHENTICATION_FAILED` counts as nothing here: only relink's own confirming check (an
   * `auth-checked` transition, trigger `SESSION`, made before) counts, so a product's bug never
   * opens a streak or pauses anyone. `authOnlyIntervalMs`: the tool is auth only (relink does not
   * sync it), so a session that finished counts as the interval's sync: the next scheduled check
   * moves one interval on.
   */
  | { kind: "external-sync-finished"; run: SyncRunRow; authOnlyIntervalMs?: number }
  /**
   * The sandbox (`RELINK_ENABLE_SIMULATION`): the failure streak jumped so that the first failing
   * check at or after `pausesAt` pauses the integration (only an `ACTIVE` one).
   */
  | { kind: "streak-jumped"; pausesAt: Date };

/** The streak part of a row, all the pause rule reads. */
export interface StreakView {
  state: string;
  failing_since: string | null;
  failed_checks: number;
}

/** The pause rule's decision for one check (kept for callers of the earlier `pause-engine.ts`). */
export interface AuthTransition {
  update: Pick<
    IntegrationPatch,
    "state" | "failing_since" | "failed_checks" | "last_checked_at" | "last_succeeded_at"
  >;
  /** The auth status announced (`integration-auth-status-changed`), or null when it did not change. */
  authStatus: "FAILING" | "OK" | null;
  /** The state change announced (`integration-state-changed`), or null. */
  stateChange: { from: IntegrationState; to: IntegrationState; reason: StateChangeReason } | null;
}

/**
 * The rule of the pause for one check at `now`: `OK` ends any streak and recovers an `INVALID`
 * integration; `AUTH_FAILED` opens or extends the streak and pauses (`INVALID`) at the first failing
 * check at or after `failing_since + pauseAfterMs`; `INCONCLUSIVE` changes nothing but the time of
 * the last check; an `INACTIVE` integration only records the time of the check.
 */
export function decideAuthTransition(
  current: StreakView,
  outcome: AuthOutcome,
  now: Date,
  pauseAfterMs: number,
): AuthTransition {
  const at = now.toISOString();
  if (outcome === "INCONCLUSIVE" || current.state === "INACTIVE") {
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

/** Why a manual sync is refused now, or null when it may be queued. */
export function manualSyncRefusal(row: Pick<IntegrationRow, "state">): "INVALID" | "INACTIVE" | null {
  return row.state === "INVALID" || row.state === "INACTIVE" ? row.state : null;
}

/** Whether this transition paused the integration (`ACTIVE` to `INVALID`). */
export const pauses = (row: Pick<IntegrationRow, "state">, t: Transition): boolean =>
  row.state === "ACTIVE" && t.update.state === "INVALID";

const nothing = (): Transition => ({ update: {}, events: [] });

/** One transition of `current` (null only for `created`) at `now`. */
export function transition(
  current: IntegrationRow | null,
  input: MachineInput,
  now: Date,
  config: MachineConfig,
): Transition {
  if (input.kind === "created") return created(input.draft, now);
  if (!current) throw new TypeError(`the "${input.kind}" transition needs the integration's row`);
  switch (input.kind) {
    case "auth-checked":
      return authChecked(
        current,
        input.outcome,
        now,
        config,
        input.credentialsSealed,
        input.credentialsExpireAt,
      );
    case "relinked":
      return relinked(current, input.replacement, now, config);
    case "enabled":
    case "disabled":
      return enabledSet(current, input.kind === "enabled", now);
    case "sync-requested":
      return syncRequested(current, now);
    case "deleted":
      return { update: {}, events: [integrationDeleted(current, now.toISOString())], deletes: true };
    case "external-sync-finished":
      return externalSyncFinished(current, input.run, now, config, input.authOnlyIntervalMs);
    case "streak-jumped":
      return streakJumped(current, input.pausesAt, now, config);
  }
}

/** `ACTIVE`, checked `OK` now, due for a sync at once. */
function created(draft: IntegrationDraft, now: Date): Transition {
  const at = now.toISOString();
  const update = {
    state: "ACTIVE",
    failing_since: null,
    failed_checks: 0,
    last_checked_at: at,
    last_succeeded_at: at,
    next_sync_at: at,
    retry_attempt: 0,
    last_sync_id: null,
    lease_owner: null,
    lease_expires_at: null,
    paused_at: null,
    gap_from: null,
    gap_until: null,
    gap_reported_at: null,
    relinked_at: null,
    updated_at: at,
  } satisfies Pick<IntegrationRow, MachineColumn>;
  return { update, events: [integrationCreated({ ...draft, ...update }, at)] };
}

/**
 * One check: the pause rule, and the scheduling it implies. A pause stops scheduling
 * (`next_sync_at = null`); a recovery schedules a sync now, its retries reset.
 */
function authChecked(
  row: IntegrationRow,
  outcome: AuthOutcome,
  now: Date,
  config: MachineConfig,
  credentialsSealed?: string,
  credentialsExpireAt?: string,
): Transition {
  const at = now.toISOString();
  const decided = decideAuthTransition(row, outcome, now, config.pauseAfterMs);
  const update: IntegrationPatch = { ...decided.update, updated_at: at };
  if (credentialsSealed !== undefined) update.credentials_sealed = credentialsSealed;
  const expiry = expiryOf(credentialsExpireAt);
  if (expiry !== null) update.credentials_expire_at = expiry;
  if (decided.stateChange?.to === "INVALID") Object.assign(update, { next_sync_at: null }, pausedColumns(at));
  if (decided.stateChange?.reason === "AUTH_RECOVERED") {
    Object.assign(update, resumedColumns(row, at));
    update.next_sync_at = at;
    update.retry_attempt = 0;
  }
  const after = { ...row, ...update };
  const events: NewEvent[] = [];
  if (decided.authStatus) events.push(authStatusChanged(after, decided.authStatus, config, at));
  if (decided.stateChange) events.push(stateChanged(after, row.state, decided.stateChange.reason, at));
  return { update, events };
}

/**
 * A relink: new credentials (checked `OK` just now), the streak cleared, `ACTIVE` and due now,
 * except that a disabled (`INACTIVE`) integration stays disabled and keeps its slot.
 */
function relinked(
  row: IntegrationRow,
  replacement: RelinkReplacement,
  now: Date,
  config: MachineConfig,
): Transition {
  const at = now.toISOString();
  const state = row.state === "INACTIVE" ? "INACTIVE" : "ACTIVE";
  const update: IntegrationPatch = {
    credentials_expire_at: null,
    ...replacement,
    ...(row.state === "INVALID" && state === "ACTIVE" ? resumedColumns(row, at) : {}),
    relinked_at: at,
    state,
    failing_since: null,
    failed_checks: 0,
    last_checked_at: at,
    last_succeeded_at: at,
    retry_attempt: 0,
    next_sync_at: state === "ACTIVE" ? at : row.next_sync_at,
    updated_at: at,
  };
  const after = { ...row, ...update };
  const events: NewEvent[] = [integrationRelinked(row, after, at)];
  if (row.failing_since !== null) events.push(authStatusChanged(after, "OK", config, at));
  if (row.state !== state) events.push(stateChanged(after, row.state, "RELINKED", at));
  return { update, events };
}

/**
 * Disabling makes it `INACTIVE` (no syncs; credentials and config kept); enabling makes it `ACTIVE`
 * and due at once (the check before that sync decides what follows). Nothing when already so.
 */
function enabledSet(row: IntegrationRow, enabled: boolean, now: Date): Transition {
  if (enabled !== (row.state === "INACTIVE")) return nothing();
  const at = now.toISOString();
  const update: IntegrationPatch = enabled
    ? { state: "ACTIVE", next_sync_at: at, retry_attempt: 0, updated_at: at }
    : { state: "INACTIVE", next_sync_at: null, updated_at: at };
  const after = { ...row, ...update };
  return { update, events: [stateChanged(after, row.state, enabled ? "ENABLED" : "DISABLED", at)] };
}

/** A manual sync: due now. Only an `ACTIVE` integration (see `manualSyncRefusal`). */
function syncRequested(row: IntegrationRow, now: Date): Transition {
  if (manualSyncRefusal(row) !== null) return nothing();
  const at = now.toISOString();
  return { update: { next_sync_at: at, updated_at: at }, events: [] };
}

function externalSyncFinished(
  row: IntegrationRow,
  run: SyncRunRow,
  now: Date,
  config: MachineConfig,
  authOnlyIntervalMs: number | undefined,
): Transition {
  const at = now.toISOString();
  const succeeded = run.sync_state === "SUCCEEDED" || run.sync_state === "PARTIALLY_FAILED";
  const checked = succeeded
    ? authChecked(row, "OK", now, config)
    : { update: { updated_at: at }, events: [] };
  const after = { ...row, ...checked.update };
  const finished = withUnreportedGap(syncFinished(run, at), after);
  const update: IntegrationPatch = {
    ...checked.update,
    last_sync_id: run.id,
    ...(finished.reported ? { gap_reported_at: at } : {}),
  };
  const state = update.state ?? row.state;
  // An auth-only tool: the finished session was the interval's sync (a recovery's "due now" wins).
  if (authOnlyIntervalMs !== undefined && state === "ACTIVE" && row.state === "ACTIVE") {
    update.next_sync_at = new Date(now.getTime() + authOnlyIntervalMs).toISOString();
  }
  return { update, events: [...checked.events, finished.event] };
}

/**
 * The sandbox's jump: the streak starts `pauseAfterMs` before `pausesAt` (opening it announces
 * `FAILING`), and the integration is due no later than `pausesAt`, so that the first failing check
 * then pauses it. Only an `ACTIVE` integration (the caller refuses the others); nothing otherwise.
 */
function streakJumped(row: IntegrationRow, pausesAt: Date, now: Date, config: MachineConfig): Transition {
  if (row.state !== "ACTIVE") return nothing();
  const at = now.toISOString();
  const due = row.next_sync_at === null || Date.parse(row.next_sync_at) > pausesAt.getTime();
  const update: IntegrationPatch = {
    failing_since: new Date(pausesAt.getTime() - config.pauseAfterMs).toISOString(),
    failed_checks: Math.max(1, row.failed_checks),
    ...(due ? { next_sync_at: pausesAt.toISOString() } : {}),
    updated_at: at,
  };
  const after = { ...row, ...update };
  return {
    update,
    events: row.failing_since === null ? [authStatusChanged(after, "FAILING", config, at)] : [],
  };
}

/** A tool's reported expiry as stored (ISO, milliseconds), or null when unsaid or not a time. */
function expiryOf(expiresAt: string | undefined): string | null {
  if (expiresAt === undefined) return null;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
