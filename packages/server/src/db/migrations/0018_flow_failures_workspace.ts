import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * A failed flow is announced once per token of a workspace: `flow_failures` is keyed by
 * `(workspace_id, jti)`, so another workspace's token with the same `jti` is still announced, and no
 * workspace's failures can silence another's. Existing rows keep their meaning (each carries its
 * workspace). SQLite cannot change a primary key in place: the table is copied.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("flow_failures_by_workspace")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("jti", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("flow_failures_workspace_jti_pkey", ["workspace_id", "jti"])
    .execute();
  await sql`insert into flow_failures_by_workspace (workspace_id, jti, reason, created_at)
    select workspace_id, jti, reason, created_at from flow_failures`.execute(db);
  await db.schema.dropTable("flow_failures").execute();
  await db.schema.alterTable("flow_failures_by_workspace").renameTo("flow_failures").execute();
  // Retention deletes by age.
  await db.schema.createIndex("flow_failures_created_at").on("flow_failures").column("created_at").execute();
}

export async function down(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("flow_failures_by_jti")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  // Going back, a jti failed in several workspaces keeps one row (the earliest).
  await sql`insert into flow_failures_by_jti (jti, workspace_id, reason, created_at)
    select jti, workspace_id, reason, created_at from flow_failures f
    where not exists (
      select 1 from flow_failures e
      where e.jti = f.jti and (e.created_at < f.created_at or (e.created_at = f.created_at and e.workspace_id < f.workspace_id))
    )`.execute(db);
  await db.schema.dropTable("flow_failures").execute();
  await db.schema.alterTable("flow_failures_by_jti").renameTo("flow_failures").execute();
}
