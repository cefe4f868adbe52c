import type { Kysely } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * The records API's incremental poll (`updated_after`) with nothing newer: one index range on
 * `(integration_id, model, synced_at)` answers "is any record of this model newer?" without
 * reading the model's records. The pages themselves still walk the primary key in remote-id order
 * (`domain/record-pages.ts` keeps them off this index: a page through it would sort the model).
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createIndex("synced_records_synced_at")
    .on("synced_records")
    .columns(["integration_id", "model", "synced_at"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("synced_records_synced_at").ifExists().execute();
}
