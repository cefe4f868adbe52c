import type { Kysely } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * The remote account's display name beside its id (shown by the widget and the dashboard), and
 * an index to find the other integrations of a workspace connected to the same remote account.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable("integrations").addColumn("account_name", "text").execute();
  await db.schema
    .createIndex("integrations_workspace_tool_account")
    .on("integrations")
    .columns(["workspace_id", "tool", "account_id"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("integrations_workspace_tool_account").ifExists().execute();
  await db.schema.alterTable("integrations").dropColumn("account_name").execute();
}
