import { type Kysely, sql } from "kysely";
import type { SyncModelRequest, SyncResult } from "../connectors/types.ts";
import type { RelinkContext, Tx } from "../context.ts";
import { chunks, insertRows, marks, memoText, raw } from "../db/bulk.ts";
import type { Dialect } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import type { SecretBox } from "../secrets.ts";

/**
 * Synced records at rest. A record's fields are sealed as ONE JSON object with the server's
 * encryption key (`SecretBox`, AES-256-GCM, like credentials), bound to the row that holds them
 * (integration, model, remote id as associated data: a sealed value moved to another row or
 * integration does not open). Only what identifies a record stays in clear: integration id,
 * model, remote id and `synced_at`. Every writer seals through `sealSyncRecords` (or `sealFields`),
 * every reader opens through `openFields`; key rotation re-seals them (`reencryptRecords`).
 */

/** The associated data a record's fields are sealed with. NUL never occurs in the parts (ids, model names). */
export const recordAad = (integrationId: string, model: string, remoteId: string): string =>
  `synced_record\u0000${integrationId}\u0000${model}\u0000${remoteId}`;

export function sealFields(
  secrets: SecretBox,
  integrationId: string,
  model: string,
  remoteId: string,
  fields: Record<string, unknown>,
): string {
  return secrets.seal(JSON.stringify(fields), recordAad(integrationId, model, remoteId));
}

/** A stored record's fields: opened, or (a row written before migration 0008, not yet sealed) as stored. */
export function openFields(
  secrets: SecretBox,
  row: {
    integration_id: string;
    model: string;
    remote_id: string;
    fields_sealed: string | null;
    data?: Record<string, unknown> | null;
  },
): Record<string, unknown> {
  if (row.fields_sealed === null) return row.data ?? {};
  return secrets.openJson(row.fields_sealed, recordAad(row.integration_id, row.model, row.remote_id));
}

/**
 * A stored record's fields as JSON text: the opened plaintext itself (`sealFields` sealed
 * `JSON.stringify` of the fields, so it is that text exactly), or a row written before migration
 * 0008, not yet sealed, stringified. The records page splices it into its document as it is.
 */
export function openFieldsText(
  secrets: SecretBox,
  row: { fields_sealed: string | null; data?: Record<string, unknown> | null },
  integrationId: string,
  model: string,
  remoteId: string,
): string {
  if (row.fields_sealed === null) return JSON.stringify(row.data ?? {});
  return secrets.open(row.fields_sealed, recordAad(integrationId, model, remoteId));
}

/** A sync's records, sealed and ready to store: `[model, remote id, sealed fields]` per record. */
export interface SealedRecords {
  /** Records per model, as the connector returned them (for the run's `records`). */
  counts: Record<string, number>;
  rows: Array<readonly [string, string, string]>;
}

/**
 * Seals what a sync read, outside any transaction (the writer's transaction only inserts): one
 * seal per record. Keeps only the models and fields the sync asked for (a connector returning
 * more stores none of it) and the first record of each remote id.
 */
export function sealSyncRecords(
  secrets: SecretBox,
  integrationId: string,
  records: SyncResult["records"],
  requested: readonly SyncModelRequest[],
): SealedRecords {
  const counts: Record<string, number> = {};
  const rows: Array<readonly [string, string, string]> = [];
  const asked = new Map(requested.map((r) => [r.model, new Set(r.fields)]));
  for (const [model, list] of Object.entries(records)) {
    const fields = asked.get(model);
    if (!fields) continue;
    counts[model] = list.length;
    const seen = new Set<string>();
    for (const record of list) {
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      rows.push([
        model,
        record.id,
        sealFields(secrets, integrationId, model, record.id, only(record.data, fields)),
      ]);
    }
  }
  return { counts, rows };
}

/** `data` with only the `allowed` keys (the same object when it has no other: the usual case). */
function only(data: Record<string, unknown>, allowed: ReadonlySet<string>): Record<string, unknown> {
  for (const key in data) {
    if (!allowed.has(key)) {
      return Object.fromEntries(Object.entries(data).filter(([k]) => allowed.has(k)));
    }
  }
  return data;
}

const RECORD_COLUMNS = ["integration_id", "model", "remote_id", "fields_sealed", "synced_at"] as const;

