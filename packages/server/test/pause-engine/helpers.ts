import type { Integration } from "@relink/sdk/contract";
import { expect } from "vitest";
import type { ManualClock } from "../../src/clock.ts";
import type { Config } from "../../src/config.ts";
import type { Dialect } from "../../src/db/connect.ts";
import { newId } from "../../src/ids.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../../src/testing/index.ts";

export const HOUR = 3_600_000;

export const EMPLOYEES_AND_PAY = {
  name: "Employees and pay",
  category: "HRIS",
  is_default: true,
  models: {
    employees: { setting: "ENABLED", fields: { home_address: "DISABLED", date_of_birth: "DISABLED" } },
    teams: { setting: "ENABLED" },
    compensations: { setting: "ENABLED" },
  },
};

export interface PauseWorld {
  t: TestRelink;
  tool: ReturnType<typeof scriptedConnector>;
  importIntegration(key: string, originId?: string): Promise<Integration>;
  get(id: string): Promise<Integration>;
  events(id: string): Promise<Array<{ type: string; data: Record<string, unknown> }>>;
  /** Moves the clock and runs whatever has become due. */
  step(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function pauseWorld(
  options: { dialect?: Dialect; config?: Partial<Config>; scope?: boolean; clock?: ManualClock } = {},
): Promise<PauseWorld> {
  const tool = scriptedConnector("scripted");
  const t = await createTestRelink({
    dialect: options.dialect ?? "sqlite",
    connectors: [tool.connector],
    config: options.config,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  if (options.scope !== false) {
    const created = await t.request("POST", "/v1/scope-configs", { body: EMPLOYEES_AND_PAY });
    expect(created.status).toBe(201);
  }
  let n = 0;
  return {
    t,
    tool,
    async importIntegration(key, originId = `org-${++n}`) {
      const response = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: originId, organization_name: `Org ${originId}` },
          credentials: { api_key: key },
        },
      });
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as Integration;
    },
    async get(id) {
      const response = await t.request("GET", `/v1/integrations/${id}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Integration;
    },
    async events(id) {
      const rows = await t.database.db
        .selectFrom("events")
        .select(["type", "data"])
        .where("integration_id", "=", id)
        .orderBy("seq")
        .execute();
      return rows;
    },
    async step(ms) {
      t.clock.advance(ms);
      await t.server.scheduler.runDue();
    },
    close: () => t.close(),
  };
}

/** Event types of an integration, without the `sync-finished` ones. */
export const transitions = (events: Array<{ type: string; data: Record<string, unknown> }>) =>
  events
    .filter((e) => e.type !== "sync-finished")
    .map((e) =>
      e.type === "integration-auth-status-changed"
        ? `auth:${e.data.auth_status}`
        : e.type === "integration-state-changed"
          ? `state:${e.data.state}:${e.data.reason}`
          : e.type,
    );

/** Writes `count` old OK checks of an integration, one a minute, ending now (for retention tests). */
export async function seedOldAuthChecks(t: TestRelink, integrationId: string, count: number): Promise<void> {
  const base = t.clock.now().getTime() - count * 60_000;
  const rows = Array.from({ length: count }, (_, i) => ({
    id: newId("chk", base + i * 60_000),
    workspace_id: t.workspaceId,
    integration_id: integrationId,
    outcome: "OK",
    trigger: "SYNC",
    detail: null,
    duration_ms: 1,
    checked_at: new Date(base + i * 60_000).toISOString(),
  }));
  for (let i = 0; i < rows.length; i += 100)
    await t.database.db
      .insertInto("auth_checks")
      .values(rows.slice(i, i + 100))
      .execute();
}
