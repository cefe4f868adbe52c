import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import type { Integration } from "@relink/sdk/contract";
import { ManualClock } from "../src/clock.ts";
import { defineConfig } from "../src/config.ts";
import type { Dialect, RelinkDatabase } from "../src/db/connect.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { type RunningServer, startServer } from "../src/serve.ts";
import { createTestDatabase } from "../src/testing/index.ts";
import { freePort } from "../src/testing/ports.ts";

export { freePort } from "../src/testing/ports.ts";

/**
 * relink over real HTTP on a free port, with the demo HR system beside it: what the end user's
 * browser and the product's backend see. Workers are not started: tests run the scheduler.
 */
export interface FlowWorld {
  hris: RunningDemoHris;
  relink: RunningServer;
  url: string;
  clock: ManualClock;
  workspaceId: string;
  apiKey: string;
  /** Raw log lines the server wrote. */
  logLines: string[];
  /** The management API with the workspace's API key. */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** The connect API with a flow token (`null`: none). */
  connect(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  issueKey(company: string, permissions: string[]): Promise<string>;
  revokeKey(key: string): Promise<void>;
  scopeConfig(name: string, models: Record<string, unknown>): Promise<string>;
  integration(id: string): Promise<Integration>;
  events(integrationId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>>;
  /** Advances the clock and runs every due sync, until the integration is INVALID. */
  pauseBy(integrationId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFlowWorld(
  options: {
    dialect?: Dialect;
    /** A file-backed SQLite database instead of a fresh one (then `dialect` is ignored); closed with the world. */
    database?: RelinkDatabase & { url: string };
    encryptionKey?: string;
  } = {},
): Promise<FlowWorld> {
  const hris = await startDemoHris({ port: 0 });
  const database = options.database ?? (await createTestDatabase(options.dialect ?? "sqlite"));
  // The demo HR system's OAuth tokens live in real time: start the manual clock at now.
  const clock = new ManualClock(Date.now());
  const logLines: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const relink = await startServer({
    extraConnectors: demoHrisConnectors(hris.url, () => clock.now().getTime()),
    db: database,
    clock,
    logger,
    config: defineConfig({
      port,
      host: "127.0.0.1",
      publicUrl: url,
      databaseUrl: database.url,
      encryptionKey: options.encryptionKey ?? generateEncryptionKey(),
      runWorkers: false,
      logLevel: "debug",
    }),
  });
  const { workspaceId, apiKey } = await createWorkspace(relink.relink.ctx);

  const send = (method: string, path: string, auth: string | null, body?: unknown, headers = {}) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (method: string, path: string, body?: unknown) => send(method, path, apiKey.key, body);
  const okJson = async <T>(response: Promise<Response>, status = 200): Promise<T> => {
    const r = await response;
    const text = await r.text();
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  const world: FlowWorld = {
    hris,
    relink,
    url,
    clock,
    workspaceId,
    apiKey: apiKey.key,
    logLines,
    api,
    connect: (method, path, token, body, headers) => send(method, path, token, body, headers),
    async issueKey(company, permissions) {
      const r = await fetch(`${hris.url}/admin/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ company_id: company, permissions }),
      });
      return ((await r.json()) as { key: string }).key;
    },
    async revokeKey(key) {
      await fetch(`${hris.url}/admin/api-keys/${key}`, { method: "DELETE" });
    },
    async scopeConfig(name, models) {
      return (
        await okJson<{ id: string }>(
          api("POST", "/v1/scope-configs", { name, category: "HRIS", models }),
          201,
        )
      ).id;
    },
    integration: (id) => okJson<Integration>(api("GET", `/v1/integrations/${id}`)),
    async events(integrationId) {
      return relink.relink.ctx.db
        .selectFrom("events")
        .select(["type", "data"])
        .where("integration_id", "=", integrationId)
        .orderBy("seq")
        .execute();
    },
    async pauseBy(integrationId) {
      for (let i = 0; i < 100; i++) {
        const current = await world.integration(integrationId);
        if (current.state === "INVALID") return;
        clock.advance(3 * 3_600_000);
        await relink.relink.scheduler.runDue();
      }
      throw new Error("the integration never paused");
    },
    async close() {
      await relink.close();
      await database.close();
      await hris.close();
    },
  };
  return world;
}

/** Event types without `sync-finished`, with the state and auth status they announce. */
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

/** Scope S1: employees' work fields. S2: the same plus time off. */
export const S1_MODELS = {
  employees: {
    setting: "ENABLED",
    fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
  },
};
export const S2_MODELS = { ...S1_MODELS, time_off_requests: { setting: "ENABLED" } };
