import type { Tx } from "../context.ts";
import { toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";

export interface NewEvent {
  workspaceId: string;
  type: string;
  integrationId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

/**
 * Writes an event in the transaction of the change it announces (the outbox), together with one
 * pending delivery per enabled webhook endpoint of the workspace that subscribes to its type.
 * Nothing is sent here: the dispatcher is woken once the transaction commits.
 */
export async function recordEvent(tx: Tx, event: NewEvent): Promise<{ id: string; seq: number }> {
  const id = newId("evt", Date.parse(event.createdAt));
  const inserted = await tx.db
    .insertInto("events")
    .values({
      id,
      workspace_id: event.workspaceId,
      type: event.type,
      integration_id: event.integrationId,
      data: toJson(event.data),
      created_at: event.createdAt,
    })
    .returning("seq")
    .executeTakeFirstOrThrow();

  const endpoints = await tx.db
    .selectFrom("webhook_endpoints")
    .select(["id", "event_types"])
    .where("workspace_id", "=", event.workspaceId)
    .where("enabled", "=", true)
    .execute();
  const subscribed = endpoints.filter((e) => e.event_types === null || e.event_types.includes(event.type));
  if (subscribed.length > 0) {
    await tx.db
      .insertInto("webhook_deliveries")
      .values(
        subscribed.map((endpoint) => ({
          id: newId("whdl", Date.parse(event.createdAt)),
          workspace_id: event.workspaceId,
          endpoint_id: endpoint.id,
          event_id: id,
          event_seq: inserted.seq,
          integration_id: event.integrationId,
          status: "PENDING",
          attempts: 0,
          next_attempt_at: event.createdAt,
          created_at: event.createdAt,
        })),
      )
      .execute();
    tx.wake("webhooks");
  }
  return { id, seq: inserted.seq };
}
