import { describe, expect, it } from "vitest";
import type { IntegrationRow, SyncRunRow } from "../src/db/schema.ts";
import type { NewEvent } from "../src/domain/events.ts";
import {
  type IntegrationDraft,
  type IntegrationPatch,
  type MachineInput,
  manualSyncRefusal,
  transition,
} from "../src/domain/integration-machine.ts";

/**
 * The integration machine driven directly, one row per rule (docs/design.md section 4): the
 * current row, the input and the time in, the exact update and events out. No server, no database.
 */

const DAY = 86_400_000;
const PAUSE_AFTER = 3 * DAY;
const config = { pauseAfterMs: PAUSE_AFTER };
const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const time = (ms: number) => new Date(T0 + ms).toISOString();
/** The check's time in every row: ten days after T0. */
const NOW = 10 * DAY;
const at = time(NOW);

const base: IntegrationRow = {
  id: "int_1",
  workspace_id: "ws_1",
  tool: "demo-hris",
  category: "hris",
  end_user_origin_id: "org-1",
  end_user_organization_name: "Acme",
  end_user_email: null,
  credentials_sealed: "sealed-old",
  account_id: "acc-1",
  account_name: "Acme HR",
  scope_config_id: "sc_1",
  state: "ACTIVE",
  failing_since: null,
  failed_checks: 0,
  last_checked_at: time(NOW - DAY),
  last_succeeded_at: time(NOW - DAY),
  next_sync_at: time(NOW),
  sync_interval_ms: null,
  retry_attempt: 2,
  lease_owner: null,
  lease_expires_at: null,
  granted_permissions: ["employees:read"],
  missing_permissions: [],
  opted_out: [],
  last_sync_id: "sync_0",
  credentials_expire_at: null,
  expiry_warned_for: null,
  relinked_at: null,
  paused_at: null,
  gap_from: null,
  gap_until: null,
  gap_reported_at: null,
  created_at: time(0),
  updated_at: time(0),
};
const row = (patch: Partial<IntegrationRow>): IntegrationRow => ({ ...base, ...patch });
/** Failing since `days` before the check, with `checks` failed checks so far. */
const failing = (days: number, checks: number, patch: Partial<IntegrationRow> = {}) =>
  row({ failing_since: time(NOW - days * DAY), failed_checks: checks, ...patch });

const reference = {
  integration_id: "int_1",
  integration_tool: "demo-hris",
  integration_category: "hris",
  end_user: { origin_id: "org-1", organization_name: "Acme", email: null },
};
const event = (type: NewEvent["type"], data: unknown): NewEvent =>
  ({ workspaceId: "ws_1", type, integrationId: "int_1", data, createdAt: at }) as NewEvent;
const authStatus = (status: "FAILING" | "OK", failingSince: string | null, pausesAt: string | null) =>
  event("integration-auth-status-changed", {
    ...reference,
    auth_status: status,
    failing_since: failingSince,
    pauses_at: pausesAt,
  });
const stateChange = (
  state: string,
  previous: string,
  reason: string,
  gap: { paused_from: string; paused_until: string } | Record<string, never> = {},
) =>
  event("integration-state-changed", {
    ...reference,
    state,
    previous_state: previous,
    reason,
    updated_at: at,
    ...gap,
  });

const checked = (outcome: "OK" | "AUTH_FAILED" | "INCONCLUSIVE"): MachineInput => ({
  kind: "auth-checked",
  outcome,
});

interface Rule {
  rule: string;
  current: IntegrationRow;
  input: MachineInput;
  /** Default: `NOW`. */
  nowMs?: number;
  update: IntegrationPatch;
  events: NewEvent[];
}

