import { z } from "zod";
import { WEBHOOK_DELIVERY_STATUSES } from "../names.ts";
import { DURATION_PATTERN, idSchema, PageQuerySchema, TimestampSchema } from "./common.ts";
import { WEBHOOK_EVENT_TYPES } from "./webhooks.ts";

export { WEBHOOK_DELIVERY_STATUSES };

/**
 * The refused value, named briefly: only a short string is quoted. Stringifying whatever came in
 * overflowed the stack on deeply nested arrays (a 500) and echoed megabytes back.
 */
const describeInput = (input: unknown): string =>
  typeof input === "string"
    ? JSON.stringify(input.length > 64 ? `${input.slice(0, 64)}…` : input)
    : Array.isArray(input)
      ? "an array"
      : input === null
        ? "null"
        : `a ${typeof input}`;

const EventTypeFilterSchema = z
  .array(
    z.enum(WEBHOOK_EVENT_TYPES, {
      error: (issue) =>
        `unknown event type ${describeInput(issue.input)}; the event types are ${WEBHOOK_EVENT_TYPES.join(", ")}`,
    }),
  )
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .nullable()
  .describe("The event types sent to this endpoint; null or absent = all of them.");

const UrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .describe(
    "https URL (http only when the server allows it). Loopback, private, link-local and other non-public addresses are refused unless the server allows them.",
  );

const DescriptionSchema = z.string().trim().max(500).nullable();

export const WebhookEndpointCreateSchema = z
  .strictObject({
    url: UrlSchema,
    description: DescriptionSchema.optional(),
    event_types: EventTypeFilterSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: "WebhookEndpointCreate" });
export type WebhookEndpointCreate = z.infer<typeof WebhookEndpointCreateSchema>;

export const WebhookEndpointUpdateSchema = z
  .strictObject({
    url: UrlSchema.optional(),
    description: DescriptionSchema.optional(),
    event_types: EventTypeFilterSchema.optional(),
    /**
     * A disabled endpoint gets no new deliveries; its pending ones wait, and resume in order when
     * it is enabled again (a delivery past its 3-day window then gets one last attempt).
     */
    enabled: z.boolean().optional(),
  })
  .meta({ id: "WebhookEndpointUpdate" });
export type WebhookEndpointUpdate = z.infer<typeof WebhookEndpointUpdateSchema>;

export const WebhookEndpointSchema = z
  .object({
    id: idSchema("whep"),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()).nullable(),
    enabled: z.boolean(),
    /** While set and in the future, deliveries are signed with the previous secret too. */
    previous_secret_expires_at: TimestampSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

/** The creation and rotation answers: the only times the signing secret is shown. */
export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
}).meta({ id: "WebhookEndpointWithSecret" });
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;

export const WebhookSecretRotateSchema = z
  .strictObject({
    /** How long the previous secret keeps signing beside the new one (`0s` to 7 days; default `24h`). */
    grace_period: z.string().regex(DURATION_PATTERN, "must be a duration such as 0s, 30m, 24h").optional(),
  })
  .meta({ id: "WebhookSecretRotate" });
export type WebhookSecretRotate = z.infer<typeof WebhookSecretRotateSchema>;

export const WebhookDeliveryStatusSchema = z.enum(WEBHOOK_DELIVERY_STATUSES);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatusSchema>;

export const WebhookAttemptSchema = z
  .object({
    id: idSchema("wha"),
    attempted_at: TimestampSchema,
    /** The receiver's HTTP status; null when no answer came (timeout, connection error, refusal). */
    response_status: z.number().int().nullable(),
    latency_ms: z.number().int(),
    /** The start of the response body (at most 2 KB, marked when truncated). */
    response_body: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "WebhookAttempt" });
export type WebhookAttempt = z.infer<typeof WebhookAttemptSchema>;

export const WebhookDeliverySchema = z
  .object({
    id: idSchema("whdl"),
    endpoint_id: idSchema("whep"),
    event_id: idSchema("evt"),
    event_type: z.string(),
    integration_id: z.string().nullable(),
    status: WebhookDeliveryStatusSchema,
    attempt_count: z.number().int(),
    /** When the next attempt is due (PENDING only). */
    next_attempt_at: TimestampSchema.nullable(),
    last_attempt_at: TimestampSchema.nullable(),
    last_response_status: z.number().int().nullable(),
    created_at: TimestampSchema,
    completed_at: TimestampSchema.nullable(),
    /** Every attempt, oldest first. */
    attempts: z.array(WebhookAttemptSchema),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

export const WebhookDeliveryListQuerySchema = PageQuerySchema.extend({
  endpoint_id: idSchema("whep").optional(),
  event_id: idSchema("evt").optional(),
  integration_id: z.string().max(100).optional(),
  status: WebhookDeliveryStatusSchema.optional(),
});

/** One entry of the event log: what was or will be sent as webhooks. */
export const EventSchema = z
  .object({
    id: idSchema("evt"),
    type: z.string(),
    integration_id: z.string().nullable(),
    created_at: TimestampSchema,
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "Event" });
export type EventLogEntry = z.infer<typeof EventSchema>;

export const EventListQuerySchema = PageQuerySchema.extend({
  type: z.string().max(100).optional(),
  integration_id: z.string().max(100).optional(),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
});
