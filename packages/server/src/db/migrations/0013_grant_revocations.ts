import type { Kysely } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/** The revocation (RFC 7009) of an OAuth grant a relink replaced, and how it went. */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("grant_revocations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("tool", "text", (c) => c.notNull())
    // REVOKED | FAILED
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("grant_revocations_integration")
    .on("grant_revocations")
    .columns(["integration_id", "created_at"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("grant_revocations").ifExists().execute();
}
