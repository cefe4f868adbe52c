import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { freePort } from "@relink/server/testing";

/** A real relink server on SQLite in a temporary folder, beside a real demo HR system. */
export interface Stack {
  url: string;
  apiKey: string;
  workspaceId: string;
  server: RunningServer;
  hris: RunningDemoHris;
  dir: string;
  /** Calls the management API with the workspace's key; throws on an error answer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A demo HR system API key for a company with these permissions. */
  hrisKey(company: "acme" | "globex", permissions: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface StackOptions {
  pauseAfter?: number;
  syncInterval?: number;
  schedulerTick?: number;
  /** Let webhook endpoints target this machine (a local receiver). */
  allowPrivateWebhookUrls?: boolean;
  /** Catalog tools to enable (`RELINK_TOOLS`), with their settings (`RELINK_TOOL_<ID>_…`). */
  tools?: readonly string[];
  toolSettings?: Record<string, { clientId?: string; clientSecret?: string }>;
}

export const ALL_PERMISSIONS = [
  "employees:read",
  "employees.personal:read",
  "compensation:read",
  "time_off:read",
  "teams:read",
];

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "relink-dashboard-"));
  const hris = await startDemoHris({ port: 0 });
  // The port is chosen first so that the links the server makes carry its real address.
  const port = await freePort();
  const server = await startServer({
    extraConnectors: demoHrisConnectors(hris.url),
    config: defineConfig({
      port,
      host: "127.0.0.1",
      publicUrl: `http://127.0.0.1:${port}`,
      databaseUrl: `sqlite:${join(dir, "relink.db")}`,
      dataDir: dir,
      encryptionKey: randomBytes(32).toString("base64"),
      logLevel: "silent",
      ...(options.pauseAfter ? { pauseAfterMs: options.pauseAfter } : {}),
      ...(options.syncInterval ? { syncIntervalMs: options.syncInterval } : {}),
      ...(options.schedulerTick ? { schedulerTickMs: options.schedulerTick } : {}),
      ...(options.tools ? { tools: options.tools } : {}),
      ...(options.toolSettings ? { toolSettings: options.toolSettings } : {}),
      ...(options.allowPrivateWebhookUrls
        ? { allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true }
        : {}),
    }),
  });
  const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Dashboard test workspace");
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${apiKey.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url: server.url,
    apiKey: apiKey.key,
    workspaceId,
    server,
    hris,
    dir,
    api,
    async hrisKey(company, permissions) {
      const response = await fetch(`${hris.url}/admin/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ company_id: company, permissions }),
      });
      if (!response.ok) throw new Error(`demo HR system: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { key: string }).key;
    },
    async close() {
      await server.close();
      await hris.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
