import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, type RelinkDatabase } from "../src/db/connect.ts";
import { migrationProvider } from "../src/db/migrations/index.ts";
import { isFlowTokenSpent, spendFlowToken } from "../src/flow-tokens/verify.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

/**
 * Migration 0006: `spent_tokens` keyed by `(workspace_id, jti)`. Tokens spent before it stay spent
 * in their workspace, and only there; going down keeps every id refused.
 */
describe.each(availableDialects())("migration 0006 (spent token ids per workspace) on %s", (dialect) => {
  let database: RelinkDatabase;
  let migrator: Migrator;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    migrator = new Migrator({ db: database.db, provider: migrationProvider });
    const { error } = await migrator.migrateTo("0005_integrations_failing");
    if (error) throw error;
  });
  afterAll(() => database.close());

  const row = (workspace: string, jti: string, at: string) => ({
    jti,
    workspace_id: workspace,
    integration_id: `int_${workspace.slice(3)}`,
    spent_at: at,
  });

  it("keeps every token spent before it, in its own workspace only", async () => {
    const { db } = database;
    await db
      .insertInto("spent_tokens")
      .values([
        row("ws_0000000000aaaa", "jti-spent-before-0006-a", "2026-01-01T00:00:00.000Z"),
        row("ws_0000000000bbbb", "jti-spent-before-0006-b", "2026-01-02T00:00:00.000Z"),
      ])
      .execute();
    expect(await migrateToLatest(db)).toContain("0006_spent_tokens_workspace");

    const ctx = { db };
    expect(await isFlowTokenSpent(ctx, "ws_0000000000aaaa", "jti-spent-before-0006-a")).toBe(true);
    expect(await isFlowTokenSpent(ctx, "ws_0000000000bbbb", "jti-spent-before-0006-b")).toBe(true);
    expect(await isFlowTokenSpent(ctx, "ws_0000000000bbbb", "jti-spent-before-0006-a")).toBe(false);
    const rows = await db.selectFrom("spent_tokens").selectAll().orderBy("jti").execute();
    expect(rows.map((r) => ({ ...r, spent_at: new Date(r.spent_at).toISOString() }))).toEqual([
      row("ws_0000000000aaaa", "jti-spent-before-0006-a", "2026-01-01T00:00:00.000Z"),
      row("ws_0000000000bbbb", "jti-spent-before-0006-b", "2026-01-02T00:00:00.000Z"),
    ]);

    // The same id now completes once in each workspace.
    const spend = (workspaceId: string) =>
      spendFlowToken(db, {
        jti: "jti-spent-before-0006-a",
        workspaceId,
        integrationId: "int_x",
        at: "2026-01-03T00:00:00.000Z",
      });
    await spend("ws_0000000000bbbb");
    await expect(spend("ws_0000000000bbbb")).rejects.toMatchObject({ code: "TOKEN_ALREADY_USED" });
    await expect(spend("ws_0000000000aaaa")).rejects.toMatchObject({ code: "TOKEN_ALREADY_USED" });
  });

  it("goes down keeping one row per id (so every id stays refused), and up again", async () => {
    const { error } = await migrator.migrateTo("0005_integrations_failing");
    if (error) throw error;
    const rows = await database.db
      .selectFrom("spent_tokens")
      .select(["jti", "workspace_id"])
      .orderBy("jti")
      .execute();
    expect(rows).toEqual([
      { jti: "jti-spent-before-0006-a", workspace_id: "ws_0000000000aaaa" },
      { jti: "jti-spent-before-0006-b", workspace_id: "ws_0000000000bbbb" },
    ]);
    expect(await migrateToLatest(database.db)).toContain("0006_spent_tokens_workspace");
  });
});