const authRules: Rule[] = [
  {
    rule: "OK on a healthy integration records the check and success, announces nothing",
    current: row({}),
    input: checked("OK"),
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      updated_at: at,
    },
    events: [],
  },
  {
    rule: "the first AUTH_FAILED opens the streak and announces FAILING with the pause time",
    current: row({}),
    input: checked("AUTH_FAILED"),
    update: { failing_since: at, failed_checks: 1, last_checked_at: at, updated_at: at },
    events: [authStatus("FAILING", at, time(NOW + PAUSE_AFTER))],
  },
  {
    rule: "a further AUTH_FAILED inside the window extends the streak, silently",
    current: failing(1, 2),
    input: checked("AUTH_FAILED"),
    update: { failing_since: time(NOW - DAY), failed_checks: 3, last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "an AUTH_FAILED one millisecond before failing_since + 3 days does not pause",
    current: row({ failing_since: time(NOW - PAUSE_AFTER + 1), failed_checks: 5 }),
    input: checked("AUTH_FAILED"),
    update: {
      failing_since: time(NOW - PAUSE_AFTER + 1),
      failed_checks: 6,
      last_checked_at: at,
      updated_at: at,
    },
    events: [],
  },
  {
    rule: "an AUTH_FAILED exactly at failing_since + 3 days pauses: INVALID, nothing scheduled",
    current: failing(3, 5),
    input: checked("AUTH_FAILED"),
    update: {
      state: "INVALID",
      failing_since: time(NOW - 3 * DAY),
      failed_checks: 6,
      last_checked_at: at,
      next_sync_at: null,
      paused_at: at,
      updated_at: at,
    },
    events: [stateChange("INVALID", "ACTIVE", "AUTHENTICATION_FAILED")],
  },
  {
    rule: "the first AUTH_FAILED after the window (none came at it) pauses",
    current: failing(5, 2),
    input: checked("AUTH_FAILED"),
    update: {
      state: "INVALID",
      failing_since: time(NOW - 5 * DAY),
      failed_checks: 3,
      last_checked_at: at,
      next_sync_at: null,
      paused_at: at,
      updated_at: at,
    },
    events: [stateChange("INVALID", "ACTIVE", "AUTHENTICATION_FAILED")],
  },
  {
    rule: "INCONCLUSIVE past the window never pauses and leaves the streak as it is",
    current: failing(5, 4),
    input: checked("INCONCLUSIVE"),
    update: { last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "INCONCLUSIVE on a healthy integration opens no streak",
    current: row({}),
    input: checked("INCONCLUSIVE"),
    update: { last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "AUTH_FAILED on an INACTIVE integration only records the check's time",
    current: failing(5, 4, { state: "INACTIVE", next_sync_at: null }),
    input: checked("AUTH_FAILED"),
    update: { last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "OK on an INACTIVE integration only records the check's time",
    current: failing(5, 4, { state: "INACTIVE", next_sync_at: null }),
    input: checked("OK"),
    update: { last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "AUTH_FAILED on an INVALID integration extends the streak and stays INVALID, silently",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null }),
    input: checked("AUTH_FAILED"),
    update: { failing_since: time(NOW - 5 * DAY), failed_checks: 5, last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "OK recovers INVALID to ACTIVE: streak cleared, a sync now, retries reset",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null }),
    input: checked("OK"),
    update: {
      state: "ACTIVE",
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      next_sync_at: at,
      retry_attempt: 0,
      // No pause start kept (paused before paused_at existed): the streak's start bounds the window.
      paused_at: null,
      gap_from: time(NOW - 5 * DAY),
      gap_until: at,
      gap_reported_at: null,
      updated_at: at,
    },
    events: [
      authStatus("OK", null, null),
      stateChange("ACTIVE", "INVALID", "AUTH_RECOVERED", {
        paused_from: time(NOW - 5 * DAY),
        paused_until: at,
      }),
    ],
  },
  {
    rule: "OK recovering a paused integration opens the paused window at the pause's start",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null, paused_at: time(NOW - 2 * DAY) }),
    input: checked("OK"),
    update: {
      state: "ACTIVE",
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      next_sync_at: at,
      retry_attempt: 0,
      paused_at: null,
      gap_from: time(NOW - 2 * DAY),
      gap_until: at,
      gap_reported_at: null,
      updated_at: at,
    },
    events: [
      authStatus("OK", null, null),
      stateChange("ACTIVE", "INVALID", "AUTH_RECOVERED", {
        paused_from: time(NOW - 2 * DAY),
        paused_until: at,
      }),
    ],
  },
  {
    rule: "a check that reports the credentials' expiry stores it (as an ISO time)",
    current: row({}),
    input: { kind: "auth-checked", outcome: "OK", credentialsExpireAt: "2026-03-20T12:00:00Z" },
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      credentials_expire_at: "2026-03-20T12:00:00.000Z",
      updated_at: at,
    },
    events: [],
  },
  {
    rule: "a check that reports no expiry, or one that is not a time, keeps the stored one",
    current: row({ credentials_expire_at: time(NOW + DAY) }),
    input: { kind: "auth-checked", outcome: "INCONCLUSIVE", credentialsExpireAt: "next tuesday" },
    update: { last_checked_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "OK inside the window ends the streak and announces OK, the state unchanged",
    current: failing(1, 2),
    input: checked("OK"),
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      updated_at: at,
    },
    events: [authStatus("OK", null, null)],
  },
  {
    rule: "credentials the tool refreshed during the check are written with it",
    current: row({}),
    input: { kind: "auth-checked", outcome: "OK", credentialsSealed: "sealed-refreshed" },
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      credentials_sealed: "sealed-refreshed",
      updated_at: at,
    },
    events: [],
  },
];

