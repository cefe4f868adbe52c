import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  Kysely,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresDialect,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  SqliteDialect,
  sql,
  type UnknownRow,
  type ValueNode,
} from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import { type CheckpointerOptions, startCheckpointer } from "./checkpointer.ts";
import { migrationProvider } from "./migrations/index.ts";
import { BOOLEAN_COLUMNS, type Database, JSON_COLUMNS } from "./schema.ts";

export type Dialect = "sqlite" | "postgres";

export interface RelinkDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** SQLite: the database file's absolute path (none in memory). */
  file?: string;
  close(): Promise<void>;
  /** PostgreSQL: a new client outside the pool, same settings (the webhook dispatcher's LISTEN connection). */
  newClient?: () => pg.Client;
}

export interface DatabaseOptions {
  /** PostgreSQL: the pool's size (default 10). */
  poolSize?: number;
  /** SQLite in a file: the WAL checkpoints' thread (`db/checkpointer.ts`), or `false` for none. */
  checkpointer?: CheckpointerOptions | false;
}

/**
 * Opens the database named by a `DATABASE_URL` (`sqlite:<path>`, `sqlite::memory:`,
 * `postgres://…`). Both dialects read back the same values: ISO timestamps, booleans, parsed JSON.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): RelinkDatabase {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: { getTypeParser: pgTypeParser },
    });
    // An idle client losing its connection (a database restart) must not crash the process.
    pool.on("error", () => {});
    // So must a checked-out one (inside a transaction, between two queries): the pool listens only
    // to idle clients, and an unheard `error` event kills the process. The query in flight, if any,
    // still fails, and the pool drops the broken client when it is released.
    pool.on("connect", (client) => client.on("error", () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const newClient = () =>
      new pg.Client({ connectionString: url, keepAlive: true, types: { getTypeParser: pgTypeParser } });
    return { db, dialect: "postgres", close: () => db.destroy(), newClient };
  }
  if (!url.startsWith("sqlite:")) throw new TypeError(`unsupported database URL: ${redactUrl(url)}`);
  const path = url.slice("sqlite:".length);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("temp_store = memory");
  sqlite.pragma("cache_size = -16384"); // 16 MiB of page cache (the default is 2 MiB)
  // A checkpoint (the WAL copied into the database file, then both synced) every 16,384 pages (64 MiB)
  // of WAL rather than every 1,000: a page that many transactions rewrite in between (a table's last
  // page, an index page shared by many rows) is copied once, and the syncs are rarer. The WAL file is
  // cut back to 128 MiB after a checkpoint if a large transaction made it grow beyond.
  sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT}`);
  sqlite.pragma("journal_size_limit = 134217728");
  const statements = cachingStatements(sqlite);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: statements }),
    plugins: [new SqliteValuesPlugin()],
  });
  // `db.executeQuery` of a compiled read (the hot reads of `prepared`), outside a transaction: at
  // once on the connection, the rows Kysely would return (the same cached statement and row
  // builder; `SqliteValuesPlugin` returns results unchanged), without the executor's promises,
  // connection mutex and result plugins, which cost more than SQLite's own lookup. Inside a
  // transaction (held by some request across its awaits) the connection would see that
  // transaction's uncommitted writes: such a read waits for it through Kysely, as does a read on a
  // connection a streamed query is iterating, a cancellable one and anything not a read. Query
  // builders and transactions run through Kysely's executor, not through this method.
  const throughKysely = db.executeQuery.bind(db);
  db.executeQuery = ((query, options) => {
    if (options === undefined && !sqlite.inTransaction && "sql" in query) {
      const rows = readNow(statements, query.sql, query.parameters);
      if (rows !== undefined) return Promise.resolve({ rows });
    }
    return throughKysely(query, options);
  }) as typeof db.executeQuery;
  const checkpointer =
    path === ":memory:" || options.checkpointer === false
      ? null
      : startCheckpointer(path, {
          // While the thread copies the WAL, the connection's own checkpoint is only what starts the
          // WAL over: four times rarer, so the event loop waits for its syncs four times less often
          // (sampled at 1M integrations, those syncs were most of the time it spent blocked).
          onRunning: (running) => {
            if (sqlite.open)
              sqlite.pragma(`wal_autocheckpoint = ${running ? 4 * AUTOCHECKPOINT : AUTOCHECKPOINT}`);
          },
          ...options.checkpointer,
        });
  return {
    db,
    dialect: "sqlite",
    ...(path === ":memory:" ? {} : { file: resolve(path) }),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** WAL pages (4 KiB) after which a commit checkpoints: 64 MiB (see `createDatabase`). */
const AUTOCHECKPOINT = 16_384;

/** Prepared statements kept per SQLite connection, by SQL text (least recently used go first). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely's SQLite driver sees it, with its prepared statements reused: the driver
 * prepares every query anew, and preparing (parsing, planning) is a good part of a small query's cost.
 * A statement is reused only when no iteration of it is in progress (streamed queries).
 */
