import type { WebhookAttempt, WebhookDelivery } from "@relink/sdk/contract";
import type { Kysely, Selectable } from "kysely";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import type { Database, WebhookAttemptTable, WebhookDeliveryTable } from "../db/schema.ts";
import { DomainError, notFound } from "../domain/errors.ts";
import { notifyWebhookDispatchers } from "./notify.ts";

/** The delivery log: what was sent where, every attempt, and manual redelivery. */

type DeliveryRow = Selectable<WebhookDeliveryTable> & { event_type: string };

export function toWebhookAttempt(row: Selectable<WebhookAttemptTable>): WebhookAttempt {
  return {
    id: row.id,
    attempted_at: row.attempted_at,
    response_status: row.response_status,
    latency_ms: row.latency_ms,
    response_body: row.response_body,
    error: row.error,
  };
}

export function toWebhookDelivery(row: DeliveryRow, attempts: WebhookAttempt[]): WebhookDelivery {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    integration_id: row.integration_id,
    status: row.status as WebhookDelivery["status"],
    attempt_count: row.attempts,
    next_attempt_at: row.status === "PENDING" ? row.next_attempt_at : null,
    last_attempt_at: row.last_attempt_at,
    last_response_status: row.last_response_status,
    created_at: row.created_at,
    completed_at: row.completed_at,
    attempts,
  };
}

export interface DeliveryFilter {
  endpointId?: string | undefined;
  eventId?: string | undefined;
  integrationId?: string | undefined;
  status?: string | undefined;
  /** Deliveries with an id below this one (the cursor). */
  before?: string | undefined;
  id?: string | undefined;
}

/** Deliveries of a workspace, newest first, each with its attempts (oldest first). */
export async function listWebhookDeliveries(
  db: Kysely<Database>,
  workspaceId: string,
  filter: DeliveryFilter,
  limit: number,
): Promise<WebhookDelivery[]> {
  let query = db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("events as ev", "ev.id", "d.event_id")
    .selectAll("d")
    .select("ev.type as event_type")
    .where("d.workspace_id", "=", workspaceId)
    .orderBy("d.id", "desc")
    .limit(limit);
  if (filter.id) query = query.where("d.id", "=", filter.id);
  if (filter.before) query = query.where("d.id", "<", filter.before);
  if (filter.endpointId) query = query.where("d.endpoint_id", "=", filter.endpointId);
  if (filter.eventId) query = query.where("d.event_id", "=", filter.eventId);
  if (filter.integrationId) query = query.where("d.integration_id", "=", filter.integrationId);
  if (filter.status) query = query.where("d.status", "=", filter.status);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where(
      "delivery_id",
      "in",
      rows.map((r) => r.id),
    )
    .orderBy("id")
    .execute();
  const byDelivery = new Map<string, WebhookAttempt[]>();
  for (const attempt of attempts) {
    const list = byDelivery.get(attempt.delivery_id) ?? [];
    list.push(toWebhookAttempt(attempt));
    byDelivery.set(attempt.delivery_id, list);
  }
  return rows.map((row) => toWebhookDelivery(row, byDelivery.get(row.id) ?? []));
}

/**
 * Sends a delivery again, now, whatever its status (a replay of a SUCCEEDED one, another chance
 * for a FAILED one). It follows the normal retry schedule while its event is under three days old;
 * past that, this one attempt is its last. Refused while an attempt is under way (`CONFLICT`).
 */
export async function retryWebhookDelivery(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
): Promise<WebhookDelivery> {
  const now = iso(ctx.clock.now());
  const updated = await ctx.db
    .updateTable("webhook_deliveries")
    .set({
      status: "PENDING",
      next_attempt_at: now,
      completed_at: null,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<=", now)]))
    .returning("id")
    .executeTakeFirst();
  if (!updated) {
    const exists = await ctx.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!exists) throw notFound("Webhook delivery");
    throw new DomainError("CONFLICT", "This delivery is being attempted right now; try again shortly.");
  }
  ctx.wake("webhooks");
  await notifyWebhookDispatchers(ctx.db, ctx.dialect).catch((error: unknown) =>
    ctx.log.warn({ err: error }, "could not notify the other replicas' webhook dispatchers"),
  );
  const [delivery] = await listWebhookDeliveries(ctx.db, workspaceId, { id }, 1);
  if (!delivery) throw notFound("Webhook delivery");
  return delivery;
}