/** Each integration's stored records become exactly those of its sync (models no longer read go too). */
export async function replaceRecords(
  tx: Tx,
  dialect: Dialect,
  batch: ReadonlyArray<{ id: string; records: SealedRecords }>,
  at: string,
): Promise<void> {
  if (batch.length === 0) return;
  const ids = batch.map((b) => b.id);
  if (dialect === "postgres") {
    // One statement (the ids as one array): every statement is a round trip to the server.
    await raw(tx, dialect, "delete from synced_records where integration_id = any(cast(? as text[]))", [ids]);
  } else {
    for (const chunk of chunks(ids)) {
      await raw(
        tx,
        dialect,
        memoText(
          `records-delete\u0000${chunk.length}`,
          () => `delete from synced_records where integration_id in ${marks(chunk.length)}`,
        ),
        chunk,
      );
    }
  }
  const rows: unknown[][] = [];
  for (const { id, records } of batch) {
    for (const [model, remoteId, sealed] of records.rows) rows.push([id, model, remoteId, sealed, at]);
  }
  await insertRows(tx, dialect, "synced_records", RECORD_COLUMNS, rows);
}

export interface StoredRecord {
  model: string;
  remote_id: string;
  fields: Record<string, unknown>;
  synced_at: string;
}

/** An integration's stored records (of one model, or all), opened, in (model, remote id) order. */
export async function readRecords(
  ctx: Pick<RelinkContext, "db" | "secrets">,
  integrationId: string,
  model?: string,
): Promise<StoredRecord[]> {
  let query = ctx.db
    .selectFrom("synced_records")
    .select(["integration_id", "model", "remote_id", "data", "fields_sealed", "synced_at"])
    .where("integration_id", "=", integrationId);
  if (model !== undefined) query = query.where("model", "=", model);
  const rows = await query.orderBy("model").orderBy("remote_id").execute();
  return rows.map((row) => ({
    model: row.model,
    remote_id: row.remote_id,
    fields: openFields(ctx.secrets, row),
    synced_at: row.synced_at,
  }));
}

/**
 * After a relink's scope swap, in its transaction: deletes the stored records of the models the
 * integration no longer reads, and the fields it no longer reads from the others (re-sealed
 * without them), so nothing outside the new scope stays stored until the next sync. `readable` is
 * what the next sync will read (`readableModels`: the scope's parts that the credentials grant and
 * the end user did not opt out of).
 */
export async function narrowRecords(
  tx: Tx,
  ctx: Pick<RelinkContext, "secrets">,
  integrationId: string,
  readable: ReadonlyArray<{ model: string; fields: readonly string[] }>,
  batchSize = 500,
): Promise<{ deleted: number; narrowed: number }> {
  const keep = new Map(readable.map((r) => [r.model, new Set(r.fields)]));
  let drop = tx.db.deleteFrom("synced_records").where("integration_id", "=", integrationId);
  if (keep.size > 0) drop = drop.where("model", "not in", [...keep.keys()]);
  const deleted = Number((await drop.executeTakeFirst()).numDeletedRows);
  let narrowed = 0;
  if (keep.size === 0) return { deleted, narrowed };
  let after: [string, string] = ["", ""];
  for (;;) {
    const rows = await tx.db
      .selectFrom("synced_records")
      .select(["integration_id", "model", "remote_id", "data", "fields_sealed"])
      .where("integration_id", "=", integrationId)
      .where((eb) => eb(eb.refTuple("model", "remote_id"), ">", eb.tuple(after[0], after[1])))
      .orderBy("model")
      .orderBy("remote_id")
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const fields = openFields(ctx.secrets, row);
      const allowed = keep.get(row.model) ?? new Set<string>();
      const kept = only(fields, allowed);
      if (kept === fields && row.fields_sealed !== null) continue;
      await tx.db
        .updateTable("synced_records")
        .set({
          fields_sealed: sealFields(ctx.secrets, integrationId, row.model, row.remote_id, kept),
          data: null,
        })
        .where("integration_id", "=", integrationId)
        .where("model", "=", row.model)
        .where("remote_id", "=", row.remote_id)
        .execute();
      narrowed++;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) break;
    after = [last.model, last.remote_id];
  }
  return { deleted, narrowed };
}

