import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Relink links can be revoked (`revoked_at`); a workspace has a brand (product name, logo URL,
 * accent colour) that the hosted page shows, so the end user knows who asks them to reconnect.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;

  await db.schema.alterTable("relink_links").addColumn("revoked_at", ts).execute();
  await db.schema.alterTable("workspaces").addColumn("brand_product_name", "text").execute();
  await db.schema.alterTable("workspaces").addColumn("brand_logo_url", "text").execute();
  await db.schema.alterTable("workspaces").addColumn("brand_accent_color", "text").execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.alterTable("workspaces").dropColumn("brand_accent_color").execute();
  await db.schema.alterTable("workspaces").dropColumn("brand_logo_url").execute();
  await db.schema.alterTable("workspaces").dropColumn("brand_product_name").execute();
  await db.schema.alterTable("relink_links").dropColumn("revoked_at").execute();
}