const replacement = {
  credentials_sealed: "sealed-new",
  account_id: "acc-1",
  account_name: "Acme HR",
  scope_config_id: "sc_2",
  opted_out: [],
  granted_permissions: ["employees:read", "time_off:read"],
  missing_permissions: [],
};
const relinkedUpdate = (
  state: string,
  nextSyncAt: string | null,
  extra: IntegrationPatch = {},
): IntegrationPatch => ({
  credentials_expire_at: null,
  ...replacement,
  ...extra,
  relinked_at: at,
  state,
  failing_since: null,
  failed_checks: 0,
  last_checked_at: at,
  last_succeeded_at: at,
  retry_attempt: 0,
  next_sync_at: nextSyncAt,
  updated_at: at,
});
const relinkedEvent = event("integration-relinked", {
  integration_id: "int_1",
  previous_scope_config_id: "sc_1",
  scope_config_id: "sc_2",
  relinked_at: at,
});

const lifecycleRules: Rule[] = [
  {
    rule: "a relink of a paused integration clears the streak and makes it ACTIVE, due now, the window announced",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null, paused_at: time(NOW - 2 * DAY) }),
    input: { kind: "relinked", replacement },
    update: relinkedUpdate("ACTIVE", at, {
      paused_at: null,
      gap_from: time(NOW - 2 * DAY),
      gap_until: at,
      gap_reported_at: null,
    }),
    events: [
      relinkedEvent,
      authStatus("OK", null, null),
      stateChange("ACTIVE", "INVALID", "RELINKED", { paused_from: time(NOW - 2 * DAY), paused_until: at }),
    ],
  },
  {
    rule: "a relink stores the expiry the new credentials report, and when it happened (relinked_at)",
    current: row({ credentials_expire_at: time(NOW + DAY) }),
    input: { kind: "relinked", replacement: { ...replacement, credentials_expire_at: time(NOW + 30 * DAY) } },
    update: relinkedUpdate("ACTIVE", at, { credentials_expire_at: time(NOW + 30 * DAY) }),
    events: [relinkedEvent],
  },
  {
    rule: "a relink of a failing ACTIVE integration clears the streak (announced OK), no state change",
    current: failing(1, 2),
    input: { kind: "relinked", replacement },
    update: relinkedUpdate("ACTIVE", at),
    events: [relinkedEvent, authStatus("OK", null, null)],
  },
  {
    rule: "a relink of a healthy integration announces the relink only",
    current: row({}),
    input: { kind: "relinked", replacement },
    update: relinkedUpdate("ACTIVE", at),
    events: [relinkedEvent],
  },
  {
    rule: "a relink never re-enables an INACTIVE integration, and keeps its slot",
    current: failing(5, 4, { state: "INACTIVE", next_sync_at: null }),
    input: { kind: "relinked", replacement },
    update: relinkedUpdate("INACTIVE", null),
    events: [relinkedEvent, authStatus("OK", null, null)],
  },
  {
    rule: "disabling an ACTIVE integration makes it INACTIVE with nothing scheduled",
    current: row({}),
    input: { kind: "disabled" },
    update: { state: "INACTIVE", next_sync_at: null, updated_at: at },
    events: [stateChange("INACTIVE", "ACTIVE", "DISABLED")],
  },
  {
    rule: "disabling a paused integration makes it INACTIVE, its streak kept",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null }),
    input: { kind: "disabled" },
    update: { state: "INACTIVE", next_sync_at: null, updated_at: at },
    events: [stateChange("INACTIVE", "INVALID", "DISABLED")],
  },
  {
    rule: "enabling an INACTIVE integration makes it ACTIVE and due now, retries reset",
    current: row({ state: "INACTIVE", next_sync_at: null }),
    input: { kind: "enabled" },
    update: { state: "ACTIVE", next_sync_at: at, retry_attempt: 0, updated_at: at },
    events: [stateChange("ACTIVE", "INACTIVE", "ENABLED")],
  },
  {
    rule: "enabling an enabled integration changes nothing",
    current: failing(5, 4, { state: "INVALID" }),
    input: { kind: "enabled" },
    update: {},
    events: [],
  },
  {
    rule: "disabling a disabled integration changes nothing",
    current: row({ state: "INACTIVE", next_sync_at: null }),
    input: { kind: "disabled" },
    update: {},
    events: [],
  },
  {
    rule: "a manual sync makes an ACTIVE integration due now",
    current: row({ next_sync_at: time(NOW + DAY) }),
    input: { kind: "sync-requested" },
    update: { next_sync_at: at, updated_at: at },
    events: [],
  },
  {
    rule: "a manual sync of a paused integration changes nothing",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null }),
    input: { kind: "sync-requested" },
    update: {},
    events: [],
  },
];

