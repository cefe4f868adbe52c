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

/**
 * The texts of the statements built here, by shape: built once, and the same string each time (the
 * prepared-statement cache hashes it once). Bounded, in case a caller's texts are not a few shapes.
 */
const texts = new Map<string, string>();
/** Texts with `?` placeholders → the same numbered for PostgreSQL (keyed by the text itself). */
const numbered = new Map<string, string>();
const TEXTS_MAX = 1_000;

function remember(map: Map<string, string>, key: string, build: () => string): string {
  let text = map.get(key);
  if (text === undefined) {
    if (map.size >= TEXTS_MAX) map.clear();
    text = build();
    map.set(key, text);
  }
  return text;
}

export const memoText = (key: string, build: () => string): string => remember(texts, key, build);

/** Runs SQL written with `?` placeholders (numbered for PostgreSQL): no query building on the hot path. */
export async function raw<R>(
  tx: Tx,
  dialect: Dialect,
  text: string,
  params: readonly unknown[],
): Promise<R[]> {
  const sqlText =
    dialect === "postgres"
      ? remember(numbered, text, () => {
          let n = 0;
          return text.replace(/\?/g, () => `$${++n}`);
        })
      : text;
  return (await tx.db.executeQuery<R>(CompiledQuery.raw(sqlText, [...params]))).rows;
}

export const marks = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;

/** `n` tuples of `tuple`, comma-separated: the `values` of a multi-row statement. */
export const tuples = (tuple: string, n: number) => Array.from({ length: n }, () => tuple).join(", ");

/** The rows' values one after the other, as a multi-row statement binds them. */
export function flatValues(rows: readonly (readonly unknown[])[]): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (const value of row) out.push(value);
  return out;
}

/** One multi-row `INSERT` per chunk; `rows` hold the values in the order of `columns`. */
export async function insertRows(
  tx: Tx,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  for (const chunk of chunks(rows)) {
    const text = memoText(
      `insert\u0000${table}\u0000${columns.join(",")}\u0000${chunk.length}`,
      () =>
        `insert into ${table} (${columns.join(", ")}) values ${tuples(marks(columns.length), chunk.length)}`,
    );
    await raw(tx, dialect, text, flatValues(chunk));
  }
}
