#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { systemClock } from "./clock.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { DeclaredConnectorError } from "./connectors/declared/load.ts";
import { createDatabase, migrateToLatest, redactUrl } from "./db/connect.ts";
import { reencryptAll } from "./domain/reencrypt.ts";
import { createWorkspace } from "./domain/workspaces.ts";
import { SecretBox } from "./secrets.ts";
import { startServer } from "./serve.ts";

const USAGE = `relink-server: self-hosted reconnection for third-party integrations

Usage:
  relink-server serve             run the server (HTTP API, scheduler, webhook dispatcher)
  relink-server migrate           apply pending database migrations and exit
  relink-server init [--json] [--name NAME]
                                  create a workspace and print its first API key
                                  (--json prints {"workspace_id","api_key"} alone)
  relink-server rotate-encryption-key [--batch-size N]
                                  re-seal every credential and secret with RELINK_ENCRYPTION_KEY;
                                  the old key must be in RELINK_PREVIOUS_ENCRYPTION_KEYS (alias: reencrypt).
                                  Safe while servers run, once they all have the new key configured.

Configuration comes from the environment: PORT, HOST, DATABASE_URL, RELINK_ENCRYPTION_KEY,
RELINK_PUBLIC_URL, RELINK_PAUSE_AFTER, RELINK_SYNC_INTERVAL, RELINK_CONNECTORS_DIR,
RELINK_CONNECTOR_MODULES, RELINK_TOOLS, RELINK_TOOL_<ID>_CLIENT_ID/_SECRET, RELINK_TOOLS_FILE,
RELINK_ALLOW_PRIVATE_WEBHOOK_URLS, LOG_LEVEL. See docs/self-hosting.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const config = loadConfig();
  switch (command) {
    case "serve": {
      const running = await startServer({ config });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        running.relink.ctx.log.info({ signal }, "stopping: finishing running work");
        const force = setTimeout(() => process.exit(1), 30_000);
        force.unref();
        await running.close();
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop("SIGTERM"));
      process.on("SIGINT", () => void stop("SIGINT"));
      return -1; // keep running
    }
    case "migrate": {
      const database = createDatabase(config.databaseUrl);
      try {
        const applied = await migrateToLatest(database.db);
        console.log(
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(", ")}`
            : "The database is up to date.",
        );
        console.log(`Database: ${redactUrl(config.databaseUrl)}`);
      } finally {
        await database.close();
      }
      return 0;
    }
    case "init": {
      const { values } = parseArgs({
        args: rest,
        options: { json: { type: "boolean", default: false }, name: { type: "string" } },
        strict: true,
      });
      const database = createDatabase(config.databaseUrl);
      try {
        await migrateToLatest(database.db);
        const { workspaceId, apiKey } = await createWorkspace(
          { db: database.db, clock: systemClock },
          values.name ?? "Default workspace",
        );
        if (values.json) {
          console.log(JSON.stringify({ workspace_id: workspaceId, api_key: apiKey.key }));
        } else {
          console.log(`Workspace created: ${workspaceId}`);
          console.log(`API key (shown once, store it now): ${apiKey.key}`);
          // With PORT=0 the port is known only once `serve` binds it, which prints the URL.
          const base =
            new URL(config.publicUrl).port === "0"
              ? "<the URL `relink-server serve` prints>"
              : config.publicUrl;
          console.log(`Try it: curl -H "Authorization: Bearer ${apiKey.key}" ${base}/v1/tools`);
        }
      } finally {
        await database.close();
      }
      return 0;
    }
    case "reencrypt":
    case "rotate-encryption-key": {
      const { values } = parseArgs({
        args: rest,
        options: { "batch-size": { type: "string", default: "200" } },
        strict: true,
      });
      const batchSize = Number(values["batch-size"]);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new ConfigError("--batch-size", "must be a positive integer");
      if (!config.encryptionKey)
        throw new ConfigError("RELINK_ENCRYPTION_KEY", "must be set to the new key to rotate to it");
      const secrets = new SecretBox(config.encryptionKey, config.previousEncryptionKeys);
      const database = createDatabase(config.databaseUrl);
      try {
        await migrateToLatest(database.db);
        const report = await reencryptAll({ db: database.db, secrets }, { batchSize });
        console.log(JSON.stringify({ key_id: secrets.keyId, ...report }));
        if (report.failed.length > 0) {
          console.error(
            `${report.failed.length} value(s) could not be opened with the configured keys; they were left as they are.`,
          );
          return 1;
        }
      } finally {
        await database.close();
      }
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exitCode = 78;
    } else if (error instanceof DeclaredConnectorError) {
      console.error(`Invalid connector: ${error.message}`);
      process.exitCode = 78;
    } else if (error instanceof TypeError && /Unknown option|Unexpected argument/.test(error.message)) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    }
  },
);
