import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, migrateToLatest, type RelinkDatabase } from "../../src/db/connect.ts";

/**
 * SQLite rows are built from better-sqlite3's arrays by a function made per statement (the hot path
 * of the scheduler reads and returns thousands of rows per batch): the same objects as before.
 */
describe("rows read from SQLite", () => {
  let database: RelinkDatabase;
  beforeAll(async () => {
    database = createDatabase("sqlite::memory:");
    await migrateToLatest(database.db);
  });
  afterAll(() => database.close());

  const rows = async (text: string) =>
    (await database.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text))).rows;

  it("converts booleans and JSON columns by name, and leaves other values as they are", async () => {
    expect(
      await rows(
        `select 1 as enabled, 0 as is_default, null as event_types, '["a",{"b":1}]' as data, '{"x":1}' as models, '[1]' as other, 2.5 as n, x'00ff' as bytes`,
      ),
    ).toEqual([
      {
        enabled: true,
        is_default: false,
        event_types: null,
        data: ["a", { b: 1 }],
        models: { x: 1 },
        other: "[1]",
        n: 2.5,
        bytes: Buffer.from([0, 255]),
      },
    ]);
  });

  it("keeps the last of two columns of the same name, and a column named __proto__ as a property", async () => {
    expect(await rows("select 1 as a, 2 as b, 3 as a")).toEqual([{ a: 3, b: 2 }]);
    const [row] = await rows(`select 'x' as "__proto__", '[2]' as data`);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row ?? {})).toEqual(["__proto__", "data"]);
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe("x");
    expect(row?.data).toEqual([2]);
  });

  it("answers statements without rows, and streams rows one by one", async () => {
    const insert = await database.db.executeQuery(
      CompiledQuery.raw(
        "insert into workspaces (id, name, allowed_origins, created_at) values (?, ?, ?, ?)",
        ["ws_1", "One", '["https://a.example"]', "2026-01-01T00:00:00.000Z"],
      ),
    );
    expect(insert.numAffectedRows).toBe(1n);
    const streamed = [];
    for await (const row of database.db.selectFrom("workspaces").select(["id", "allowed_origins"]).stream())
      streamed.push(row);
    expect(streamed).toEqual([{ id: "ws_1", allowed_origins: ["https://a.example"] }]);
  });
});
