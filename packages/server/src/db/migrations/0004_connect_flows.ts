import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Connect flows: the optional parts the end user opted out of travel with an OAuth sign-in, and a
 * flow announces its failure (`connection-flow-failed`) at most once per token.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  const json = pg ? sql`jsonb` : sql`text`;

  await db.schema.alterTable("oauth_states").addColumn("opted_out", json).execute();

  await db.schema
    .createTable("flow_failures")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("flow_failures").ifExists().execute();
  await db.schema.alterTable("oauth_states").dropColumn("opted_out").execute();
}
