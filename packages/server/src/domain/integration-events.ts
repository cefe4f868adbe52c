import type {
  Integration,
  StateChangeReason,
  SyncState,
  SyncTrigger,
  WebhookEventData,
} from "@relink/sdk/contract";
import type { Config } from "../config.ts";
import type { IntegrationRow, SyncRunRow } from "../db/schema.ts";
import type { NewEvent } from "./events.ts";
import { integrationSummary, pausesAt } from "./integrations.ts";
import { stateChangeGap } from "./resume-gap.ts";

/**
 * The events about an integration, each built in one place, its `data` typed from the contract
 * (`WebhookEventData<T>`). Pure: the machine (`integration-machine.ts`) makes them, the store
 * (`integration-store.ts`) records them.
 */

export type { StateChangeReason };

/** The event of one type, as the outbox records it. */
export type EventOf<T extends NewEvent["type"]> = Extract<NewEvent, { type: T }>;

function event<T extends NewEvent["type"]>(
  row: Pick<IntegrationRow, "id" | "workspace_id">,
  type: T,
  data: WebhookEventData<T>,
  at: string,
): EventOf<T> {
  return { workspaceId: row.workspace_id, type, integrationId: row.id, data, createdAt: at } as EventOf<T>;
}

const reference = (row: IntegrationRow) => ({
  integration_id: row.id,
  integration_tool: row.tool,
  integration_category: row.category as Integration["category"],
  end_user: integrationSummary(row).end_user,
});

/** `integration-created`, about the row as created. */
export const integrationCreated = (row: IntegrationRow, at: string): EventOf<"integration-created"> =>
  event(row, "integration-created", integrationSummary(row), at);

/** `integration-deleted`, about the row as it was before the delete. */
export const integrationDeleted = (row: IntegrationRow, at: string): EventOf<"integration-deleted"> =>
  event(
    row,
    "integration-deleted",
    { id: row.id, tool: row.tool, end_user: integrationSummary(row).end_user, deleted_at: at },
    at,
  );

/** `integration-state-changed`, about the row after the change. */
export function stateChangedData(
  row: IntegrationRow,
  previousState: string,
  reason: StateChangeReason,
  at: string,
): WebhookEventData<"integration-state-changed"> {
  return {
    ...reference(row),
    state: row.state as Integration["state"],
    previous_state: previousState as Integration["state"],
    reason,
    updated_at: at,
    ...stateChangeGap(row, previousState),
  };
}

export const stateChanged = (
  row: IntegrationRow,
  previousState: string,
  reason: StateChangeReason,
  at: string,
): EventOf<"integration-state-changed"> =>
  event(row, "integration-state-changed", stateChangedData(row, previousState, reason, at), at);

/** `integration-auth-status-changed`, about the row after the check (its `pauses_at` from `config`). */
export function authStatusChangedData(
  row: IntegrationRow,
  status: "FAILING" | "OK",
  config: Pick<Config, "pauseAfterMs">,
): WebhookEventData<"integration-auth-status-changed"> {
  return {
    ...reference(row),
    auth_status: status,
    failing_since: row.failing_since,
    pauses_at: pausesAt(row, config),
  };
}

export const authStatusChanged = (
  row: IntegrationRow,
  status: "FAILING" | "OK",
  config: Pick<Config, "pauseAfterMs">,
  at: string,
): EventOf<"integration-auth-status-changed"> =>
  event(row, "integration-auth-status-changed", authStatusChangedData(row, status, config), at);

/** `integration-relinked`: `before` is the row before the relink, `after` after it. */
export const integrationRelinked = (
  before: IntegrationRow,
  after: Pick<IntegrationRow, "scope_config_id">,
  at: string,
): EventOf<"integration-relinked"> =>
  event(
    before,
    "integration-relinked",
    {
      integration_id: before.id,
      previous_scope_config_id: before.scope_config_id,
      scope_config_id: after.scope_config_id,
      relinked_at: at,
    },
    at,
  );

/** The `sync-finished` payload of a finished run (its state and end are set when it finishes). */
export function syncFinishedData(run: SyncRunRow, at: string): WebhookEventData<"sync-finished"> {
  return {
    sync_id: run.id,
    integration_id: run.integration_id,
    sync_state: (run.sync_state ?? "FAILED") as SyncState,
    trigger: run.trigger as SyncTrigger,
    started_at: run.started_at,
    ended_at: run.ended_at ?? at,
    scope_config_id: run.scope_config_id,
    warnings: run.warnings,
  };
}

export const syncFinished = (run: SyncRunRow, at: string): EventOf<"sync-finished"> =>
  event(
    { id: run.integration_id, workspace_id: run.workspace_id },
    "sync-finished",
    syncFinishedData(run, at),
    at,
  );