const productRun = (syncState: string): SyncRunRow => ({
  id: "sync_9",
  workspace_id: "ws_1",
  integration_id: "int_1",
  trigger: "MANUAL",
  status: "FINISHED",
  sync_state: syncState,
  queued_at: time(NOW - 60_000),
  started_at: time(NOW - 60_000),
  ended_at: at,
  scope_config_id: "sc_1",
  warnings: [],
  records: {},
  error: null,
});
const productRunEvent = (syncState: string) =>
  event("sync-finished", {
    sync_id: "sync_9",
    integration_id: "int_1",
    sync_state: syncState,
    trigger: "MANUAL",
    started_at: time(NOW - 60_000),
    ended_at: at,
    scope_config_id: "sc_1",
    warnings: [],
  });

const externalSyncRules: Rule[] = [
  {
    rule: "a product's sync failing authentication opens no streak (only relink's confirming check counts)",
    current: row({}),
    input: { kind: "external-sync-finished", run: productRun("AUTHENTICATION_FAILED") },
    update: { last_sync_id: "sync_9", updated_at: at },
    events: [productRunEvent("AUTHENTICATION_FAILED")],
  },
  {
    rule: "a product's sync failing authentication past the window does not pause by itself",
    current: failing(4, 3),
    input: { kind: "external-sync-finished", run: productRun("AUTHENTICATION_FAILED") },
    update: { last_sync_id: "sync_9", updated_at: at },
    events: [productRunEvent("AUTHENTICATION_FAILED")],
  },
  {
    rule: "an auth-only tool's finished session counts as the interval's sync: the next check moves one interval on",
    current: row({}),
    input: {
      kind: "external-sync-finished",
      run: productRun("SUCCEEDED"),
      authOnlyIntervalMs: 6 * 3_600_000,
    },
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      next_sync_at: time(NOW + 6 * 3_600_000),
      last_sync_id: "sync_9",
      updated_at: at,
    },
    events: [productRunEvent("SUCCEEDED")],
  },
  {
    rule: "an auth-only tool's failed session keeps the slot of a paused integration (none)",
    current: row({ state: "INVALID", next_sync_at: null }),
    input: { kind: "external-sync-finished", run: productRun("FAILED"), authOnlyIntervalMs: 3_600_000 },
    update: { last_sync_id: "sync_9", updated_at: at },
    events: [productRunEvent("FAILED")],
  },
  {
    rule: "a session's auth check (trigger SESSION) failing past the window pauses like any check",
    current: failing(4, 3),
    input: { kind: "auth-checked", outcome: "AUTH_FAILED" },
    update: {
      state: "INVALID",
      failing_since: time(NOW - 4 * DAY),
      failed_checks: 4,
      last_checked_at: at,
      next_sync_at: null,
      paused_at: at,
      updated_at: at,
    },
    events: [stateChange("INVALID", "ACTIVE", "AUTHENTICATION_FAILED")],
  },
  {
    rule: "a product's successful sync ends the streak like an OK check",
    current: failing(1, 2),
    input: { kind: "external-sync-finished", run: productRun("SUCCEEDED") },
    update: {
      failing_since: null,
      failed_checks: 0,
      last_checked_at: at,
      last_succeeded_at: at,
      last_sync_id: "sync_9",
      updated_at: at,
    },
    events: [authStatus("OK", null, null), productRunEvent("SUCCEEDED")],
  },
  {
    rule: "a product's sync that failed otherwise says nothing about the credentials",
    current: failing(5, 4),
    input: { kind: "external-sync-finished", run: productRun("FAILED") },
    update: { last_sync_id: "sync_9", updated_at: at },
    events: [productRunEvent("FAILED")],
  },
  {
    rule: "the first sync after a resume carries the paused window, marked reported",
    current: row({ gap_from: time(NOW - 4 * DAY), gap_until: time(NOW - DAY) }),
    input: { kind: "external-sync-finished", run: productRun("FAILED") },
    update: { last_sync_id: "sync_9", gap_reported_at: at, updated_at: at },
    events: [
      event("sync-finished", {
        ...(productRunEvent("FAILED").data as object),
        paused_from: time(NOW - 4 * DAY),
        paused_until: time(NOW - DAY),
      }),
    ],
  },
  {
    rule: "a paused window already reported is not carried again",
    current: row({
      gap_from: time(NOW - 4 * DAY),
      gap_until: time(NOW - DAY),
      gap_reported_at: time(NOW - DAY),
    }),
    input: { kind: "external-sync-finished", run: productRun("FAILED") },
    update: { last_sync_id: "sync_9", updated_at: at },
    events: [productRunEvent("FAILED")],
  },
];

