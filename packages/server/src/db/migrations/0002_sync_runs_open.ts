import type { Kysely } from "kysely";
import { sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * At most one queued or running sync per integration, enforced by the database; the same index
 * finds that open run without reading the integration's whole history.
 */
export async function up(db: Db): Promise<void> {
  await db.schema
    .createIndex("sync_runs_open")
    .on("sync_runs")
    .column("integration_id")
    .unique()
    .where(sql<boolean>`${sql.raw("status in ('QUEUED', 'RUNNING')")}`)
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropIndex("sync_runs_open").ifExists().execute();
}
