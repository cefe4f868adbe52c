import { z } from "zod";
import { STATE_CHANGE_REASONS, WEBHOOK_EVENT_TYPES } from "../names.ts";
import { idSchema, TimestampSchema } from "./common.ts";
import { FlowStepSchema } from "./connect.ts";
import { FlowSchema } from "./flow-tokens.ts";
import {
  IntegrationStateSchema,
  SyncStateSchema,
  SyncTriggerSchema,
  SyncWarningSchema,
} from "./integrations.ts";
import { CategorySchema } from "./tools.ts";

export { STATE_CHANGE_REASONS, WEBHOOK_EVENT_TYPES };

/**
 * The webhook event payloads (DESIGN section 5): the body of every delivery and every entry of
 * `GET /v1/events`. Endpoints and deliveries are in `webhook-endpoints.ts`.
 */

export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** The end user as events carry it. */
export const EventEndUserSchema = z.object({
  origin_id: z.string(),
  organization_name: z.string(),
  email: z.string().nullish(),
});

export const StateChangeReasonSchema = z.enum(STATE_CHANGE_REASONS);
export type StateChangeReason = z.infer<typeof StateChangeReasonSchema>;

export const IntegrationCreatedDataSchema = z.object({
  id: idSchema("int"),
  tool: z.string(),
  category: CategorySchema,
  end_user: EventEndUserSchema,
  state: IntegrationStateSchema,
  scope_config_id: idSchema("sc").nullable(),
});

export const IntegrationDeletedDataSchema = z.object({
  id: idSchema("int"),
  tool: z.string(),
  end_user: EventEndUserSchema,
  deleted_at: TimestampSchema,
});

/** The integration an event is about, as `integration-state-changed` and `integration-auth-status-changed` name it. */
const integrationReference = {
  integration_id: idSchema("int"),
  integration_tool: z.string(),
  integration_category: CategorySchema,
  end_user: EventEndUserSchema,
};

export const IntegrationStateChangedDataSchema = z.object({
  ...integrationReference,
  state: IntegrationStateSchema,
  previous_state: IntegrationStateSchema,
  reason: StateChangeReasonSchema,
  updated_at: TimestampSchema,
  /** To `ACTIVE` from `INVALID` only: when the pause began; nothing was synced from then to `paused_until`. */
  paused_from: TimestampSchema.optional(),
  /** To `ACTIVE` from `INVALID` only: when the pause ended (this change). */
  paused_until: TimestampSchema.optional(),
});

export const IntegrationAuthStatusChangedDataSchema = z.object({
  ...integrationReference,
  auth_status: z.enum(["FAILING", "OK"]),
  failing_since: TimestampSchema.nullable(),
  /** When the integration will be paused if nothing changes; null once auth is OK again. */
  pauses_at: TimestampSchema.nullable(),
});

export const IntegrationRelinkedDataSchema = z.object({
  integration_id: idSchema("int"),
  previous_scope_config_id: idSchema("sc").nullable(),
  scope_config_id: idSchema("sc").nullable(),
  relinked_at: TimestampSchema,
});

export const ConnectionFlowFailedDataSchema = z.object({
  flow: FlowSchema,
  integration_id: idSchema("int").nullish(),
  tool: z.string().nullish(),
  end_user: EventEndUserSchema,
  /** `USER_EXITED`, `TOKEN_EXPIRED`, `OAUTH_DENIED`, … */
  reason: z.string(),
  /** `USER_EXITED` only: the widget step the end user left at. */
  step: FlowStepSchema.optional(),
  /** `USER_EXITED` only: the widget's reason for the exit (e.g. `closed`). */
  detail: z.string().optional(),
});

export const SyncFinishedDataSchema = z.object({
  sync_id: idSchema("sync"),
  integration_id: idSchema("int"),
  sync_state: SyncStateSchema,
  trigger: SyncTriggerSchema,
  started_at: TimestampSchema.nullable(),
  ended_at: TimestampSchema,
  scope_config_id: idSchema("sc").nullable(),
  warnings: z.array(SyncWarningSchema),
  /**
   * The first sync after a pause only: the window nothing was synced in (as on the
   * `integration-state-changed` that resumed it). Backfill it from `paused_from`.
   */
  paused_from: TimestampSchema.optional(),
  paused_until: TimestampSchema.optional(),
});

export const IntegrationCredentialsExpiringDataSchema = z.object({
  ...integrationReference,
  /** When the tool said the credentials expire. */
  credentials_expire_at: TimestampSchema,
});

export const RelinkLinkSupersededDataSchema = z.object({
  link_id: idSchema("lnk"),
  integration_id: idSchema("int"),
  /** The relink that made the link pointless completed at this time. */
  superseded_at: TimestampSchema,
});

export const RelinkLinkHandedOffDataSchema = z.object({
  /** The new link made for the admin. */
  link_id: idSchema("lnk"),
  flow: FlowSchema,
  integration_id: idSchema("int").nullable(),
  tool: z.string().nullable(),
  scope_config_id: idSchema("sc").nullable(),
  end_user: EventEndUserSchema,
  requested_by: z.string().nullable(),
  requested_at: TimestampSchema,
  expires_at: TimestampSchema,
});

export const RelinkCampaignProgressedDataSchema = z.object({
  campaign_id: idSchema("rc"),
  integration_id: idSchema("int"),
  /** The campaign's target scope config, which the integration now uses. */
  scope_config_id: idSchema("sc"),
  relinked_at: TimestampSchema,
  progress: z.object({
    total: z.number().int(),
    relinked: z.number().int(),
    pending: z.number().int(),
    paused: z.number().int(),
  }),
});

