import type { Kysely } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * The dashboard's counts per state and failing streak, read from the index alone (no table rows),
 * and the failing integrations of a workspace in streak order.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createIndex("integrations_workspace_state_failing")
    .on("integrations")
    .columns(["workspace_id", "state", "failing_since"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("integrations_workspace_state_failing").ifExists().execute();
}