const simulationRules: Rule[] = [
  {
    rule: "the sandbox's jump opens the streak so the first failing check at pausesAt pauses, announced FAILING",
    current: row({ next_sync_at: time(NOW + DAY) }),
    input: { kind: "streak-jumped", pausesAt: new Date(T0 + NOW + 60_000) },
    update: {
      failing_since: time(NOW + 60_000 - PAUSE_AFTER),
      failed_checks: 1,
      next_sync_at: time(NOW + 60_000),
      updated_at: at,
    },
    events: [authStatus("FAILING", time(NOW + 60_000 - PAUSE_AFTER), time(NOW + 60_000))],
  },
  {
    rule: "the jump of an already failing integration moves the streak silently and keeps an earlier slot",
    current: failing(1, 3, { next_sync_at: time(NOW + 1000) }),
    input: { kind: "streak-jumped", pausesAt: new Date(T0 + NOW + 60_000) },
    update: { failing_since: time(NOW + 60_000 - PAUSE_AFTER), failed_checks: 3, updated_at: at },
    events: [],
  },
  {
    rule: "the jump changes nothing on an integration not ACTIVE",
    current: failing(5, 4, { state: "INVALID", next_sync_at: null }),
    input: { kind: "streak-jumped", pausesAt: new Date(T0 + NOW + 60_000) },
    update: {},
    events: [],
  },
];

