import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** A parameter of a prepared query: the hot reads look rows up by ids, hashes and the like. */
export type PreparedParam = string | null;

interface Template<Row> {
  query: CompiledQuery<Row>;
  /** For each compiled parameter: the index of the caller's parameter, or -1 for a literal of the query. */
  slots: number[];
}

const placeholder = (index: number) => `\u0000relink-prepared-parameter-${index}\u0000`;

/**
 * A query that Kysely builds, transforms (plugins) and compiles once per database and dialect,
 * then runs with new parameters: on the hot read paths (API key, signing key, a row by id),
 * building and compiling cost more than SQLite's own lookup. Results still pass through the
 * database's plugins, so rows read the same as with the query builder.
 *
 * `build` receives placeholders for the parameters: it must pass each one to the query unchanged,
 * as a value (not a table or column name), once or more. A transaction is another database object:
 * it compiles its own template (once per transaction).
 *
 * @example
 * ```ts
 * const byHash = prepared((db, hash: PreparedParam) =>
 *   db.selectFrom("api_keys").select(["id"]).where("key_hash", "=", hash).limit(1),
 * );
 * const rows = await byHash(ctx.db, hashToken(key));
 * ```
 */
export function prepared<Params extends PreparedParam[], Row>(
  build: (db: Kysely<Database>, ...params: Params) => Compilable<Row>,
): (db: Kysely<Database>, ...params: Params) => Promise<Row[]> {
  const templates = new WeakMap<Kysely<Database>, Template<Row>>();
  return async (db, ...params) => {
    let template = templates.get(db);
    if (!template) {
      template = compileTemplate(db, build, params.length);
      templates.set(db, template);
    }
    const { query, slots } = template;
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      parameters[i] = slot < 0 ? query.parameters[i] : params[slot];
    }
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}

function compileTemplate<Params extends PreparedParam[], Row>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, ...params: Params) => Compilable<Row>,
  count: number,
): Template<Row> {
  const placeholders = Array.from({ length: count }, (_, i) => placeholder(i)) as Params;
  const query = build(db, ...placeholders).compile();
  const slots = query.parameters.map((value) =>
    typeof value === "string" ? placeholders.indexOf(value as PreparedParam) : -1,
  );
  for (let i = 0; i < count; i++) {
    if (!slots.includes(i))
      throw new Error(`prepared query: parameter ${i} is not a value of the query (${query.sql})`);
  }
  query.parameters.forEach((value, i) => {
    if (slots[i] === -1 && typeof value === "string" && value.includes("relink-prepared-parameter")) {
      throw new Error(`prepared query: a parameter was altered while compiling (${query.sql})`);
    }
  });
  return { query, slots };
}
