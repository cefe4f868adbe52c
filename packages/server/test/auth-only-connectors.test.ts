import type { Integration, SyncSessionOpened } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Connector } from "../src/connectors/types.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

/**
 * A connector without `sync` (auth only: the product syncs the tool itself through sync sessions).
 * relink's scheduler still checks its integrations at the sync interval, so the three-day rule
 * holds when the product stops syncing; no records are kept; a finished session counts as the
 * interval's sync.
 */

const HOUR = 3_600_000;
const INTERVAL = 8 * HOUR;
const PAUSE_AFTER = 72 * HOUR;

describe.each(availableDialects())("auth-only connectors (%s)", (dialect) => {
  const scripted = scriptedConnector("auth-only");
  const { sync: _sync, ...authOnly } = scripted.connector;
  let t: TestRelink;
  let sessionKey: string;

  beforeAll(async () => {
    t = await createTestRelink({
      dialect,
      connectors: [authOnly satisfies Connector],
      config: { syncIntervalMs: INTERVAL, pauseAfterMs: PAUSE_AFTER },
    });
    const scope = await t.request("POST", "/v1/scope-configs", {
      body: {
        name: "Employees",
        category: "HRIS",
        is_default: true,
        models: { employees: { setting: "ENABLED" } },
      },
    });
    expect(scope.status).toBe(201);
    sessionKey = (
      (await (
        await t.request("POST", "/v1/api-keys", { body: { name: "sync", scopes: ["credentials:read"] } })
      ).json()) as { key: string }
    ).key;
  });
  afterAll(() => t?.close());

  const importIntegration = async (key: string, origin: string) => {
    scripted.setKey(key);
    const r = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "auth-only",
        end_user: { origin_id: origin, organization_name: origin },
        credentials: { api_key: key },
      },
    });
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as Integration;
  };
  const get = async (id: string) =>
    (await (await t.request("GET", `/v1/integrations/${id}`)).json()) as Integration;

  it("the scheduler checks at the interval and keeps no records; a revoked key pauses after three days with no session at all", async () => {
    const integration = await importIntegration("key-a", "org-a");
    await t.server.scheduler.runDue();
    const first = await get(integration.id);
    expect(first.last_sync).toMatchObject({ trigger: "SCHEDULE", sync_state: "SUCCEEDED", records: {} });
    expect(Date.parse(first.next_sync_at ?? "")).toBe(t.clock.now().getTime() + INTERVAL);
    const stored = await t.database.db
      .selectFrom("synced_records")
      .select("remote_id")
      .where("integration_id", "=", integration.id)
      .execute();
    expect(stored).toEqual([]);

    scripted.revoke("key-a");
    const checks = async () =>
      (
        await t.database.db
          .selectFrom("auth_checks")
          .select("outcome")
          .where("integration_id", "=", integration.id)
          .where("trigger", "=", "SYNC")
          .execute()
      ).length;
    const before = await checks();
    let failingSince: string | null = null;
    for (let step = 0; step < 20; step++) {
      t.clock.advance(INTERVAL);
      await t.server.scheduler.runDue();
      const now = await get(integration.id);
      failingSince ??= now.auth.failing_since;
      if (now.state === "INVALID") break;
    }
    const paused = await get(integration.id);
    expect(paused.state).toBe("INVALID");
    expect(failingSince).not.toBeNull();
    // Checked every interval: the streak opened at the first one and paused at the first at or after 72 h.
    expect(await checks()).toBe(before + PAUSE_AFTER / INTERVAL + 1);
  });

  it("a finished session counts as the interval's sync: the next scheduled check moves one interval on", async () => {
    const integration = await importIntegration("key-b", "org-b");
    await t.server.scheduler.runDue();
    t.clock.advance(HOUR);
    const opened = await t.request("POST", `/v1/integrations/${integration.id}/sync-sessions`, {
      key: sessionKey,
      body: {},
    });
    expect(opened.status, await opened.clone().text()).toBe(201);
    const session = (await opened.json()) as SyncSessionOpened;
    expect(session.credentials).toEqual({ api_key: "key-b" });
    const finished = await t.request(
      "POST",
      `/v1/integrations/${integration.id}/sync-sessions/${session.id}/finish`,
      {
        key: sessionKey,
        body: { outcome: "SUCCEEDED", records: { employees: 12 } },
      },
    );
    expect(finished.status).toBe(200);
    const after = await get(integration.id);
    expect(after.last_sync).toMatchObject({ trigger: "EXTERNAL", records: { employees: 12 } });
    expect(Date.parse(after.next_sync_at ?? "")).toBe(t.clock.now().getTime() + INTERVAL);
  });
});
