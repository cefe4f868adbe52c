/**
 * relink with the demo HR system's connectors, in its own process, for the sync sessions and
 * records benchmark (`bench/sessions-records.ts`).
 *
 *   seed  <db file> <records> <big>
 *       creates a workspace, a scope config (employees and teams), an API key with scope
 *       `credentials:read` and one with `records:read`, and the integrations holding `records`
 *       synced employees (the demo HR system is not called: it may still be starting): `big` of them in one integration, the others 100 per
 *       integration. Each record's fields are sealed with the server's own code (`sealFields`,
 *       the encryption key, bound to integration, model and remote id), one `synced_at` per
 *       integration as a sync writes them (`replaceRecords`), inserted in transactions of 10k
 *       with a prepared better-sqlite3 statement. Prints the fixture as JSON on stdout, then exits.
 *   serve <db file> <hris url>
 *       reports `{ loaded }` over IPC once its modules are loaded, waits for a message (the
 *       seeding is done), then `startServer` on 127.0.0.1, a free port, with
 *       `demoHrisConnectors(hris url)`; reports `{ url }` over IPC.
 *   seed-serve <db file> <records> <big>
 *       both in one process (what the benchmark runs: the modules are loaded once, not twice):
 *       seeds as `seed`, reports `{ fixture }` over IPC, waits for `{ hrisUrl }`, then serves as
 *       `serve` and reports `{ url }`.
 *
 * RELINK_ENCRYPTION_KEY must be the same for both. No integration is due while the benchmark runs
 * (the scheduler stays idle and never replaces the seeded records).
 */
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import Database from "better-sqlite3";
import { createRelinkServer } from "../../packages/server/src/app.ts";
import { defineConfig } from "../../packages/server/src/config.ts";
import type { NewIntegration } from "../../packages/server/src/db/schema.ts";
import { sealFields } from "../../packages/server/src/domain/records.ts";
import { createWorkspace } from "../../packages/server/src/domain/workspaces.ts";
import { newId } from "../../packages/server/src/ids.ts";
import { createLogger } from "../../packages/server/src/logging.ts";
import { startServer } from "../../packages/server/src/serve.ts";
import { managementCall } from "./management-call.ts";
import { seededIntegration } from "./seed-rows.ts";

export interface SessionsRecordsFixture {
  sessionKey: string;
  recordsKey: string;
  managementKey: string;
  /** The integration with `big` records. */
  bigIntegrationId: string;
  big: number;
  records: number;
  integrations: number;
  /** The `synced_at` of the big integration's records. */
  bigSyncedAt: string;
  seedSeconds: number;
}

export const PER_SMALL_INTEGRATION = 100;
/** The big integration's remote ids: `emp-` and 8 digits, so that a cursor can be any number. */
export const remoteIdOf = (i: number) => `emp-${String(i).padStart(8, "0")}`;

const [mode, file, ...rest] = process.argv.slice(2);
if (!file) throw new Error("usage: sessions-records-process.ts seed|serve|seed-serve <db file> …");
const encryptionKey = process.env.RELINK_ENCRYPTION_KEY;
if (!encryptionKey) throw new Error("RELINK_ENCRYPTION_KEY is not set");

const config = () =>
  defineConfig({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: `sqlite:${file}`,
    encryptionKey,
    logLevel: "silent",
  });
const logger = createLogger({ level: "silent" });

