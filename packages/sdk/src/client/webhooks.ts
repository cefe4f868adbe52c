import type {
  EventListQuerySchema,
  EventLogEntry,
  PageQuerySchema,
  WebhookDelivery,
  WebhookDeliveryListQuerySchema,
  WebhookEndpoint,
  WebhookEndpointCreateSchema,
  WebhookEndpointUpdateSchema,
  WebhookEndpointWithSecret,
  WebhookSecretRotateSchema,
} from "../contract/index.ts";
import { type Body, type ListQuery, type RequestOptions, segment, type Transport } from "./transport.ts";

/** The event log: what was or will be sent as webhooks. */
export function eventsResource(t: Transport) {
  return {
    /**
     * `GET /v1/events`, newest first.
     * @example
     * ```ts
     * for await (const event of relink.events.list({ type: "integration-state-changed" })) console.log(event.id);
     * ```
     */
    list: (query: ListQuery<typeof EventListQuerySchema> = {}, options?: RequestOptions) =>
      t.list<EventLogEntry>("/v1/events", query, options),
  };
}

/** Webhook endpoints. */
export function webhookEndpointsResource(t: Transport) {
  return {
    /**
     * `GET /v1/webhook-endpoints`.
     * @example
     * ```ts
     * const { data } = await relink.webhookEndpoints.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      t.list<WebhookEndpoint>("/v1/webhook-endpoints", query, options),
    /**
     * `POST /v1/webhook-endpoints`: the answer carries the signing secret (`whsec_…`), once.
     * @example
     * ```ts
     * const { secret } = await relink.webhookEndpoints.create({ url: "https://api.example.com/webhooks/relink" });
     * ```
     */
    create: (
      body: Body<typeof WebhookEndpointCreateSchema>,
      options?: RequestOptions,
    ): Promise<WebhookEndpointWithSecret> => t.request("POST", "/v1/webhook-endpoints", { body, options }),
    /**
     * `PATCH /v1/webhook-endpoints/:id`.
     * @example
     * ```ts
     * await relink.webhookEndpoints.update("whep_…", { event_types: ["integration-state-changed"] });
     * ```
     */
    update: (
      id: string,
      body: Body<typeof WebhookEndpointUpdateSchema>,
      options?: RequestOptions,
    ): Promise<WebhookEndpoint> =>
      t.request("PATCH", `/v1/webhook-endpoints/${segment(id)}`, { body, options }),
    /**
     * `DELETE /v1/webhook-endpoints/:id`.
     * @example
     * ```ts
     * await relink.webhookEndpoints.delete("whep_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      t.request("DELETE", `/v1/webhook-endpoints/${segment(id)}`, { options }),
    /**
     * `POST /v1/webhook-endpoints/:id/rotate-secret`: a new secret; the old one keeps signing for the grace period.
     * @example
     * ```ts
     * const { secret } = await relink.webhookEndpoints.rotateSecret("whep_…", { grace_period: "24h" });
     * ```
     */
    rotateSecret: (
      id: string,
      body: Body<typeof WebhookSecretRotateSchema> = {},
      options?: RequestOptions,
    ): Promise<WebhookEndpointWithSecret> =>
      t.request("POST", `/v1/webhook-endpoints/${segment(id)}/rotate-secret`, { body, options }),
    /**
     * `POST /v1/webhook-endpoints/:id/test`: sends a `webhook-test` event to this endpoint only.
     * @example
     * ```ts
     * const delivery = await relink.webhookEndpoints.test("whep_…");
     * ```
     */
    test: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      t.request("POST", `/v1/webhook-endpoints/${segment(id)}/test`, { options }),
  };
}

/** Webhook deliveries: every attempt, and redelivery. */
export function webhookDeliveriesResource(t: Transport) {
  return {
    /**
     * `GET /v1/webhook-deliveries`, filtered by endpoint, event, integration or status.
     * @example
     * ```ts
     * for await (const delivery of relink.webhookDeliveries.list({ status: "FAILED" })) console.log(delivery.id);
     * ```
     */
    list: (query: ListQuery<typeof WebhookDeliveryListQuerySchema> = {}, options?: RequestOptions) =>
      t.list<WebhookDelivery>("/v1/webhook-deliveries", query, options),
    /**
     * `GET /v1/webhook-deliveries/:id`, with every attempt.
     * @example
     * ```ts
     * const { attempts } = await relink.webhookDeliveries.get("whdl_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      t.request("GET", `/v1/webhook-deliveries/${segment(id)}`, { options }),
    /**
     * `POST /v1/webhook-deliveries/:id/retry`: sends it again now.
     * @example
     * ```ts
     * await relink.webhookDeliveries.retry("whdl_…");
     * ```
     */
    retry: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      t.request("POST", `/v1/webhook-deliveries/${segment(id)}/retry`, { options }),
  };
}
