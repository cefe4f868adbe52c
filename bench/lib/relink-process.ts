/**
 * relink in its own process, for the load and memory benchmarks.
 *
 *   seed  <db file> <count>   creates a workspace, two scope configs, `count` integrations of an
 *                             instant in-process tool and an HS256 signing key; prints the fixture
 *                             as JSON on stdout, then exits (so the server starts on a full
 *                             database, like a restarted production server)
 *   serve <db file> [origin]  `startServer` on 127.0.0.1, a free port; reports `{ url }` over IPC
 *
 * RELINK_ENCRYPTION_KEY must be the same for both.
 */

import { createRelinkServer } from "../../packages/server/src/app.ts";
import { defineConfig } from "../../packages/server/src/config.ts";
import { type NewIntegration, toJson } from "../../packages/server/src/db/schema.ts";
import { createWorkspace } from "../../packages/server/src/domain/workspaces.ts";
import { newId } from "../../packages/server/src/ids.ts";
import { createLogger } from "../../packages/server/src/logging.ts";
import { startServer } from "../../packages/server/src/serve.ts";
import { scriptedConnector } from "../../packages/server/src/testing/scripted-connector.ts";
import { managementCall } from "./management-call.ts";
import { seededIntegration } from "./seed-rows.ts";

export interface Fixture {
  workspaceId: string;
  apiKey: string;
  signingKey: { id: string; secret: string };
  /** An integration in the middle of the table (not the first or last row). */
  integrationId: string;
  /** A scope config needing more than the integrations' current one (newly required permissions). */
  targetScopeConfigId: string;
  integrations: number;
  seedSeconds: number;
}

const [mode, file, arg] = process.argv.slice(2);
if (!file) throw new Error("usage: relink-process.ts seed|serve <db file> …");
const encryptionKey = process.env.RELINK_ENCRYPTION_KEY;
if (!encryptionKey) throw new Error("RELINK_ENCRYPTION_KEY is not set");

const tool = scriptedConnector("bench");
tool.setKey("bench");
const config = (overrides = {}) =>
  defineConfig({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: `sqlite:${file}`,
    encryptionKey,
    logLevel: "silent",
    ...overrides,
  });
const logger = createLogger({ level: "silent" });

if (mode === "seed") {
  const started = performance.now();
  const count = Number(arg ?? "1000");
  const relink = await createRelinkServer({ config: config(), connectors: [tool.connector], logger });
  const { workspaceId, apiKey } = await createWorkspace(relink.ctx);
  const call = managementCall(relink.app, apiKey.key);
  const basic = await call<{ id: string }>("POST", "/v1/scope-configs", {
    name: "Directory",
    category: "HRIS",
    is_default: true,
    models: { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } },
  });
  const extended = await call<{ id: string }>("POST", "/v1/scope-configs", {
    name: "Directory and payroll",
    category: "HRIS",
    models: {
      employees: { setting: "ENABLED" },
      teams: { setting: "ENABLED" },
      time_off_requests: { setting: "ENABLED" },
      compensations: { setting: "OPTIONAL" },
    },
  });
  const key = await call<{ id: string; secret: string }>("POST", "/v1/signing-keys", { algorithm: "HS256" });

  const BATCH = 1000; // under SQLite's bound-parameter limit
  const now = Date.now();
  let middle = "";
  for (let offset = 0; offset < count; offset += BATCH) {
    const rows: NewIntegration[] = [];
    for (let i = offset; i < Math.min(count, offset + BATCH); i++) {
      const id = newId("int", now - (count - i) * 1000);
      if (i === Math.floor(count / 2)) middle = id;
      rows.push(
        seededIntegration({
          id,
          i,
          now,
          ageS: count - i,
          workspaceId,
          tool: "bench",
          scopeConfigId: basic.id,
          credentialsSealed: relink.ctx.secrets.sealJson({ api_key: "bench" }, id),
        }),
      );
    }
    await relink.ctx.db.transaction().execute((trx) => trx.insertInto("integrations").values(rows).execute());
  }
  await relink.close();
  const fixture: Fixture = {
    workspaceId,
    apiKey: apiKey.key,
    signingKey: { id: key.id, secret: key.secret },
    integrationId: middle,
    targetScopeConfigId: extended.id,
    integrations: count,
    seedSeconds: (performance.now() - started) / 1000,
  };
  process.stdout.write(`${JSON.stringify(fixture)}\n`);
} else if (mode === "serve") {
  const server = await startServer({ config: config(), connectors: [tool.connector], logger });
  if (arg) {
    // The page origin allowed to call the connect API (the widget benchmark).
    await server.relink.ctx.db
      .updateTable("workspaces")
      .set({ allowed_origins: toJson([arg]) })
      .execute();
  }
  process.send?.({ url: server.url });
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
} else {
  throw new Error(`unknown mode ${mode}`);
}
