import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Spent token ids are a workspace's own: `spent_tokens` is keyed by `(workspace_id, jti)`, so a
 * token of one workspace is never refused because another workspace spent the same `jti`, and no
 * workspace can learn which ids another spent. Every existing row keeps its meaning (it already
 * carries its workspace). SQLite cannot change a primary key in place: the table is copied.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("spent_tokens_by_workspace")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("jti", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull())
    .addColumn("spent_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("spent_tokens_workspace_jti_pkey", ["workspace_id", "jti"])
    .execute();
  await sql`insert into spent_tokens_by_workspace (workspace_id, jti, integration_id, spent_at)
    select workspace_id, jti, integration_id, spent_at from spent_tokens`.execute(db);
  await db.schema.dropTable("spent_tokens").execute();
  await db.schema.alterTable("spent_tokens_by_workspace").renameTo("spent_tokens").execute();
}

export async function down(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  await db.schema
    .createTable("spent_tokens_by_jti")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull())
    .addColumn("spent_at", ts, (c) => c.notNull())
    .execute();
  // Going back, a jti spent in several workspaces keeps one row (the earliest): still refused.
  await sql`insert into spent_tokens_by_jti (jti, workspace_id, integration_id, spent_at)
    select jti, workspace_id, integration_id, spent_at from spent_tokens s
    where not exists (
      select 1 from spent_tokens e
      where e.jti = s.jti and (e.spent_at < s.spent_at or (e.spent_at = s.spent_at and e.workspace_id < s.workspace_id))
    )`.execute(db);
  await db.schema.dropTable("spent_tokens").execute();
  await db.schema.alterTable("spent_tokens_by_jti").renameTo("spent_tokens").execute();
}
