import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

/**
 * Synced records sealed at rest: their fields go into `fields_sealed` (sealed by the server with
 * its encryption key, like credentials); only what identifies a record stays in clear
 * (integration, model, remote id, when it was synced).
 *
 * A migration cannot seal: it has neither the key nor the application's sealing code (and must
 * never import it). So this one only makes room: `fields_sealed` is added and the plain `data`
 * column becomes nullable (no new row writes it), with a partial index on the rows still plain.
 * The server, when it starts, seals those rows in batches with its own key and clears their
 * `data` (`sealPlainRecords`), before any worker runs; readers open either form meanwhile. The
 * partial index holds only plain rows, so it costs no write and, once they are sealed, makes that
 * start-up check one empty index lookup. A later migration drops `data` and the index, once every
 * installation has started on this version.
 *
 * SQLite cannot drop a NOT NULL constraint: the table is rebuilt (same name, key and foreign key).
 */
export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  if (pg) {
    await sql`alter table synced_records alter column data drop not null`.execute(db);
    await db.schema.alterTable("synced_records").addColumn("fields_sealed", "text").execute();
  } else {
    await db.transaction().execute(async (trx) => {
      await sql`create table synced_records_0008 (
        integration_id text not null references integrations (id) on delete cascade,
        model text not null,
        remote_id text not null,
        data text,
        fields_sealed text,
        synced_at text not null,
        constraint synced_records_pk primary key (integration_id, model, remote_id)
      )`.execute(trx);
      await sql`insert into synced_records_0008 (integration_id, model, remote_id, data, synced_at)
        select integration_id, model, remote_id, data, synced_at from synced_records`.execute(trx);
      await sql`drop table synced_records`.execute(trx);
      await sql`alter table synced_records_0008 rename to synced_records`.execute(trx);
    });
  }
  await db.schema
    .createIndex("synced_records_plain")
    .on("synced_records")
    .columns(["integration_id", "model", "remote_id"])
    .where(sql<boolean>`${sql.raw("fields_sealed is null")}`)
    .execute();
}

export async function down(db: Db): Promise<void> {
  // Sealed rows cannot be opened here (no key): they go; the next sync stores them again.
  await db.schema.dropIndex("synced_records_plain").ifExists().execute();
  await db.deleteFrom("synced_records").where("fields_sealed", "is not", null).execute();
  await db.schema.alterTable("synced_records").dropColumn("fields_sealed").execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table synced_records alter column data set not null`.execute(db);
  }
}