describe("the integration machine", () => {
  describe.each([
    ["auth outcomes (the pause)", authRules],
    ["relink, enable, disable, manual sync", lifecycleRules],
    ["a sync the product reports", externalSyncRules],
    ["the sandbox (simulation)", simulationRules],
  ])("%s", (_, rules) => {
    it.each(rules)("$rule", ({ current, input, nowMs, update, events }) => {
      const before = structuredClone(current);
      const t = transition(current, input, new Date(T0 + (nowMs ?? NOW)), config);
      expect(t.update).toEqual(update);
      expect(t.events).toEqual(events);
      expect(t.deletes).toBeUndefined();
      expect(current).toEqual(before); // pure: the row given is not changed
    });
  });

  it("a delete removes the row and announces it with the row as it was", () => {
    const t = transition(failing(1, 2), { kind: "deleted" }, new Date(T0 + NOW), config);
    expect(t).toEqual({
      update: {},
      deletes: true,
      events: [
        event("integration-deleted", {
          id: "int_1",
          tool: "demo-hris",
          end_user: reference.end_user,
          deleted_at: at,
        }),
      ],
    });
  });

  it("a created integration is ACTIVE, checked OK now, due at once, announced with its summary", () => {
    const { state, failing_since, failed_checks, last_checked_at, last_succeeded_at, next_sync_at, ...rest } =
      base;
    const { retry_attempt, last_sync_id, lease_owner, lease_expires_at, updated_at, ...rest2 } = rest;
    const { paused_at, gap_from, gap_until, gap_reported_at, relinked_at, ...draft } = rest2;
    const t = transition(
      null,
      { kind: "created", draft: draft as IntegrationDraft },
      new Date(T0 + NOW),
      config,
    );
    expect(t.update).toEqual({
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
    });
    expect(t.events).toEqual([
      event("integration-created", {
        id: "int_1",
        tool: "demo-hris",
        category: "hris",
        end_user: reference.end_user,
        state: "ACTIVE",
        scope_config_id: "sc_1",
      }),
    ]);
  });

  it("a transition other than created needs the row", () => {
    expect(() => transition(null, checked("OK"), new Date(T0 + NOW), config)).toThrow(TypeError);
  });

  it("a manual sync is refused while INVALID or INACTIVE, allowed while ACTIVE", () => {
    expect(manualSyncRefusal({ state: "INVALID" })).toBe("INVALID");
    expect(manualSyncRefusal({ state: "INACTIVE" })).toBe("INACTIVE");
    expect(manualSyncRefusal({ state: "ACTIVE" })).toBeNull();
  });

  it("a streak of daily failing checks pauses at the first check at or after three days, once", () => {
    let current = row({});
    const paused: number[] = [];
    for (let day = 0; day <= 6; day++) {
      const now = new Date(T0 + NOW + day * DAY);
      const t = transition(current, checked("AUTH_FAILED"), now, config);
      if (t.events.some((e) => e.type === "integration-state-changed")) paused.push(day);
      current = { ...current, ...t.update };
    }
    expect(paused).toEqual([3]);
    expect(current).toMatchObject({
      state: "INVALID",
      failing_since: at,
      failed_checks: 7,
      next_sync_at: null,
    });
  });
});
