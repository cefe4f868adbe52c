import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Sync sessions (a sync the product runs itself, gated by an auth check) and the lease that lets
 * one replica at a time refresh an integration's OAuth token.
 *
 * `sync_sessions`: who opened it (`api_key_id`), until when, how it ended (`status` `OPEN`,
 * `FINISHED`, `EXPIRED`) and the sync run it recorded. The partial index on open sessions makes
 * the sweeper's "expired and still open" lookup cheap and costs nothing once they are closed.
 *
 * `credential_refresh_leases`: at most one row per integration, held while its token is refreshed;
 * a holder that dies leaves a row whose `expires_at` passes, and the next refresher takes it over.
 */
export async function up(db: Db): Promise<void> {
  const ts = db.getExecutor().adapter instanceof PostgresAdapter ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("sync_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("api_key_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("check_id", "text")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .addColumn("finished_at", ts)
    .addColumn("outcome", "text")
    .addColumn("sync_id", "text")
    .execute();
  await db.schema
    .createIndex("sync_sessions_integration")
    .on("sync_sessions")
    .columns(["integration_id", "id"])
    .execute();
  await db.schema
    .createIndex("sync_sessions_open")
    .on("sync_sessions")
    .columns(["expires_at"])
    .where(sql<boolean>`${sql.raw("status = 'OPEN'")}`)
    .execute();

  await db.schema
    .createTable("credential_refresh_leases")
    .addColumn("integration_id", "text", (c) =>
      c.primaryKey().references("integrations.id").onDelete("cascade"),
    )
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("credential_refresh_leases").ifExists().execute();
  await db.schema.dropTable("sync_sessions").ifExists().execute();
}
