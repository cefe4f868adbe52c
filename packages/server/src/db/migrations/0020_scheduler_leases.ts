import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * `scheduler_leases`: on SQLite, the one process that schedules holds a lease on the whole file
 * (one row, `name` = 'scheduler') and keeps its claims in memory, instead of writing a lease into
 * each claimed integration's row. PostgreSQL's replicas keep the row leases; the table is created
 * there too, empty, so that both databases have the same schema.
 */
export async function up(db: Db): Promise<void> {
  const ts = db.getExecutor().adapter instanceof PostgresAdapter ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("scheduler_leases")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("scheduler_leases").ifExists().execute();
}
