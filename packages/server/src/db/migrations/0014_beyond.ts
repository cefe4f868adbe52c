import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Issue 20 ("beyond"): simulated auth checks (`RELINK_ENABLE_SIMULATION`), relink campaigns and
 * their members, superseded and handed-off links, the credentials' expiry and its warning, and the
 * paused window reported on resume.
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;

  await db.schema
    .createTable("auth_simulations")
    .addColumn("integration_id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    /** Checks left to force; null = until cleared. */
    .addColumn("remaining", "integer")
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("relink_campaigns")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("source_scope_config_id", "text", (c) => c.notNull())
    .addColumn("scope_config_id", "text", (c) => c.notNull())
    .addColumn("tool", "text")
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("moved", "integer", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("relink_campaigns_workspace")
    .on("relink_campaigns")
    .columns(["workspace_id", "id"])
    .execute();
  await db.schema
    .createTable("relink_campaign_members")
    .addColumn("campaign_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("scope_config_id", "text", (c) => c.notNull())
    .addColumn("relinked_at", ts)
    .addPrimaryKeyConstraint("relink_campaign_members_pk", ["campaign_id", "integration_id"])
    .execute();
  await db.schema
    .createIndex("relink_campaign_members_integration")
    .on("relink_campaign_members")
    .columns(["integration_id"])
    .execute();

  await db.schema.alterTable("relink_links").addColumn("superseded_at", ts).execute();
  await db.schema.alterTable("relink_links").addColumn("handoff_requested_by", "text").execute();
  await db.schema.alterTable("relink_links").addColumn("handoff_requested_at", ts).execute();
  await db.schema
    .createIndex("relink_links_integration_open")
    .on("relink_links")
    .columns(["integration_id", "completed_at"])
    .execute();

  for (const column of [
    "relinked_at",
    "credentials_expire_at",
    "expiry_warned_for",
    "paused_at",
    "gap_from",
    "gap_until",
    "gap_reported_at",
  ]) {
    await db.schema.alterTable("integrations").addColumn(column, ts).execute();
  }
  await db.schema
    .createIndex("integrations_credentials_expire_at")
    .on("integrations")
    .column("credentials_expire_at")
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("integrations_credentials_expire_at").ifExists().execute();
  for (const column of [
    "gap_reported_at",
    "gap_until",
    "gap_from",
    "paused_at",
    "expiry_warned_for",
    "credentials_expire_at",
    "relinked_at",
  ]) {
    await db.schema.alterTable("integrations").dropColumn(column).execute();
  }
  await db.schema.dropIndex("relink_links_integration_open").ifExists().execute();
  for (const column of ["handoff_requested_at", "handoff_requested_by", "superseded_at"]) {
    await db.schema.alterTable("relink_links").dropColumn(column).execute();
  }
  await db.schema.dropTable("relink_campaign_members").execute();
  await db.schema.dropTable("relink_campaigns").execute();
  await db.schema.dropTable("auth_simulations").execute();
}
