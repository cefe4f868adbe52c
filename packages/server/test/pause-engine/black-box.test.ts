import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import type { AuthCheck, Integration, SyncRun } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineConfig } from "../../src/config.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { generateEncryptionKey } from "../../src/secrets.ts";
import { type RunningServer, startServer } from "../../src/serve.ts";
import { waitFor } from "../../src/testing/index.ts";

/**
 * The whole story over real HTTP, against the demo HR system, with a 3 s pause window and a
 * 200 ms sync interval: a revoked key goes FAILING, then INVALID; an outage never pauses anyone.
 * Sequential on purpose: an outage of the demo HR system fails every call, whoever makes it.
 */
describe("black box: relink and the demo HR system over HTTP", () => {
  let hris: RunningDemoHris;
  let relink: RunningServer;
  let apiKey: string;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    relink = await startServer({
      extraConnectors: demoHrisConnectors(hris.url),
      config: defineConfig({
        port: 0,
        databaseUrl: "sqlite::memory:",
        encryptionKey: generateEncryptionKey(),
        pauseAfterMs: 3_000,
        syncIntervalMs: 200,
        schedulerTickMs: 50,
        logLevel: "silent",
      }),
    });
    apiKey = (await createWorkspace(relink.relink.ctx)).apiKey.key;
    const scope = await api("POST", "/v1/scope-configs", {
      name: "Employees and teams",
      category: "HRIS",
      is_default: true,
      models: {
        employees: {
          setting: "ENABLED",
          fields: { salary: "DISABLED", date_of_birth: "DISABLED", home_address: "DISABLED" },
        },
        teams: { setting: "ENABLED" },
      },
    });
    expect(scope.status).toBe(201);
  });
  afterAll(async () => {
    await relink?.close();
    await hris?.close();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${relink.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const get = async <T>(path: string) => (await (await api("GET", path)).json()) as T;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${hris.url}${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function newKey(): Promise<string> {
    const response = await admin("POST", "/admin/api-keys", {
      company_id: "acme",
      permissions: ["employees:read", "teams:read"],
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  }

  async function importWith(key: string, originId: string): Promise<Integration> {
    const response = await api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: originId, organization_name: "Acme" },
      credentials: { api_key: key },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as Integration;
  }

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
    let last: T | undefined;
    await waitFor(
      what,
      async () => {
        last = await read();
        return done(last);
      },
      { describe: () => JSON.stringify(last) },
    );
    return last as T;
  }
  const syncsOf = (id: string) => get<{ data: SyncRun[] }>(`/v1/integrations/${id}/syncs?limit=200`);

  it("a revoked key: FAILING at once, INVALID once the pause window has passed, then no more checks", async () => {
    const key = await newKey();
    const integration = await importWith(key, "bb-revoked");
    const view = (id: string) => get<Integration>(`/v1/integrations/${id}`);
    const synced = await until(
      "a first sync",
      () => view(integration.id),
      (v) => v.last_sync?.sync_state === "SUCCEEDED",
    );
    expect(synced.last_sync?.records.employees).toBeGreaterThan(0);

    expect((await admin("DELETE", `/admin/api-keys/${key}`)).status).toBe(204);
    const failing = await until(
      "FAILING",
      () => view(integration.id),
      (v) => v.auth.status === "FAILING",
    );
    expect(failing.state).toBe("ACTIVE");
    const failingSince = Date.parse(failing.auth.failing_since ?? "");
    expect(Date.parse(failing.auth.pauses_at ?? "")).toBe(failingSince + 3_000);

    const paused = await until(
      "INVALID",
      () => view(integration.id),
      (v) => v.state === "INVALID",
    );
    expect(paused.next_sync_at).toBeNull();
    expect(paused.auth.failed_checks).toBeGreaterThan(3);
    const checks = await get<{ data: AuthCheck[] }>(
      `/v1/integrations/${integration.id}/auth-checks?limit=200`,
    );
    const failed = checks.data
      .filter((c) => c.outcome === "AUTH_FAILED")
      .map((c) => Date.parse(c.checked_at));
    // The pause came at the first failing check at or after failing_since + 3 s, not before.
    expect(Math.max(...failed)).toBeGreaterThanOrEqual(failingSince + 3_000);
    expect(failed.filter((t) => t >= failingSince + 3_000)).toHaveLength(1);
    const runs = await get<{ data: SyncRun[] }>(`/v1/integrations/${integration.id}/syncs?limit=5`);
    expect(runs.data[0]?.sync_state).toBe("AUTHENTICATION_FAILED");

    // Paused: nothing more is checked, while the scheduler keeps running (another integration,
    // imported now, is checked and synced three times meanwhile).
    const control = await importWith(await newKey(), "bb-control");
    await until(
      "three syncs of another integration",
      () => syncsOf(control.id),
      (runs) => runs.data.filter((r) => r.sync_state === "SUCCEEDED").length >= 3,
    );
    expect((await api("PUT", `/v1/integrations/${control.id}/enabled`, { value: false })).status).toBe(200);
    const later = await get<{ data: AuthCheck[] }>(
      `/v1/integrations/${integration.id}/auth-checks?limit=200`,
    );
    expect(later.data).toHaveLength(checks.data.length);
    const refused = await api("POST", `/v1/integrations/${integration.id}/sync`);
    expect(refused.status).toBe(409);
  });

  it("an outage of the tool never pauses: checks are inconclusive, syncs fail and are retried, then succeed", async () => {
    const key = await newKey();
    const integration = await importWith(key, "bb-outage");
    const view = () => get<Integration>(`/v1/integrations/${integration.id}`);
    await until("a first sync", view, (v) => v.last_sync?.sync_state === "SUCCEEDED");

    // The outage lasts until the checks have been inconclusive for longer than the pause window
    // (however long that takes on a busy machine); all along, nobody is paused.
    expect((await admin("POST", "/admin/outage", { status: 503, duration_ms: 600_000 })).status).toBe(200);
    let sawFailedRun = false;
    const inconclusive = await until(
      "inconclusive checks spanning more than the 3 s pause window",
      async () => {
        const v = await view();
        expect(v.state).toBe("ACTIVE");
        expect(v.auth.status).toBe("OK");
        if (v.last_sync?.sync_state === "FAILED") sawFailedRun = true;
        const checks = await get<{ data: AuthCheck[] }>(
          `/v1/integrations/${integration.id}/auth-checks?limit=200`,
        );
        const times = checks.data
          .filter((c) => c.outcome === "INCONCLUSIVE")
          .map((c) => Date.parse(c.checked_at));
        return times.length > 0 ? Math.max(...times) - Math.min(...times) : 0;
      },
      (span) => sawFailedRun && span > 3_500,
    );
    expect(inconclusive).toBeGreaterThan(3_500);
    expect((await admin("DELETE", "/admin/outage")).status).toBeLessThan(300);
    const checks = await get<{ data: AuthCheck[] }>(
      `/v1/integrations/${integration.id}/auth-checks?limit=200`,
    );
    expect(checks.data.some((c) => c.outcome === "INCONCLUSIVE")).toBe(true);
    expect(checks.data.some((c) => c.outcome === "AUTH_FAILED")).toBe(false);
    const during = await view();
    expect(during.state).toBe("ACTIVE");
    expect(during.auth.status).toBe("OK");

    await until("a sync after the outage", view, (v) => v.last_sync?.sync_state === "SUCCEEDED");
    const after = await view();
    expect(after.state).toBe("ACTIVE");
    expect(after.auth.failing_since).toBeNull();
  });
});
