import { Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest } from "../src/db/connect.ts";
import { migrationProvider } from "../src/db/migrations/index.ts";
import { recordFlowFailure } from "../src/domain/flow-failures.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import {
  availableDialects,
  createTestDatabase,
  createTestRelink,
  type TestRelink,
} from "../src/testing/index.ts";

describe.each(availableDialects())("failed flows per workspace on %s", (dialect) => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ dialect });
  });
  afterAll(async () => {
    await t?.close();
  });

  const failure = (workspaceId: string, jti: string) => ({
    workspaceId,
    jti,
    flow: "connect" as const,
    integrationId: null,
    tool: null,
    endUser: { origin_id: "acme-1", organization_name: "Acme", email: null },
    reason: "USER_EXITED",
  });

  const announced = async (workspaceId: string) =>
    t.server.ctx.db
      .selectFrom("events")
      .select("id")
      .where("workspace_id", "=", workspaceId)
      .where("type", "=", "connection-flow-failed")
      .execute();

  it("announces each workspace's failed flow once, even when another workspace's token had the same jti", async () => {
    const other = await createWorkspace(t.server.ctx);
    const jti = "shared-jti-0001";
    expect(await recordFlowFailure(t.server.ctx, failure(t.workspaceId, jti))).toBe(true);
    expect(await recordFlowFailure(t.server.ctx, failure(other.workspaceId, jti))).toBe(true);
    // Each workspace's own repeat is still announced only once.
    expect(await recordFlowFailure(t.server.ctx, failure(t.workspaceId, jti))).toBe(false);
    expect(await recordFlowFailure(t.server.ctx, failure(other.workspaceId, jti))).toBe(false);
    expect(await announced(t.workspaceId)).toHaveLength(1);
    expect(await announced(other.workspaceId)).toHaveLength(1);
  });
});

/** Migration 0018: failures recorded before it keep silencing repeats in their own workspace only. */
describe.each(availableDialects())("migration 0018 (failed flows per workspace) on %s", (dialect) => {
  it("keeps every failure recorded before it, and goes down keeping one row per jti", async () => {
    const database = await createTestDatabase(dialect);
    try {
      const migrator = new Migrator({ db: database.db, provider: migrationProvider });
      const before = "0009_integrations_account_name";
      const { error } = await migrator.migrateTo(before);
      if (error) throw error;
      const row = (workspace_id: string, created_at: string) => ({
        jti: "jti-failed-before-0018",
        workspace_id,
        reason: "USER_EXITED",
        created_at,
      });
      await database.db
        .insertInto("flow_failures")
        .values(row("ws_0000000000aaaa", "2026-01-01T00:00:00.000Z"))
        .execute();
      expect(await migrateToLatest(database.db)).toContain("0018_flow_failures_workspace");
      await database.db
        .insertInto("flow_failures")
        .values(row("ws_0000000000bbbb", "2026-01-02T00:00:00.000Z"))
        .execute();
      await expect(
        database.db
          .insertInto("flow_failures")
          .values(row("ws_0000000000aaaa", "2026-01-03T00:00:00.000Z"))
          .execute(),
      ).rejects.toThrow();

      const down = await migrator.migrateTo(before);
      if (down.error) throw down.error;
      const rows = await database.db.selectFrom("flow_failures").select(["jti", "workspace_id"]).execute();
      expect(rows).toEqual([{ jti: "jti-failed-before-0018", workspace_id: "ws_0000000000aaaa" }]);
      expect(await migrateToLatest(database.db)).toContain("0018_flow_failures_workspace");
    } finally {
      await database.close();
    }
  });
});
