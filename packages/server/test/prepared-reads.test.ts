import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type RelinkDatabase } from "../src/db/connect.ts";
import { type PreparedParam, prepared } from "../src/db/prepared.ts";
import { toJson } from "../src/db/schema.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

const workspaceById = prepared((db, id: PreparedParam) =>
  db.selectFrom("workspaces").selectAll().where("id", "=", id),
);

const workspace = (id: string, name: string) => ({
  id,
  name,
  allowed_origins: toJson(["https://app.example"]),
  created_at: "2026-01-01T00:00:00.000Z",
  brand_product_name: null,
  brand_logo_url: null,
  brand_accent_color: null,
});

describe.each(availableDialects())("prepared reads on %s", (dialect) => {
  let database: RelinkDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await migrateToLatest(database.db);
    await database.db.insertInto("workspaces").values(workspace("ws_prepared0001", "Acme")).execute();
  });
  afterAll(() => database?.close());

  it("return the rows the query builder returns (JSON columns parsed)", async () => {
    const built = await database.db
      .selectFrom("workspaces")
      .selectAll()
      .where("id", "=", "ws_prepared0001")
      .execute();
    const rows = await workspaceById(database.db, "ws_prepared0001");
    expect(rows).toEqual(built);
    expect(rows[0]?.allowed_origins).toEqual(["https://app.example"]);
    expect(await workspaceById(database.db, "ws_missing")).toEqual([]);
  });

  it("never see the writes of a transaction that has not committed, and see them once it has", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written: () => void = () => {};
    const insertedInTransaction = new Promise<void>((resolve) => {
      written = resolve;
    });
    const transaction = database.db.transaction().execute(async (trx) => {
      await trx.insertInto("workspaces").values(workspace("ws_prepared0002", "Uncommitted")).execute();
      written();
      await held;
    });
    await insertedInTransaction;
    // Started while the transaction is open: never answered with its uncommitted row. SQLite has
    // one connection: the read waits for the transaction's end, then sees the committed row.
    // (PostgreSQL answers from another connection: before or after the commit, as it comes.)
    let answeredDuring = false;
    const during = workspaceById(database.db, "ws_prepared0002").then((rows) => {
      answeredDuring = true;
      return rows;
    });
    await new Promise((resolve) => setImmediate(resolve));
    if (dialect === "sqlite") expect(answeredDuring).toBe(false);
    release();
    await transaction;
    if (dialect === "sqlite") expect(await during).toHaveLength(1);
    else await during;
    expect(await workspaceById(database.db, "ws_prepared0002")).toHaveLength(1);
  });
});
