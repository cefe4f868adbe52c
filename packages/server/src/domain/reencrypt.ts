import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { SecretBox } from "../secrets.ts";
import { reencryptRecords } from "./records.ts";

/**
 * Every sealed column, with the associated data it was sealed with. Kept beside the code that
 * seals them (integrations, signing keys, webhook endpoints, OAuth states): a column added there
 * must be added here, or rotation would leave it on the old key. Synced records (a composite key,
 * and many rows) have their own pass: `reencryptRecords` in `records.ts`.
 */
const SEALED_COLUMNS = [
  { table: "integrations", key: "id", column: "credentials_sealed", aad: (id: string) => id },
  { table: "signing_keys", key: "id", column: "secret_sealed", aad: (id: string) => `signing_key:${id}` },
  {
    table: "webhook_endpoints",
    key: "id",
    column: "secret_sealed",
    aad: (id: string) => `webhook-endpoint:${id}`,
  },
  {
    table: "webhook_endpoints",
    key: "id",
    column: "previous_secret_sealed",
    aad: (id: string) => `webhook-endpoint:${id}`,
  },
  {
    table: "oauth_states",
    key: "state",
    column: "code_verifier_sealed",
    aad: (id: string) => `oauth_state:${id}`,
  },
  {
    table: "oauth_states",
    key: "state",
    column: "flow_token_sealed",
    aad: (id: string) => `oauth_state:${id}`,
  },
] as const;

export interface ReencryptReport {
  /** Values moved to the current key, per `table.column`. */
  resealed: Record<string, number>;
  /** Values no configured key opens (listed by row key; left untouched). */
  failed: Array<{ column: string; key: string; reason: string }>;
}

/**
 * Moves every sealed value to the current key, in small batches, while the server keeps serving
 * (it opens old and new keys alike during the rotation). Each row is updated only if its sealed
 * value is still the one read, so a concurrent relink or secret rotation is never overwritten.
 */
export async function reencryptAll(
  deps: { db: Kysely<Database>; secrets: SecretBox },
  options: { batchSize?: number; onBatch?: (column: string, count: number) => void } = {},
): Promise<ReencryptReport> {
  const batchSize = options.batchSize ?? 200;
  // Dynamic table and column names: the list above is the typed contract.
  // biome-ignore lint/suspicious/noExplicitAny: iterating over several tables' sealed columns
  const db = deps.db as Kysely<any>;
  const report: ReencryptReport = { resealed: {}, failed: [] };
  const current = `v1.${deps.secrets.keyId}.`;
  for (const { table, key, column, aad } of SEALED_COLUMNS) {
    const name = `${table}.${column}`;
    report.resealed[name] = 0;
    let after = "";
    for (let batches = 0; batches < 1_000_000; batches++) {
      const rows: Array<Record<string, string>> = await db
        .selectFrom(table)
        .select([key, column])
        .where(key, ">", after)
        .where(column, "is not", null)
        .where(column, "not like", `${current}%`)
        .orderBy(key)
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      let moved = 0;
      for (const row of rows) {
        const id = row[key] as string;
        const sealed = row[column] as string;
        let resealed: string;
        try {
          resealed = deps.secrets.seal(deps.secrets.open(sealed, aad(id)), aad(id));
        } catch (error) {
          report.failed.push({ column: name, key: id, reason: (error as Error).message });
          continue;
        }
        const result = await db
          .updateTable(table)
          .set({ [column]: resealed })
          .where(key, "=", id)
          .where(column, "=", sealed)
          .executeTakeFirst();
        moved += Number(result.numUpdatedRows);
      }
      report.resealed[name] += moved;
      options.onBatch?.(name, moved);
      after = rows[rows.length - 1]?.[key] as string;
    }
  }
  const records = "synced_records.fields_sealed";
  const moved = await reencryptRecords(deps, {
    batchSize,
    onBatch: (count) => options.onBatch?.(records, count),
  });
  report.resealed[records] = moved.resealed;
  for (const failure of moved.failed) report.failed.push({ column: records, ...failure });
  return report;
}