function cachingStatements(sqlite: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(sqlText: string): SqliteStatement {
      let stmt = cache.get(sqlText);
      if (stmt && !stmt.busy) {
        cache.delete(sqlText); // re-inserted below: most recently used last
      } else {
        stmt = new SqliteStatement(sqlite.prepare(sqlText));
        if (cache.size >= STATEMENT_CACHE_SIZE) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(sqlText, stmt);
      return stmt;
    },
  };
}

type Row = Record<string, unknown>;

/**
 * A prepared statement as Kysely's SQLite driver uses it. Its rows come from better-sqlite3 as
 * arrays and are built here by a function made once per statement, with the values converted to
 * the PostgreSQL conventions (booleans, parsed JSON): an object literal of known keys costs a
 * fraction of better-sqlite3 setting each column of each row through the V8 API.
 */
class SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: SqliteDatabase.Statement;
  readonly #build: (values: unknown[]) => Row;

  constructor(stmt: SqliteDatabase.Statement) {
    this.#stmt = stmt;
    this.reader = stmt.reader;
    this.#build = stmt.reader ? rowBuilder(stmt.raw(true).columns()) : () => ({});
  }

  get busy(): boolean {
    return this.#stmt.busy;
  }

  run(parameters: readonly unknown[]) {
    return this.#stmt.run(parameters);
  }

  all(parameters: readonly unknown[]): Row[] {
    const rows = this.#stmt.all(parameters) as unknown[];
    const build = this.#build;
    for (let i = 0; i < rows.length; i++) rows[i] = build(rows[i] as unknown[]);
    return rows as Row[];
  }

  *iterate(parameters: readonly unknown[]): IterableIterator<Row> {
    for (const values of this.#stmt.iterate(parameters)) yield this.#build(values as unknown[]);
  }
}

/** A read on the connection now, or `undefined` when it must go through Kysely (see above). */
function readNow(
  statements: ReturnType<typeof cachingStatements>,
  sqlText: string,
  parameters: readonly unknown[],
): Row[] | undefined {
  const stmt = statements.prepare(sqlText);
  if (!stmt.reader) return undefined;
  try {
    return stmt.all(parameters);
  } catch (error) {
    // A streamed query is iterating on the connection: wait for it through Kysely.
    if (error instanceof TypeError && /busy/i.test(error.message)) return undefined;
    throw error;
  }
}

/** Booleans (SQLite stores 0/1) and JSON columns (stored as text), as PostgreSQL returns them. */
const sqliteValue = (column: string, value: string) =>
  JSON_COLUMNS.has(column)
    ? `typeof ${value} === "string" ? JSON.parse(${value}) : ${value}`
    : BOOLEAN_COLUMNS.has(column)
      ? `typeof ${value} === "number" ? ${value} !== 0 : ${value}`
      : value;

/** The function turning a statement's row (its values in column order) into an object. */
function rowBuilder(columns: ReadonlyArray<{ name: string }>): (values: unknown[]) => Row {
  const names = columns.map((c) => c.name);
  if (names.includes("__proto__")) {
    // Not an object literal's key (it would set the prototype): plain own properties, one by one.
    const convert = names.map((name) => new Function("v", `return ${sqliteValue(name, "v")};`));
    return (values) => {
      const row: Row = {};
      names.forEach((name, i) => {
        Object.defineProperty(row, name, {
          value: convert[i]?.(values[i]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return row;
    };
  }
  // A later column of the same name wins, as when better-sqlite3 builds the object itself.
  const fields = names.map((name, i) => `${JSON.stringify(name)}: ${sqliteValue(name, `v[${i}]`)}`);
  return new Function("v", `return { ${fields.join(", ")} };`) as (values: unknown[]) => Row;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_TIMESTAMPTZ = 1184;

function pgTypeParser(oid: number, format?: unknown) {
  if (oid === PG_INT8 || oid === PG_NUMERIC) return (value: string) => Number(value);
  if (oid === PG_TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
  return pg.types.getTypeParser(oid, format as "text");
}

class SqliteBooleanTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const out = super.transformValue(node);
    return typeof out.value === "boolean" ? { ...out, value: out.value ? 1 : 0 } : out;
  }
  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    const out = super.transformPrimitiveValueList(node);
    return { ...out, values: out.values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v)) };
  }
}

/**
 * Gives SQLite the value conventions PostgreSQL has natively: booleans written as 0/1 here, read
 * back as booleans (and JSON columns parsed) by `SqliteStatement`.
 */
class SqliteValuesPlugin implements KyselyPlugin {
  readonly #transformer = new SqliteBooleanTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** Applies every pending migration; safe to call from several replicas at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** The URL with any password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}

/** Whether the database answers a query (readiness). Throws when it does not. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
