import { randomBytes } from "node:crypto";
import pg from "pg";
import { createRelinkServer, type RelinkServer, type RelinkServerOptions } from "../app.ts";
import { ManualClock } from "../clock.ts";
import type { Config } from "../config.ts";
import { createDatabase, type Dialect, type RelinkDatabase } from "../db/connect.ts";
import type { NewEvent } from "../domain/events.ts";
import { createWorkspace } from "../domain/workspaces.ts";
import { createLogger } from "../logging.ts";
import { generateEncryptionKey } from "../secrets.ts";

/**
 * Test support shared by every package's tests: a fresh database per test file on each dialect,
 * and a relink server with a workspace and an API key.
 */

export const DIALECTS: readonly Dialect[] = ["sqlite", "postgres"];

/** The admin URL of the test PostgreSQL server, or null (with a visible reason) when there is none. */
export function postgresAdminUrl(): string | null {
  const url = process.env.RELINK_TEST_POSTGRES_URL;
  if (url) return url;
  if (process.env.CI === "true") {
    throw new Error("CI=true but RELINK_TEST_POSTGRES_URL is not set: .ci/run must start PostgreSQL");
  }
  return null;
}

let warned = false;
/** The dialects this run can test; PostgreSQL is skipped locally, with a message, when none runs. */
export function availableDialects(): Dialect[] {
  if (postgresAdminUrl()) return [...DIALECTS];
  if (!warned) {
    warned = true;
    console.warn(
      "\n⚠ PostgreSQL tests SKIPPED: RELINK_TEST_POSTGRES_URL is not set. Start one with\n" +
        '  eval "$(scripts/pg-test-server.sh start)"\n',
    );
  }
  return ["sqlite"];
}

/** A new, empty database: in-memory SQLite, or a new PostgreSQL database dropped on close. */
export async function createTestDatabase(
  dialect: Dialect,
  options: { poolSize?: number } = {},
): Promise<RelinkDatabase & { url: string }> {
  if (dialect === "sqlite") {
    const url = "sqlite::memory:";
    return { ...createDatabase(url), url };
  }
  const admin = postgresAdminUrl();
  if (!admin) throw new Error("no PostgreSQL server for the tests (RELINK_TEST_POSTGRES_URL)");
  const name = `relink_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = createDatabase(url.toString(), options);
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * An event with any payload, for tests of the delivery machinery (which never reads `data`). Real
 * events are typed from the contract's schemas (`NewEvent`).
 */
export function syntheticEvent(event: {
  workspaceId: string;
  type: string;
  integrationId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}): NewEvent {
  return event as unknown as NewEvent;
}

export interface TestRelink {
  server: RelinkServer;
  clock: ManualClock;
  database: RelinkDatabase & { url: string };
  workspaceId: string;
  apiKey: string;
  /** Log lines written by the server, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Calls the app in-process; `key: null` sends no Authorization header. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface TestRelinkOptions extends Omit<RelinkServerOptions, "db" | "clock" | "config" | "logger"> {
  dialect?: Dialect;
  clock?: ManualClock;
  config?: Partial<Config>;
}

/** A relink server on a fresh database with one workspace and its API key. Workers are not started. */
export async function createTestRelink(options: TestRelinkOptions = {}): Promise<TestRelink> {
  const database = await createTestDatabase(options.dialect ?? "sqlite");
  const clock = options.clock ?? new ManualClock();
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
  });
  const server = await createRelinkServer({
    ...options,
    db: database,
    clock,
    logger,
    config: { encryptionKey: generateEncryptionKey(), ...options.config },
  });
  const { workspaceId, apiKey } = await createWorkspace(server.ctx);
  return {
    server,
    clock,
    database,
    workspaceId,
    apiKey: apiKey.key,
    logs,
    request(method, path, { body, rawBody, key, headers } = {}) {
      const h: Record<string, string> = { ...headers };
      if (key !== null) h.authorization ??= `Bearer ${key ?? apiKey.key}`;
      if (body !== undefined || rawBody !== undefined) h["content-type"] ??= "application/json";
      return Promise.resolve(
        server.app.request(path, {
          method,
          headers: h,
          body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
        }),
      );
    },
    async close() {
      await server.close();
      await database.close();
    },
  };
}
// Server parts other packages' tests compare themselves with (by package name, never by path).
export { scopePermissions } from "../domain/scope.ts";
export { generateEncryptionKey } from "../secrets.ts";
export { generateWebhookSecret, signWebhookMessage } from "../webhooks/sign.ts";
export * from "./ports.ts";
export * from "./scripted-connector.ts";
export * from "./wait.ts";