/**
 * Seals the records stored in plain text before migration 0008 (which could not: it has no key),
 * a batch per transaction, before the server's workers start. Safe beside other replicas doing
 * the same and beside syncs: a row is sealed only while it is still plain. Returns how many rows
 * were sealed. When some were, the storage is rewritten (SQLite: `VACUUM`, then the WAL emptied;
 * PostgreSQL: `VACUUM FULL synced_records`), so that the free pages and dead row versions that held
 * the plain values hold them no more: a one-time cost of the upgrade (see docs/security.md).
 */
export async function sealPlainRecords(
  ctx: Pick<RelinkContext, "db" | "dialect" | "secrets" | "log">,
  batchSize = 500,
): Promise<number> {
  let sealed = 0;
  for (;;) {
    const moved = await ctx.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("synced_records")
        .select(["integration_id", "model", "remote_id", "data"])
        .where("fields_sealed", "is", null)
        .orderBy("integration_id")
        .orderBy("model")
        .orderBy("remote_id")
        .limit(batchSize)
        .execute();
      for (const row of rows) {
        await trx
          .updateTable("synced_records")
          .set({
            fields_sealed: sealFields(
              ctx.secrets,
              row.integration_id,
              row.model,
              row.remote_id,
              row.data ?? {},
            ),
            data: null,
          })
          .where("integration_id", "=", row.integration_id)
          .where("model", "=", row.model)
          .where("remote_id", "=", row.remote_id)
          .where("fields_sealed", "is", null)
          .execute();
      }
      return rows.length;
    });
    sealed += moved;
    if (moved < batchSize) break;
  }
  if (sealed > 0) {
    ctx.log.info({ records: sealed }, "sealed the synced records stored in plain text by an older version");
    // The old plain versions of those rows are free space now, still in the files: rewrite them.
    if (ctx.dialect === "sqlite") {
      await sql`vacuum`.execute(ctx.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(ctx.db);
    } else {
      await sql`vacuum full synced_records`.execute(ctx.db);
    }
  }
  return sealed;
}

/**
 * Moves every sealed record to the current key, a batch per transaction (keyset order), while the
 * server keeps serving; a row is re-sealed only if its sealed value is still the one read, so a
 * sync replacing it meanwhile is never overwritten.
 */
export async function reencryptRecords(
  deps: { db: Kysely<Database>; secrets: SecretBox },
  options: { batchSize?: number; onBatch?: (count: number) => void } = {},
): Promise<{ resealed: number; failed: Array<{ key: string; reason: string }> }> {
  const batchSize = options.batchSize ?? 200;
  const current = `v1.${deps.secrets.keyId}.`;
  const failed: Array<{ key: string; reason: string }> = [];
  let resealed = 0;
  let after: [string, string, string] = ["", "", ""];
  for (;;) {
    const rows = await deps.db
      .selectFrom("synced_records")
      .select(["integration_id", "model", "remote_id", "fields_sealed"])
      .where((eb) =>
        eb(eb.refTuple("integration_id", "model", "remote_id"), ">", eb.tuple(after[0], after[1], after[2])),
      )
      .where("fields_sealed", "is not", null)
      .where("fields_sealed", "not like", `${current}%`)
      .orderBy("integration_id")
      .orderBy("model")
      .orderBy("remote_id")
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    const moved = await deps.db.transaction().execute(async (trx) => {
      let n = 0;
      for (const row of rows) {
        const old = row.fields_sealed as string;
        const aad = recordAad(row.integration_id, row.model, row.remote_id);
        let next: string;
        try {
          next = deps.secrets.seal(deps.secrets.open(old, aad), aad);
        } catch (error) {
          failed.push({
            key: `${row.integration_id}/${row.model}/${row.remote_id}`,
            reason: (error as Error).message,
          });
          continue;
        }
        const result = await trx
          .updateTable("synced_records")
          .set({ fields_sealed: next })
          .where("integration_id", "=", row.integration_id)
          .where("model", "=", row.model)
          .where("remote_id", "=", row.remote_id)
          .where("fields_sealed", "=", old)
          .executeTakeFirst();
        n += Number(result.numUpdatedRows);
      }
      return n;
    });
    resealed += moved;
    options.onBatch?.(moved);
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = [last.integration_id, last.model, last.remote_id];
  }
  return { resealed, failed };
}
