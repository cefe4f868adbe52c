import type { Kysely } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * One row while a replica refreshes an integration's OAuth tokens: tools that rotate refresh
 * tokens invalidate the one used, so two replicas refreshing at once would lose the grant.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("credential_refresh_leases")
    .addColumn("integration_id", "text", (c) =>
      c.primaryKey().references("integrations.id").onDelete("cascade"),
    )
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("credential_refresh_leases").ifExists().execute();
}
