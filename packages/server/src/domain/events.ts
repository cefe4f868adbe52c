import type { WebhookEventData, WebhookEventType } from "@relink/sdk/contract";
import type { Tx } from "../context.ts";
import { chunks, insertRows } from "../db/bulk.ts";
import { toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { notifyWebhookDispatchers } from "../webhooks/notify.ts";

/**
 * An event to record: its `data` is typed from the SDK contract's schema of its type
 * (`WEBHOOK_EVENT_DATA_SCHEMAS`), the one source of every payload that `verifyWebhook` parses.
 */
export type NewEvent = {
  [T in WebhookEventType]: {
    workspaceId: string;
    type: T;
    integrationId: string | null;
    data: WebhookEventData<T>;
    createdAt: string;
  };
}[WebhookEventType];

/**
 * Writes an event in the transaction of the change it announces (the outbox), together with one
 * pending delivery per enabled webhook endpoint of the workspace that subscribes to its type.
 * Nothing is sent here: the dispatchers are woken once the transaction commits.
 */
export async function recordEvent(tx: Tx, event: NewEvent): Promise<{ id: string }> {
  const [id] = await recordEvents(tx, [event]);
  return { id: id as string };
}

const EVENT_COLUMNS = ["id", "workspace_id", "type", "integration_id", "data", "created_at"] as const;
const DELIVERY_COLUMNS = [
  "id",
  "workspace_id",
  "endpoint_id",
  "event_id",
  "event_seq",
  "integration_id",
  "status",
  "attempts",
  "next_attempt_at",
  "created_at",
] as const;

/**
 * `recordEvent` for a whole batch, in the caller's transaction (the outbox), with the same rows:
 * the events in order (multi-row inserts), and one pending delivery per enabled webhook endpoint of
 * the workspace that subscribes to the event's type. The endpoints are read once per batch.
 * Returns the events' ids, in order.
 */
export async function recordEvents(tx: Tx, events: readonly NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const { dialect } = tx;
  const rows = events.map((e) => [
    newId("evt", Date.parse(e.createdAt)),
    e.workspaceId,
    e.type,
    e.integrationId,
    toJson(e.data),
    e.createdAt,
  ]);
  const ids = rows.map((row) => row[0] as string);
  // Write first: on SQLite a transaction that reads before its first write can be refused its
  // write lock when another connection wrote in between.
  const seqs = new Map<string, number>();
  const inserted = await insertRows<{ id: string; seq: number | string }>(
    tx,
    dialect,
    "events",
    EVENT_COLUMNS,
    rows,
    "id, seq",
  );
  for (const r of inserted) seqs.set(r.id, Number(r.seq));

  const workspaces = [...new Set(events.map((e) => e.workspaceId))];
  const endpoints = new Map<string, Array<{ id: string; event_types: string[] | null }>>();
  for (const chunk of chunks(workspaces)) {
    const found = await tx.db
      .selectFrom("webhook_endpoints")
      .select(["id", "workspace_id", "event_types"])
      .where("workspace_id", "in", chunk)
      .where("enabled", "=", true)
      .execute();
    for (const e of found) endpoints.set(e.workspace_id, [...(endpoints.get(e.workspace_id) ?? []), e]);
  }
  const deliveries: unknown[][] = [];
  events.forEach((e, i) => {
    const eventId = ids[i] as string;
    for (const endpoint of endpoints.get(e.workspaceId) ?? []) {
      if (endpoint.event_types !== null && !endpoint.event_types.includes(e.type)) continue;
      deliveries.push([
        newId("whdl", Date.parse(e.createdAt)),
        e.workspaceId,
        endpoint.id,
        eventId,
        seqs.get(eventId),
        e.integrationId,
        "PENDING",
        0,
        e.createdAt,
        e.createdAt,
      ]);
    }
  });
  if (deliveries.length > 0) {
    await insertRows(tx, dialect, "webhook_deliveries", DELIVERY_COLUMNS, deliveries);
    // This process's dispatcher once the transaction commits; on PostgreSQL every replica's too
    // (a NOTIFY in the transaction: sent on commit only).
    tx.wake("webhooks");
    await notifyWebhookDispatchers(tx.db, dialect);
  }
  return ids;
}