async function seed(records: number, bigArg: number): Promise<SessionsRecordsFixture> {
  const started = performance.now();
  const big = Math.min(records, bigArg);
  // Seeding calls no tool: any address will do there.
  const connectors = demoHrisConnectors("http://127.0.0.1:9");
  const smallCount = Math.ceil((records - big) / PER_SMALL_INTEGRATION);
  const relink = await createRelinkServer({ config: config(), connectors, logger });
  const { secrets } = relink.ctx;
  const { workspaceId, apiKey } = await createWorkspace(relink.ctx);
  const call = managementCall(relink.app, apiKey.key);
  const scope = await call<{ id: string }>("POST", "/v1/scope-configs", {
    name: "Directory",
    category: "HRIS",
    is_default: true,
    models: { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } },
  });
  const sessionKey = await call<{ key: string }>("POST", "/v1/api-keys", {
    name: "product sync",
    scopes: ["credentials:read"],
  });
  const recordsKey = await call<{ key: string }>("POST", "/v1/api-keys", {
    name: "product reader",
    scopes: ["records:read"],
  });

  const now = Date.now();
  const integration = (i: number): NewIntegration => {
    const ageS = smallCount + 2 - i;
    const id = newId("int", now - ageS * 1000);
    return seededIntegration({
      id,
      i,
      now,
      ageS,
      workspaceId,
      tool: "demo-hris",
      scopeConfigId: scope.id,
      credentialsSealed: secrets.sealJson({ api_key: `dhk_unused_${i}` }, id),
    });
  };
  const rows: NewIntegration[] = [];
  for (let i = 0; i <= smallCount; i++) rows.push(integration(i));
  const bigIntegration = rows[Math.floor(rows.length / 2)] as NewIntegration;
  for (let offset = 0; offset < rows.length; offset += 1000) {
    const chunk = rows.slice(offset, offset + 1000);
    await relink.ctx.db
      .transaction()
      .execute((trx) => trx.insertInto("integrations").values(chunk).execute());
  }
  await relink.close();

  // The records: sealed by the server's code, written as `replaceRecords` writes them.
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(
    "insert into synced_records (integration_id, model, remote_id, data, fields_sealed, synced_at) values (?, ?, ?, null, ?, ?)",
  );
  const employee = (i: number, integrationId: string) => ({
    first_name: `First${i}`,
    last_name: `Last${i % 9973}`,
    work_email: `person.${i}@${integrationId.slice(-6).toLowerCase()}.example`,
    job_title: ["Engineer", "Designer", "Accountant", "Sales lead"][i % 4],
    team_id: `team-${i % 40}`,
  });
  const BATCH = 10_000;
  type Row = [string, string, string, string];
  const writeAll = db.transaction((batch: Row[]) => {
    for (const [integrationId, remoteId, sealed, at] of batch)
      insert.run(integrationId, "employees", remoteId, sealed, at);
  });
  let batch: Row[] = [];
  const add = (integrationId: string, remoteId: string, i: number, at: string) => {
    batch.push([
      integrationId,
      remoteId,
      sealFields(secrets, integrationId, "employees", remoteId, employee(i, integrationId)),
      at,
    ]);
    if (batch.length >= BATCH) {
      writeAll(batch);
      batch = [];
    }
  };
  const bigSyncedAt = new Date(now - 2 * 3_600_000).toISOString();
  for (let i = 0; i < big; i++) add(bigIntegration.id, remoteIdOf(i), i, bigSyncedAt);
  let left = records - big;
  for (const row of rows) {
    if (left <= 0) break;
    if (row === bigIntegration) continue;
    const at = new Date(now - 3_600_000 - (left % 86_400) * 1000).toISOString();
    for (let i = 0; i < Math.min(PER_SMALL_INTEGRATION, left); i++) add(row.id, `emp-${i}`, i, at);
    left -= PER_SMALL_INTEGRATION;
  }
  if (batch.length) writeAll(batch);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();

  const fixture: SessionsRecordsFixture = {
    sessionKey: sessionKey.key,
    recordsKey: recordsKey.key,
    managementKey: apiKey.key,
    bigIntegrationId: bigIntegration.id,
    big,
    records,
    integrations: rows.length,
    bigSyncedAt,
    seedSeconds: (performance.now() - started) / 1000,
  };
  return fixture;
}

async function serve(hrisUrl: string): Promise<void> {
  const server = await startServer({ config: config(), connectors: demoHrisConnectors(hrisUrl), logger });
  process.send?.({ url: server.url });
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
}

const nextMessage = () => new Promise<unknown>((resolve) => process.once("message", resolve));

if (mode === "seed") {
  const fixture = await seed(Number(rest[0] ?? "10000"), Number(rest[1] ?? "2000"));
  process.stdout.write(`${JSON.stringify(fixture)}\n`);
} else if (mode === "serve") {
  const hrisUrl = rest[0];
  if (!hrisUrl) throw new Error("serve: no demo HR system URL");
  // Started while the seeding runs, so that loading the modules overlaps it: the server itself
  // starts (opens the database, runs no migration left) only when told the seeding is done.
  process.send?.({ loaded: true });
  await nextMessage();
  await serve(hrisUrl);
} else if (mode === "seed-serve") {
  const fixture = await seed(Number(rest[0] ?? "10000"), Number(rest[1] ?? "2000"));
  process.send?.({ fixture });
  const { hrisUrl } = (await nextMessage()) as { hrisUrl?: string };
  if (!hrisUrl) throw new Error("seed-serve: no demo HR system URL");
  await serve(hrisUrl);
} else {
  throw new Error(`unknown mode ${mode}`);
}
