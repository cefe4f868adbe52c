import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../../src/app.ts";
import { ManualClock } from "../../src/clock.ts";
import type { Connector } from "../../src/connectors/types.ts";
import { toJson } from "../../src/db/schema.ts";
import { sealCredentials } from "../../src/domain/integrations.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { newId } from "../../src/ids.ts";
import { createLogger } from "../../src/logging.ts";
import { generateEncryptionKey } from "../../src/secrets.ts";
import { createTestDatabase, postgresAdminUrl, scriptedConnector } from "../../src/testing/index.ts";

/**
 * Three server replicas on one PostgreSQL database share 2,000 integrations for a simulated day:
 * every slot is synced exactly once, and every pause is announced exactly once.
 */

const HOUR = 3_600_000;
const INTERVAL = 8 * HOUR;
const PAUSE_AFTER = 16 * HOUR;
const STEP = 20 * 60_000;
const COUNT = 2_000;
const REVOKED = 200; // fail from the start: each must pause exactly once
const DOWN = 50; // their tool never answers: they must never pause

describe.skipIf(!postgresAdminUrl())("three replicas on PostgreSQL", () => {
  const clock = new ManualClock("2026-03-02T00:00:00.000Z");
  const start = clock.now().getTime();
  const tool = scriptedConnector("scripted");
  const checksByKey = new Map<string, number[]>();
  const counted: Connector = {
    ...tool.connector,
    async checkAuth(input) {
      const key = input.credentials.api_key ?? "";
      const times = checksByKey.get(key) ?? [];
      times.push(clock.now().getTime());
      checksByKey.set(key, times);
      return tool.connector.checkAuth(input);
    },
  };
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: RelinkServer[] = [];
  const firstSlot = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const config = {
      encryptionKey: generateEncryptionKey(),
      pauseAfterMs: PAUSE_AFTER,
      syncIntervalMs: INTERVAL,
      syncConcurrency: 8,
    };
    for (let i = 0; i < 3; i++) {
      servers.push(
        await createRelinkServer({
          db: database.url,
          clock,
          config,
          connectors: [counted],
          logger: createLogger({ level: "silent" }),
        }),
      );
    }
    const ctx = servers[0]?.ctx;
    if (!ctx) throw new Error("no server");
    const { workspaceId } = await createWorkspace(ctx);
    const scopeId = newId("sc");
    const at = clock.now().toISOString();
    await ctx.db
      .insertInto("scope_configs")
      .values({
        id: scopeId,
        workspace_id: workspaceId,
        name: "Teams",
        category: "HRIS",
        models: toJson({ teams: { setting: "ENABLED" } }),
        is_default: true,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const rows = [];
    for (let i = 0; i < COUNT; i++) {
      const key = `k${i}`;
      const id = newId("int");
      tool.setKey(
        key,
        i < REVOKED ? { outcome: "AUTH_FAILED" } : i < REVOKED + DOWN ? { outcome: "INCONCLUSIVE" } : {},
      );
      const slot = start + Math.floor((i * INTERVAL) / COUNT);
      firstSlot.set(key, slot);
      rows.push({
        id,
        workspace_id: workspaceId,
        tool: "scripted",
        category: "HRIS",
        end_user_origin_id: `org-${i}`,
        end_user_organization_name: `Org ${i}`,
        end_user_email: null,
        credentials_sealed: sealCredentials(ctx, id, { api_key: key }),
        account_id: "acme",
        scope_config_id: scopeId,
        state: "ACTIVE",
        failing_since: null,
        failed_checks: 0,
        last_checked_at: at,
        last_succeeded_at: at,
        next_sync_at: new Date(slot).toISOString(),
        sync_interval_ms: null,
        retry_attempt: 0,
        granted_permissions: toJson([]),
        missing_permissions: toJson([]),
        opted_out: toJson([]),
        created_at: at,
        updated_at: at,
      });
    }
    for (let i = 0; i < rows.length; i += 500) {
      await ctx.db
        .insertInto("integrations")
        .values(rows.slice(i, i + 500))
        .execute();
    }
  }, 300_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await database?.close();
  });

  it("syncs every slot exactly once and announces every pause exactly once", async () => {
    const claimedBy = servers.map(() => 0);
    const end = start + 24 * HOUR;
    while (clock.now().getTime() < end) {
      const results = await Promise.all(servers.map((s) => s.scheduler.runDue()));
      results.forEach((r, i) => {
        claimedBy[i] = (claimedBy[i] ?? 0) + r.claimed;
      });
      clock.advance(STEP);
    }

    // The work was shared.
    for (const n of claimedBy) expect(n).toBeGreaterThan(1_000);

    // Healthy integrations: the first slot (at the first step after it), then every interval, each once.
    for (let i = REVOKED + DOWN; i < COUNT; i++) {
      const key = `k${i}`;
      const slot = firstSlot.get(key) ?? 0;
      const first = start + Math.ceil((slot - start) / STEP) * STEP;
      const expected: number[] = [];
      for (let t = first; t < end; t += INTERVAL) expected.push(t);
      expect(checksByKey.get(key), key).toEqual(expected);
    }

    const db = servers[0]?.ctx.db;
    if (!db) throw new Error("no db");
    // One run per check, never two for the same slot.
    const runs = await db
      .selectFrom("sync_runs")
      .select(["integration_id", "started_at", "sync_state"])
      .execute();
    const totalChecks = [...checksByKey.values()].reduce((n, times) => n + times.length, 0);
    expect(runs).toHaveLength(totalChecks);
    expect(new Set(runs.map((r) => `${r.integration_id} ${r.started_at}`)).size).toBe(runs.length);

    // Pauses: each revoked integration exactly once; the unreachable ones never.
    const events = await db
      .selectFrom("events")
      .select(["type", "integration_id", "data"])
      .where("type", "in", ["integration-state-changed", "integration-auth-status-changed"])
      .execute();
    const pauses = events.filter((e) => e.type === "integration-state-changed");
    expect(pauses).toHaveLength(REVOKED);
    expect(new Set(pauses.map((e) => e.integration_id)).size).toBe(REVOKED);
    expect(pauses.every((e) => e.data.reason === "AUTHENTICATION_FAILED" && e.data.state === "INVALID")).toBe(
      true,
    );
    const failing = events.filter((e) => e.type === "integration-auth-status-changed");
    expect(failing).toHaveLength(REVOKED);
    const states = await db
      .selectFrom("integrations")
      .select(["state", "lease_owner"])
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .groupBy(["state", "lease_owner"])
      .execute();
    expect(
      states.map((s) => ({ ...s, n: Number(s.n) })).sort((a, b) => a.state.localeCompare(b.state)),
    ).toEqual([
      { state: "ACTIVE", lease_owner: null, n: COUNT - REVOKED },
      { state: "INVALID", lease_owner: null, n: REVOKED },
    ]);
    // Each revoked one was checked until the first check at or after the pause window, then never again.
    for (let i = 0; i < REVOKED; i++) {
      const times = checksByKey.get(`k${i}`) ?? [];
      expect(times.length, `k${i}`).toBe(PAUSE_AFTER / INTERVAL + 1);
      expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBe(PAUSE_AFTER);
    }
  }, 600_000);
});
