import { OpenAPIHono } from "@hono/zod-openapi";
import {
  ConnectionFlowFailedEventSchema,
  ErrorEnvelopeSchema,
  IntegrationAuthStatusChangedEventSchema,
  IntegrationCreatedEventSchema,
  IntegrationCredentialsExpiringEventSchema,
  IntegrationDeletedEventSchema,
  IntegrationRelinkedEventSchema,
  IntegrationStateChangedEventSchema,
  RelinkCampaignProgressedEventSchema,
  RelinkLinkHandedOffEventSchema,
  RelinkLinkSupersededEventSchema,
  SyncFinishedEventSchema,
  WEBHOOK_TEST_EVENT_TYPE,
  type WebhookEventType,
  WebhookTestEventSchema,
} from "@relink/sdk/contract";
import type { z } from "zod";
import type { AppEnv } from "./env.ts";
import { validationHook } from "./middleware.ts";

/** A feature's sub-app: validation failures become `400 INVALID_REQUEST` in the error envelope. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const errorDescriptions: Record<number, string> = {
  400: "Invalid request (the error envelope lists the issues)",
  401: "Missing or invalid credentials",
  403: "The API key lacks the scope this operation needs (`INSUFFICIENT_SCOPE`, naming it)",
  404: "Not found (also for resources of another workspace)",
  409: "Conflict with the resource's state",
  410: "Gone: the relink link was revoked (`LINK_REVOKED`)",
  413: "Body too large",
  415: "The body is not JSON (`Content-Type: application/json`)",
  422: "Refused by validation against the catalog or the tool",
  429: "Rate limited; see Retry-After",
  503: "A dependency (the tool) is unavailable",
};

/** The error responses a route can give, each with the error envelope. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    [400, 401, ...statuses].map((status) => [
      status,
      json(ErrorEnvelopeSchema, errorDescriptions[status] ?? "Error"),
    ]),
  );
}

export const bearerSecurity = [{ apiKey: [] }];
export const flowTokenSecurity = [{ flowToken: [] }];
/** No credentials: health probes and the OAuth redirect (its `state` is the proof). */
export const publicSecurity: Array<Record<string, string[]>> = [];
/** Webhook deliveries are signed (Standard Webhooks); the receiver checks the signature. */
export const webhookSignatureSecurity = [{ webhookSignature: [] }];

/** The body of each webhook event, as `webhooks` documents it. */
const WEBHOOK_EVENTS: Record<WebhookEventType | typeof WEBHOOK_TEST_EVENT_TYPE, [z.ZodType, string]> = {
  "integration-created": [
    IntegrationCreatedEventSchema,
    "An integration was created (imported or connected).",
  ],
  "integration-deleted": [
    IntegrationDeletedEventSchema,
    "An integration was deleted; its credentials are gone.",
  ],
  "integration-state-changed": [
    IntegrationStateChangedEventSchema,
    "An integration's state changed (paused as INVALID, recovered, relinked, disabled, enabled).",
  ],
  "integration-auth-status-changed": [
    IntegrationAuthStatusChangedEventSchema,
    "An integration's authentication started failing (with when it will be paused) or is OK again.",
  ],
  "integration-relinked": [
    IntegrationRelinkedEventSchema,
    "The end user replaced an integration's credentials.",
  ],
  "connection-flow-failed": [
    ConnectionFlowFailedEventSchema,
    "A connect or relink flow ended without completing (the end user left, the link expired, consent was denied).",
  ],
  "sync-finished": [SyncFinishedEventSchema, "A sync ended, with its state and warnings."],
  "integration-credentials-expiring": [
    IntegrationCredentialsExpiringEventSchema,
    "The tool reports that an integration's credentials expire soon (RELINK_EXPIRY_WARNING before; once per expiry): open a relink for it before anything fails.",
  ],
  "relink-link-superseded": [
    RelinkLinkSupersededEventSchema,
    "Another completed relink made this outstanding relink link pointless: stop prompting with it (once per link).",
  ],
  "relink-link-handed-off": [
    RelinkLinkHandedOffEventSchema,
    "The end user asked for a link to forward to someone else (the tool's admin) to finish the flow.",
  ],
  "relink-campaign-progressed": [
    RelinkCampaignProgressedEventSchema,
    "An integration of a relink campaign relinked onto the campaign's scope config, with the campaign's progress.",
  ],
  [WEBHOOK_TEST_EVENT_TYPE]: [
    WebhookTestEventSchema,
    "Sent by `POST /v1/webhook-endpoints/{id}/test` to that endpoint only.",
  ],
};

/** Documents every webhook event under the document's `webhooks`: a `POST` with the event as its body. */
export function registerWebhookEvents(app: OpenAPIHono<AppEnv>): void {
  for (const [type, [schema, description]] of Object.entries(WEBHOOK_EVENTS)) {
    app.openAPIRegistry.registerWebhook({
      method: "post",
      path: type,
      operationId: `${type.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}Webhook`,
      tags: ["Webhooks"],
      security: webhookSignatureSecurity,
      summary: `The \`${type}\` event`,
      description: `${description} Signed as Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`); verify it with \`verifyWebhook\` of \`@relink/sdk/server\`.`,
      request: { body: { content: { "application/json": { schema } }, required: true } },
      responses: {
        200: { description: "Received (any 2xx). Anything else, or no answer in time, is retried." },
      },
    });
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A nullable reference as OpenAPI 3.1 means it: `anyOf: [{ $ref }, { type: "null" }]`. The generator
 * writes `.nullable()` of a registered schema as `allOf: [{ $ref }, { type: [..., "null"] }]`, which
 * null cannot satisfy (the referenced schema still applies) and which generated clients read as
 * not nullable. Any other keyword of the override (a description) is kept beside the `anyOf`.
 */
function nullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableRefs);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableRefs(value);
  const allOf = out.allOf;
  if (Array.isArray(allOf) && allOf.length === 2) {
    const [ref, override] = allOf as unknown[];
    if (
      isObject(ref) &&
      typeof ref.$ref === "string" &&
      isObject(override) &&
      Array.isArray(override.type) &&
      override.type.includes("null")
    ) {
      const { type: _type, ...rest } = override;
      const { allOf: _allOf, ...siblings } = out;
      return { ...siblings, ...rest, anyOf: [ref, { type: "null" }] };
    }
  }
  return out;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

/**
 * What every operation can answer whatever its route says: a body over the limit (`413`, on every
 * method that may carry one) and a body that is not JSON (`415`, where a JSON body is read).
 */
function centralResponses(doc: JsonObject): void {
  const error = (status: number) => ({
    description: errorDescriptions[status] ?? "Error",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  for (const item of Object.values((doc.paths ?? {}) as Record<string, JsonObject>)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const responses = (operation.responses ?? {}) as JsonObject;
      if (method !== "get" && method !== "head") responses["413"] ??= error(413);
      if (operation.requestBody) responses["415"] ??= error(415);
      operation.responses = Object.fromEntries(
        Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
}

/** The OpenAPI 3.1 document of the app: generated from the routes' schemas, then completed centrally. */
export function openApiDocument(
  app: OpenAPIHono<AppEnv>,
  config: Parameters<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>[0],
): JsonObject {
  const doc = nullableRefs(app.getOpenAPI31Document(config)) as JsonObject;
  centralResponses(doc);
  return doc;
}