/**
 * The `data` schema of each event type: the one source of every event's payload. The server builds
 * each event's `data` typed from these (`WebhookEventData<T>`), and `verifyWebhook` parses with them.
 */
export const WEBHOOK_EVENT_DATA_SCHEMAS = {
  "integration-created": IntegrationCreatedDataSchema,
  "integration-deleted": IntegrationDeletedDataSchema,
  "integration-state-changed": IntegrationStateChangedDataSchema,
  "integration-auth-status-changed": IntegrationAuthStatusChangedDataSchema,
  "integration-relinked": IntegrationRelinkedDataSchema,
  "connection-flow-failed": ConnectionFlowFailedDataSchema,
  "sync-finished": SyncFinishedDataSchema,
  "integration-credentials-expiring": IntegrationCredentialsExpiringDataSchema,
  "relink-link-superseded": RelinkLinkSupersededDataSchema,
  "relink-link-handed-off": RelinkLinkHandedOffDataSchema,
  "relink-campaign-progressed": RelinkCampaignProgressedDataSchema,
} as const satisfies Record<WebhookEventType, z.ZodType>;

/** The `data` of an event of type `T`, e.g. `WebhookEventData<"connection-flow-failed">`. */
export type WebhookEventData<T extends WebhookEventType> = z.input<(typeof WEBHOOK_EVENT_DATA_SCHEMAS)[T]>;

const event = <T extends WebhookEventType, D extends z.ZodType>(type: T, data: D, id: string) =>
  z.object({ id: idSchema("evt"), type: z.literal(type), created_at: TimestampSchema, data }).meta({ id });

export const IntegrationCreatedEventSchema = event(
  "integration-created",
  IntegrationCreatedDataSchema,
  "IntegrationCreatedEvent",
);
export const IntegrationDeletedEventSchema = event(
  "integration-deleted",
  IntegrationDeletedDataSchema,
  "IntegrationDeletedEvent",
);
export const IntegrationStateChangedEventSchema = event(
  "integration-state-changed",
  IntegrationStateChangedDataSchema,
  "IntegrationStateChangedEvent",
);
export const IntegrationAuthStatusChangedEventSchema = event(
  "integration-auth-status-changed",
  IntegrationAuthStatusChangedDataSchema,
  "IntegrationAuthStatusChangedEvent",
);
export const IntegrationRelinkedEventSchema = event(
  "integration-relinked",
  IntegrationRelinkedDataSchema,
  "IntegrationRelinkedEvent",
);
export const ConnectionFlowFailedEventSchema = event(
  "connection-flow-failed",
  ConnectionFlowFailedDataSchema,
  "ConnectionFlowFailedEvent",
);
export const SyncFinishedEventSchema = event("sync-finished", SyncFinishedDataSchema, "SyncFinishedEvent");
export const IntegrationCredentialsExpiringEventSchema = event(
  "integration-credentials-expiring",
  IntegrationCredentialsExpiringDataSchema,
  "IntegrationCredentialsExpiringEvent",
);
export const RelinkLinkSupersededEventSchema = event(
  "relink-link-superseded",
  RelinkLinkSupersededDataSchema,
  "RelinkLinkSupersededEvent",
);
export const RelinkLinkHandedOffEventSchema = event(
  "relink-link-handed-off",
  RelinkLinkHandedOffDataSchema,
  "RelinkLinkHandedOffEvent",
);
export const RelinkCampaignProgressedEventSchema = event(
  "relink-campaign-progressed",
  RelinkCampaignProgressedDataSchema,
  "RelinkCampaignProgressedEvent",
);

/**
 * The type of the event sent by `POST /v1/webhook-endpoints/:id/test`: it reaches only the endpoint
 * tested, whatever its event-type filter, with `data: { endpoint_id, message }`.
 */
export const WEBHOOK_TEST_EVENT_TYPE = "webhook-test";

export const WebhookTestDataSchema = z.object({ endpoint_id: idSchema("whep"), message: z.string() });
export type WebhookTestData = z.input<typeof WebhookTestDataSchema>;

export const WebhookTestEventSchema = z
  .object({
    id: idSchema("evt"),
    type: z.literal(WEBHOOK_TEST_EVENT_TYPE),
    created_at: TimestampSchema,
    data: WebhookTestDataSchema,
  })
  .meta({ id: "WebhookTestEvent" });

/**
 * Every webhook event, discriminated on `type`: the typed result of `verifyWebhook`.
 *
 * @example
 * ```ts
 * import { WebhookEventSchema } from "@relink/sdk/contract";
 * const event = WebhookEventSchema.parse(JSON.parse(body));
 * if (event.type === "integration-state-changed" && event.data.state === "INVALID") {
 *   // ask the customer to relink
 * }
 * ```
 */
export const WebhookEventSchema = z
  .discriminatedUnion("type", [
    IntegrationCreatedEventSchema,
    IntegrationDeletedEventSchema,
    IntegrationStateChangedEventSchema,
    IntegrationAuthStatusChangedEventSchema,
    IntegrationRelinkedEventSchema,
    ConnectionFlowFailedEventSchema,
    SyncFinishedEventSchema,
    IntegrationCredentialsExpiringEventSchema,
    RelinkLinkSupersededEventSchema,
    RelinkLinkHandedOffEventSchema,
    RelinkCampaignProgressedEventSchema,
    WebhookTestEventSchema,
  ])
  .meta({ id: "WebhookEvent" });
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
/** The event of one type, e.g. `WebhookEventOf<"sync-finished">`. */
export type WebhookEventOf<T extends WebhookEvent["type"]> = Extract<WebhookEvent, { type: T }>;
