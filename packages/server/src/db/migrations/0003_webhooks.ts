import { type Kysely, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // Per-integration order: "is an earlier delivery still pending?" is one seek, however long the
  // delivered history grows.
  await db.schema
    .createIndex("webhook_deliveries_pending_order")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "integration_id", "event_seq"])
    .where(sql<boolean>`${sql.raw("status = 'PENDING'")}`)
    .execute();
  // Filters of the event log and the delivery log.
  await db.schema
    .createIndex("events_workspace_type")
    .on("events")
    .columns(["workspace_id", "type", "seq"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_event")
    .on("webhook_deliveries")
    .column("event_id")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("webhook_deliveries_event").ifExists().execute();
  await db.schema.dropIndex("events_workspace_type").ifExists().execute();
  await db.schema.dropIndex("webhook_deliveries_pending_order").ifExists().execute();
}
