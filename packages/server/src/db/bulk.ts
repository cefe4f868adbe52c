import { CompiledQuery } from "kysely";
import type { Tx } from "../context.ts";
import type { Dialect } from "./connect.ts";

/** Multi-row statements for hot paths (the scheduler's batches, the outbox): plain SQL, few shapes. */

/**
 * Splits a list into runs of power-of-two lengths (at most `max`): multi-row statements then come
 * in a few shapes only, and their prepared statements are reused.
 */
export function chunks<T>(list: readonly T[], max = 256): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < list.length) {
    let size = max;
    while (size > list.length - i) size >>= 1;
    out.push(list.slice(i, i + size));
    i += size;
  }
  return out;
}

/** Runs SQL written with `?` placeholders (numbered for PostgreSQL): no query building on the hot path. */
export async function raw<R>(
  tx: Tx,
  dialect: Dialect,
  text: string,
  params: readonly unknown[],
): Promise<R[]> {
  let n = 0;
  const sqlText = dialect === "postgres" ? text.replace(/\?/g, () => `$${++n}`) : text;
  return (await tx.db.executeQuery<R>(CompiledQuery.raw(sqlText, [...params]))).rows;
}

export const marks = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;

/** One multi-row `INSERT` per chunk; `rows` hold the values in the order of `columns`. */
export async function insertRows(
  tx: Tx,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  const tuple = marks(columns.length);
  for (const chunk of chunks(rows)) {
    await raw(
      tx,
      dialect,
      `insert into ${table} (${columns.join(", ")}) values ${chunk.map(() => tuple).join(", ")}`,
      chunk.flat(),
    );
  }
}
