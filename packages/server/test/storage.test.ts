import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iso } from "../src/clock.ts";
import { migrateToLatest, type RelinkDatabase } from "../src/db/connect.ts";
import { toJson } from "../src/db/schema.ts";
import { newId } from "../src/ids.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

describe.each(availableDialects())("storage on %s", (dialect) => {
  let database: RelinkDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await migrateToLatest(database.db);
  });
  afterAll(() => database.close());

  it("migrates idempotently", async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it("reads timestamps, booleans and JSON back exactly as written", async () => {
    const { db } = database;
    const ws = newId("ws");
    const at = "2026-03-04T05:06:07.089Z";
    await db
      .insertInto("workspaces")
      .values({
        id: ws,
        name: "W",
        allowed_origins: toJson(["https://a.example", "http://localhost:3000"]),
        created_at: at,
      })
      .execute();
    const models = { employees: { setting: "ENABLED" as const, fields: { salary: "OPTIONAL" as const } } };
    for (const [id, isDefault] of [
      [newId("sc"), true],
      [newId("sc"), false],
    ] as const) {
      await db
        .insertInto("scope_configs")
        .values({
          id,
          workspace_id: ws,
          name: "S",
          category: isDefault ? "HRIS" : "OTHER",
          models: toJson(models),
          is_default: isDefault,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    const workspace = await db
      .selectFrom("workspaces")
      .selectAll()
      .where("id", "=", ws)
      .executeTakeFirstOrThrow();
    expect(workspace).toEqual({
      id: ws,
      name: "W",
      allowed_origins: ["https://a.example", "http://localhost:3000"],
      created_at: at,
      brand_product_name: null,
      brand_logo_url: null,
      brand_accent_color: null,
    });

    const configs = await db
      .selectFrom("scope_configs")
      .select(["is_default", "models", "created_at", "deleted_at"])
      .where("workspace_id", "=", ws)
      .orderBy("is_default", "desc")
      .execute();
    expect(configs).toEqual([
      { is_default: true, models, created_at: at, deleted_at: null },
      { is_default: false, models, created_at: at, deleted_at: null },
    ]);

    // Booleans and timestamps compare in SQL the same way on both dialects.
    const defaults = await db
      .selectFrom("scope_configs")
      .select("id")
      .where("workspace_id", "=", ws)
      .where("is_default", "=", true)
      .where("created_at", "<=", iso(new Date("2026-03-04T05:06:07.090Z")))
      .execute();
    expect(defaults).toHaveLength(1);
  });

  it("keeps one default scope config per workspace and category", async () => {
    const { db } = database;
    const ws = newId("ws");
    const at = iso(new Date());
    await db
      .insertInto("workspaces")
      .values({ id: ws, name: "W", allowed_origins: "[]", created_at: at })
      .execute();
    const row = (isDefault: boolean) => ({
      id: newId("sc"),
      workspace_id: ws,
      name: "S",
      category: "HRIS",
      models: "{}",
      is_default: isDefault,
      created_at: at,
      updated_at: at,
    });
    await db.insertInto("scope_configs").values(row(true)).execute();
    await db.insertInto("scope_configs").values(row(false)).execute();
    await expect(db.insertInto("scope_configs").values(row(true)).execute()).rejects.toThrow();
  });

  it("orders events by a sequence that survives the round trip as a number", async () => {
    const { db } = database;
    const at = iso(new Date());
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { seq } = await db
        .insertInto("events")
        .values({
          id: newId("evt"),
          workspace_id: "ws_x",
          type: "t",
          integration_id: null,
          data: toJson({ i }),
          created_at: at,
        })
        .returning("seq")
        .executeTakeFirstOrThrow();
      seqs.push(seq);
    }
    expect(seqs.every((s) => typeof s === "number")).toBe(true);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const rows = await db
      .selectFrom("events")
      .select(["seq", "data"])
      .where("workspace_id", "=", "ws_x")
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });
});

describe("ids", () => {
  it("are prefixed, unique and sort by creation", () => {
    const ids = Array.from({ length: 2000 }, () => newId("int"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^int_[0-9a-z]{26}$/);
  });
});
