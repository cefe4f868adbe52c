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

/**
 * Inserts rows (their values in the order of `columns`), with `returning` columns if asked. SQLite:
 * one multi-row `INSERT` per chunk (a prepared statement per shape, in process). PostgreSQL: ONE
 * statement whatever the number of rows, each column bound as one array (`unnest`): every
 * statement is a round trip to the server, and a short text of a few parameters is parsed and
 * planned in a fraction of the time a `VALUES` list of thousands takes.
 */
export async function insertRows<R = unknown>(
  tx: Tx,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  returning?: string,
): Promise<R[]> {
  if (rows.length === 0) return [];
  const tail = returning ? ` returning ${returning}` : "";
  if (dialect === "postgres") {
    const types = await columnTypes(tx, table);
    const typeOf = (column: string) => {
      const type = types.get(column);
      if (!type) throw new Error(`no column ${column} in table ${table}`);
      return type;
    };
    const text = memoText(
      `insert-unnest\u0000${table}\u0000${columns.join(",")}\u0000${tail}`,
      () =>
        `insert into ${table} (${columns.join(", ")}) select * from unnest(${columns
          .map((column) => `cast(? as ${typeOf(column)}[])`)
          .join(", ")})${tail}`,
    );
    return raw<R>(tx, dialect, text, columnArrays(rows, columns.map(typeOf)));
  }
  const out: R[] = [];
  for (const chunk of chunks(rows)) {
    const text = memoText(
      `insert\u0000${table}\u0000${columns.join(",")}\u0000${chunk.length}\u0000${tail}`,
      () =>
        `insert into ${table} (${columns.join(", ")}) values ${tuples(marks(columns.length), chunk.length)}${tail}`,
    );
    const inserted = await raw<R>(tx, dialect, text, flatValues(chunk));
    for (const row of inserted) out.push(row);
  }
  return out;
}

/**
 * PostgreSQL: the rows' values as one array per column (for `unnest(cast(? as <type>[]), …)`);
 * a JSON column's value is its JSON text (a value not yet serialised is serialised here).
 */
export function columnArrays(rows: readonly (readonly unknown[])[], types: readonly string[]): unknown[][] {
  return types.map((type, i) => {
    const json = type === "jsonb" || type === "json";
    return rows.map((row) => {
      const value = row[i];
      return json && value != null && typeof value !== "string" ? JSON.stringify(value) : (value ?? null);
    });
  });
}

/** PostgreSQL: each column's type (`format_type`) of a table, read from the catalog once per process. */
const typesByTable = new Map<string, Promise<ReadonlyMap<string, string>>>();

export function columnTypes(tx: Tx, table: string): Promise<ReadonlyMap<string, string>> {
  let types = typesByTable.get(table);
  if (!types) {
    types = raw<{ name: string; type: string }>(
      tx,
      "postgres",
      "select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = cast(? as regclass) and attnum > 0 and not attisdropped",
      [table],
    ).then((rows) => new Map(rows.map((r) => [r.name, r.type])));
    typesByTable.set(table, types);
    types.catch(() => typesByTable.delete(table));
  }
  return types;
}
