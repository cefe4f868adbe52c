import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchedWrites } from "../src/db/batched-writes.ts";
import { migrateToLatest, type RelinkDatabase } from "../src/db/connect.ts";
import { type Database, toJson } from "../src/db/schema.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

const workspace = (id: string) => ({
  id,
  name: `Workspace ${id}`,
  allowed_origins: toJson([]),
  created_at: "2026-01-01T00:00:00.000Z",
  brand_product_name: null,
  brand_logo_url: null,
  brand_accent_color: null,
});

describe("batched writes (group commit)", () => {
  const db = {} as Kysely<Database>;

  it("gives the writes asked for in one turn of the event loop to one call, in batches of powers of two", async () => {
    const calls: string[][] = [];
    const write = batchedWrites<string>(async (_db, items) => {
      calls.push(items);
    }, 4);
    await Promise.all(["a", "b", "c", "d", "e", "f", "g"].map((item) => write(db, item)));
    expect(calls).toEqual([["a", "b", "c", "d"], ["e", "f"], ["g"]]);
    // A write asked for once those are written waits for no one.
    await write(db, "h");
    expect(calls.at(-1)).toEqual(["h"]);
  });

  it("answers no caller before its batch is written", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const writing = new Promise<void>((resolve) => {
      started = resolve;
    });
    const write = batchedWrites<number>(() => {
      started();
      return held;
    });
    let answered = 0;
    const writes = [1, 2, 3].map((item) => write(db, item).then(() => answered++));
    // The batch is being written (its write called), and held: nobody is answered yet.
    await writing;
    await Promise.resolve();
    expect(answered).toBe(0);
    release();
    await Promise.all(writes);
    expect(answered).toBe(3);
  });

  it("rejects every caller of a write that throws before it returns a promise (none left waiting)", async () => {
    const write = batchedWrites<number>(() => {
      throw new Error("no connection");
    });
    const results = await Promise.allSettled([1, 2, 3].map((item) => write(db, item)));
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : r.status))).toEqual(
      Array(3).fill("Error: no connection"),
    );
  });
});

describe.each(availableDialects())("batched writes on %s", (dialect) => {
  let database: RelinkDatabase;
  const insertWorkspaces = batchedWrites<string>((db, ids) =>
    db.insertInto("workspaces").values(ids.map(workspace)).execute(),
  );
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await migrateToLatest(database.db);
    await database.db.insertInto("workspaces").values(workspace("ws_taken")).execute();
  });
  afterAll(() => database?.close());

  const stored = async (ids: string[]) =>
    (
      await database.db.selectFrom("workspaces").select("id").where("id", "in", ids).orderBy("id").execute()
    ).map((r) => r.id);

  it("writes every row of a batch, each caller answered once its row is committed", async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `ws_batch${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id) => insertWorkspaces(database.db, id)));
    expect(await stored(ids)).toEqual(ids);
  });

  it("fails only the caller whose row fails (a duplicate key), and writes the others of its batch", async () => {
    const ids = ["ws_alone1", "ws_taken", "ws_alone2", "ws_alone3"];
    const results = await Promise.allSettled(ids.map((id) => insertWorkspaces(database.db, id)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect(await stored(["ws_alone1", "ws_alone2", "ws_alone3"])).toEqual([
      "ws_alone1",
      "ws_alone2",
      "ws_alone3",
    ]);
    expect(await stored(["ws_taken"])).toEqual(["ws_taken"]);
  });
});
