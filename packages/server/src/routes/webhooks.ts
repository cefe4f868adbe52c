import { createRoute, z } from "@hono/zod-openapi";
import {
  EventListQuerySchema,
  EventSchema,
  idSchema,
  PageQuerySchema,
  pageSchema,
  WebhookDeliveryListQuerySchema,
  WebhookDeliverySchema,
  WebhookEndpointCreateSchema,
  WebhookEndpointSchema,
  WebhookEndpointUpdateSchema,
  WebhookEndpointWithSecretSchema,
  WebhookSecretRotateSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { listEvents } from "../domain/event-log.ts";
import { parseDuration } from "../duration.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";
import { listWebhookDeliveries, retryWebhookDelivery } from "../webhooks/deliveries.ts";
import {
  checkedWebhookUrl,
  createWebhookEndpoint,
  DEFAULT_SECRET_GRACE_MS,
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  MAX_SECRET_GRACE_MS,
  rotateWebhookSecret,
  sendTestEvent,
  toWebhookEndpoint,
  updateWebhookEndpoint,
} from "../webhooks/endpoints.ts";

const EndpointIdParam = z.object({ id: idSchema("whep") });
const DeliveryIdParam = z.object({ id: idSchema("whdl") });

export function webhookRoutes(ctx: RelinkContext) {
  const app = router();
  const policy = {
    allowHttp: ctx.config.allowHttpWebhookUrls,
    allowPrivate: ctx.config.allowPrivateWebhookUrls,
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints",
      operationId: "listWebhookEndpoints",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "List webhook endpoints, newest first (never their secrets)",
      request: { query: PageQuerySchema },
      responses: { 200: json(pageSchema(WebhookEndpointSchema), "Webhook endpoints"), ...errors() },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, "whep");
      const { rows, next_cursor } = page(
        await listWebhookEndpoints(ctx.db, c.var.workspaceId, { limit, after }),
        limit,
      );
      return c.json({ data: rows.map(toWebhookEndpoint), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints",
      operationId: "createWebhookEndpoint",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "Create a webhook endpoint; its signing secret (whsec_…) is shown in this answer only",
      request: jsonBody(WebhookEndpointCreateSchema),
      responses: { 201: json(WebhookEndpointWithSecretSchema, "The endpoint and its secret"), ...errors() },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const url = await checkedWebhookUrl(body.url, policy);
      const created = await createWebhookEndpoint(ctx, c.var.workspaceId, { ...body, url });
      c.var.log.info({ endpoint_id: created.id }, "webhook endpoint created");
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-endpoints/{id}",
      operationId: "getWebhookEndpoint",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "One webhook endpoint (never its secret)",
      request: { params: EndpointIdParam },
      responses: { 200: json(WebhookEndpointSchema, "The endpoint"), ...errors(404) },
    }),
    async (c) => {
      const row = await findWebhookEndpoint(ctx, c.var.workspaceId, c.req.valid("param").id);
      if (!row) throw notFound("Webhook endpoint");
      return c.json(toWebhookEndpoint(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/v1/webhook-endpoints/{id}",
      operationId: "updateWebhookEndpoint",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "Change an endpoint's URL, description, event types, or enable/disable it",
      request: { params: EndpointIdParam, ...jsonBody(WebhookEndpointUpdateSchema) },
      responses: { 200: json(WebhookEndpointSchema, "The endpoint"), ...errors(404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      if (!(await findWebhookEndpoint(ctx, c.var.workspaceId, id))) throw notFound("Webhook endpoint");
      const url = body.url === undefined ? undefined : await checkedWebhookUrl(body.url, policy);
      const updated = await updateWebhookEndpoint(ctx, c.var.workspaceId, id, { ...body, url });
      if (!updated) throw notFound("Webhook endpoint");
      return c.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/webhook-endpoints/{id}",
      operationId: "deleteWebhookEndpoint",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "Delete an endpoint with its pending deliveries and delivery log",
      request: { params: EndpointIdParam },
      responses: { 204: { description: "Deleted" }, ...errors(404) },
    }),
    async (c) => {
      if (!(await deleteWebhookEndpoint(ctx, c.var.workspaceId, c.req.valid("param").id)))
        throw notFound("Webhook endpoint");
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{id}/rotate-secret",
      operationId: "rotateWebhookEndpointSecret",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary:
        "Replace the signing secret; the old one keeps signing beside the new one for a grace period (default 24h)",
      request: {
        params: EndpointIdParam,
        body: {
          content: { "application/json": { schema: WebhookSecretRotateSchema } },
          required: false,
        },
      },
      responses: {
        200: json(WebhookEndpointWithSecretSchema, "The endpoint and its new secret"),
        ...errors(404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = (c.req.valid("json") ?? {}) as z.infer<typeof WebhookSecretRotateSchema>;
      const graceMs =
        body.grace_period === undefined ? DEFAULT_SECRET_GRACE_MS : parseDuration(body.grace_period);
      if (graceMs === undefined || graceMs > MAX_SECRET_GRACE_MS) {
        throw new ApiError(400, "INVALID_REQUEST", "Invalid request: body.grace_period: at most 7d", {
          issues: [{ path: "body.grace_period", code: "too_big", message: "at most 7d" }],
        });
      }
      const rotated = await rotateWebhookSecret(ctx, c.var.workspaceId, id, graceMs);
      if (!rotated) throw notFound("Webhook endpoint");
      c.var.log.info({ endpoint_id: id, grace_ms: graceMs }, "webhook secret rotated");
      return c.json(rotated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-endpoints/{id}/test",
      operationId: "testWebhookEndpoint",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "Send a webhook-test event to this endpoint only; follow it in the delivery log",
      request: { params: EndpointIdParam },
      responses: { 202: json(WebhookDeliverySchema, "The delivery, queued"), ...errors(404, 409) },
    }),
    async (c) => {
      const endpoint = await findWebhookEndpoint(ctx, c.var.workspaceId, c.req.valid("param").id);
      if (!endpoint) throw notFound("Webhook endpoint");
      if (!endpoint.enabled) {
        throw new ApiError(409, "CONFLICT", "This endpoint is disabled; enable it to send it a test event.");
      }
      const { deliveryId } = await sendTestEvent(ctx, endpoint);
      const [delivery] = await listWebhookDeliveries(ctx.db, c.var.workspaceId, { id: deliveryId }, 1);
      if (!delivery) throw notFound("Webhook delivery");
      return c.json(delivery, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-deliveries",
      operationId: "listWebhookDeliveries",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary:
        "The delivery log, newest first: status and every attempt (response code, latency, body start)",
      request: { query: WebhookDeliveryListQuerySchema },
      responses: { 200: json(pageSchema(WebhookDeliverySchema), "Deliveries"), ...errors() },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listWebhookDeliveries(
        ctx.db,
        c.var.workspaceId,
        {
          before: decodeCursor(q.cursor, "whdl"),
          endpointId: q.endpoint_id,
          eventId: q.event_id,
          integrationId: q.integration_id,
          status: q.status,
        },
        q.limit + 1,
      );
      const { rows: data, next_cursor } = page(rows, q.limit);
      return c.json({ data, next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/webhook-deliveries/{id}",
      operationId: "getWebhookDelivery",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "One delivery with every attempt",
      request: { params: DeliveryIdParam },
      responses: { 200: json(WebhookDeliverySchema, "The delivery"), ...errors(404) },
    }),
    async (c) => {
      const [delivery] = await listWebhookDeliveries(
        ctx.db,
        c.var.workspaceId,
        { id: c.req.valid("param").id },
        1,
      );
      if (!delivery) throw notFound("Webhook delivery");
      return c.json(delivery, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/webhook-deliveries/{id}/retry",
      operationId: "retryWebhookDelivery",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "Send a delivery again now (replay a succeeded one, retry a failed one)",
      request: { params: DeliveryIdParam },
      responses: { 202: json(WebhookDeliverySchema, "The delivery, queued"), ...errors(404, 409) },
    }),
    async (c) => {
      return c.json(await retryWebhookDelivery(ctx, c.var.workspaceId, c.req.valid("param").id), 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/events",
      operationId: "listEvents",
      tags: ["Webhooks"],
      security: bearerSecurity,
      summary: "The event log (what was or will be sent as webhooks), newest first",
      request: { query: EventListQuerySchema },
      responses: { 200: json(pageSchema(EventSchema), "Events"), ...errors() },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listEvents(ctx.db, c.var.workspaceId, {
        limit: q.limit,
        beforeSeq: decodeSeqCursor(q.cursor),
        type: q.type,
        integrationId: q.integration_id,
        createdAfter: q.created_after,
        createdBefore: q.created_before,
      });
      const more = rows.length > q.limit;
      const kept = more ? rows.slice(0, q.limit) : rows;
      const last = kept.at(-1);
      return c.json(
        {
          data: kept.map(({ seq: _seq, ...event }) => event),
          next_cursor: more && last ? encodeSeqCursor(last.seq) : null,
        },
        200,
      );
    },
  );

  return app;
}

/** Event-log cursors carry the last `seq` of the page (commit order), opaque to clients. */
const encodeSeqCursor = (seq: number) => Buffer.from(`seq:${seq}`, "utf8").toString("base64url");

function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^seq:(\d{1,16})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match?.[1]) {
    throw new ApiError(400, "INVALID_REQUEST", "Invalid request: cursor: not a cursor from a previous page", {
      issues: [
        { path: "query.cursor", code: "invalid_cursor", message: "not a cursor from a previous page" },
      ],
    });
  }
  return Number(match[1]);
}
