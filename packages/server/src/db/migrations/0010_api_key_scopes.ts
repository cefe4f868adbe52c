import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * API keys get scopes (`management`, `credentials:read`, `records:read`): a JSON array of them.
 * Every existing key keeps exactly the rights it had, `management` only.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable("api_keys")
    .addColumn("scopes", pg ? sql`jsonb` : sql`text`, (c) =>
      c.notNull().defaultTo(pg ? sql`'["management"]'::jsonb` : sql`'["management"]'`),
    )
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("scopes").execute();
}
