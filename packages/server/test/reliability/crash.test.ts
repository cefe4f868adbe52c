import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { createDatabase, migrateToLatest, type RelinkDatabase } from "../../src/db/connect.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { generateEncryptionKey, SecretBox } from "../../src/secrets.ts";
import { startReceiver } from "../webhook-receiver.ts";
import { checkInvariants } from "./invariants.ts";
import {
  apiFor,
  cleanupStack,
  findLeaks,
  hasPostgresBinaries,
  type PgCluster,
  report,
  type ServerProcess,
  scale,
  serverProcess,
  sleep,
  startPgCluster,
  waitFor,
} from "./support.ts";

/**
 * Issue 11 items 1, 2 and 5: real `relink-server serve` processes (three on PostgreSQL in the full
 * run, two in the quick one; one on SQLite) doing syncs, pauses, relink completions and webhook
 * deliveries while they are SIGKILLed at random moments and restarted, and (PostgreSQL) while the
 * database itself is restarted under them. After every restart the invariant checker runs; at the
 * end every event must have reached the receiver with its stable id, and no secret may appear in
 * the logs or in the database's raw bytes.
 */

const ALL = ["employees:read", "employees.personal:read", "compensation:read", "time_off:read", "teams:read"];
const cleanup = cleanupStack();
afterAll(() => cleanup.run());

interface World {
  servers: ServerProcess[];
  database: RelinkDatabase;
  secrets: SecretBox;
  hris: RunningDemoHris;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  apiKey: string;
  webhookSecret: string;
  hrisKeys: string[];
  logDir: string;
  env: Record<string, string>;
  signingSecret: string;
  encryptionKey: string;
}

async function hrisKey(hris: RunningDemoHris): Promise<string> {
  const response = await fetch(`${hris.url}/admin/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ company_id: "acme", permissions: ALL }),
  });
  return ((await response.json()) as { key: string }).key;
}

async function startWorld(databaseUrl: string, replicas: number): Promise<World> {
  const logDir = mkdtempSync(join(tmpdir(), "relink-rel-logs-"));
  cleanup.add(() => (process.env.KEEP_LOGS ? undefined : rmSync(logDir, { recursive: true, force: true })));
  const encryptionKey = generateEncryptionKey();
  const secrets = new SecretBox(encryptionKey);
  const database = createDatabase(databaseUrl);
  cleanup.add(() => database.close());
  await migrateToLatest(database.db);
  const { apiKey } = await createWorkspace({ db: database.db, clock: systemClock }, "Crash workspace");
  const hris = await startDemoHris({ port: 0 });
  cleanup.add(() => hris.close());
  const receiver = await startReceiver();
  cleanup.add(() => receiver.close());
  // Answers take a moment, so that kills land while deliveries are in flight.
  receiver.answer((_r, res) => void setTimeout(() => res.writeHead(200).end("ok"), Math.random() * 20));
  const env = {
    DATABASE_URL: databaseUrl,
    RELINK_ENCRYPTION_KEY: encryptionKey,
    ...demoHrisServerEnv(hris.url),
    RELINK_PAUSE_AFTER: "1500ms",
    RELINK_SYNC_INTERVAL: "400ms",
    RELINK_SCHEDULER_TICK: "50ms",
    RELINK_LEASE: "2s",
    RELINK_WEBHOOK_TICK: "50ms",
    RELINK_WEBHOOK_TIMEOUT: "2s",
    RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
  };
  const servers: ServerProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    const server = await serverProcess(`replica-${i}`, env, logDir);
    cleanup.add(() => server.kill());
    servers.push(server);
  }
  await Promise.all(servers.map((s) => s.start()));
  const api = apiFor(servers, apiKey.key);
  const endpoint = await api("POST", "/v1/webhook-endpoints", { url: receiver.url });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
  const scope = await api("POST", "/v1/scope-configs", {
    name: "Employees",
    category: "HRIS",
    is_default: true,
    models: { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } },
  });
  expect(scope.status).toBe(201);
  const signing = await api("POST", "/v1/signing-keys", { algorithm: "HS256" });
  expect(signing.status).toBe(201);
  return {
    signingSecret: (signing.body as { secret: string }).secret,
    encryptionKey,
    servers,
    database,
    secrets,
    hris,
    receiver,
    apiKey: apiKey.key,
    webhookSecret: (endpoint.body as { secret: string }).secret,
    hrisKeys: [],
    logDir,
    env,
  };
}

async function importIntegrations(world: World, count: number): Promise<string[]> {
  const api = apiFor(world.servers, world.apiKey);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = await hrisKey(world.hris);
    world.hrisKeys.push(key);
    const created = await api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: `org-${i}`, organization_name: `Org ${i}` },
      credentials: { api_key: key },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids.push((created.body as { id: string }).id);
  }
  // A third lose their key: they fail, warn, and pause within the 1.5 s window, during the kills.
  for (let i = 0; i < count; i += 3) {
    await fetch(`${world.hris.url}/admin/api-keys/${encodeURIComponent(world.hrisKeys[i] ?? "")}`, {
      method: "DELETE",
    });
  }
  return ids;
}

/** One relink completed through the connect API, possibly with its server killed right after sending. */
async function relink(world: World, integrationId: string, killAfterMs: number | null): Promise<void> {
  const api = apiFor(world.servers, world.apiKey);
  const link = await api("POST", `/v1/integrations/${integrationId}/relink`, {});
  if (link.status !== 200 && link.status !== 201) return;
  const token = (link.body as { token: string }).token;
  const key = await hrisKey(world.hris);
  world.hrisKeys.push(key);
  const live = world.servers.filter((s) => s.alive());
  const target = live[Math.floor(Math.random() * live.length)];
  if (!target) return;
  const sent = fetch(`${target.url}/connect/v1/credentials`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ values: { api_key: key } }),
  }).catch(() => null);
  if (killAfterMs !== null) {
    await sleep(killAfterMs);
    await target.kill();
    await target.start();
  }
  await sent;
}

async function assertInvariants(world: World, label: string, clean = false): Promise<number> {
  const result = await checkInvariants(world.database.db, { secrets: world.secrets, clean });
  expect(result.violations, label).toEqual([]);
  return result.eventsChecked;
}

async function chaos(world: World, options: { seconds: number; pg?: PgCluster; ids: string[] }) {
  let kills = 0;
  let restarts = 0;
  const deadline = Date.now() + options.seconds * 1000;
  let pgRestarted = !options.pg;
  for (let round = 0; Date.now() < deadline && round < 1000; round++) {
    const action = Math.random();
    const id = options.ids[Math.floor(Math.random() * options.ids.length)] ?? "";
    if (!pgRestarted && Date.now() > deadline - (options.seconds * 1000) / 2 && options.pg) {
      // The database restarts under the servers; they must come back to ready by themselves.
      options.pg.restart();
      pgRestarted = true;
      for (const server of world.servers) {
        const readyz = () =>
          fetch(`${server.url}/readyz`).then(
            (r) => r.ok,
            () => false,
          );
        const ready = await waitFor(`${server.name} ready`, readyz, {
          timeoutMs: 90_000,
          intervalMs: 100,
        }).catch(() => false);
        const last = await fetch(`${server.url}/readyz`).then(
          async (r) => `${r.status} ${await r.text()}`,
          String,
        );
        expect(
          ready,
          `${server.name} ready again after the PostgreSQL restart: ${last} (alive: ${server.alive()})\n${readFileSync(server.logFile, "utf8").slice(-3000)}`,
        ).toBe(true);
        expect(server.alive(), `${server.name} survived the PostgreSQL restart`).toBe(true);
      }
      restarts++;
      await assertInvariants(world, "after the PostgreSQL restart");
    } else if (action < 0.45) {
      const victim = world.servers[Math.floor(Math.random() * world.servers.length)];
      if (!victim) continue;
      await sleep(Math.random() * 300);
      await victim.kill();
      kills++;
      await assertInvariants(world, `after killing ${victim.name}`);
      await victim.start();
    } else if (action < 0.75) {
      await relink(world, id, Math.random() < 0.5 ? Math.floor(Math.random() * 40) : null);
      kills++;
      await assertInvariants(world, "after a relink with a kill");
    } else {
      await apiFor(world.servers, world.apiKey)("POST", `/v1/integrations/${id}/sync`);
      await sleep(200);
    }
  }
  return { kills, restarts };
}

/** Clean stop, drain, then: invariants, every event delivered with its id, no secret anywhere. */
async function finish(world: World, rawAfterStop: () => Promise<Array<{ where: string; text: string }>>) {
  // Quiesce: every integration disabled (no more syncs, so no more events), every replica up
  // until the receiver has every event, then a clean stop.
  for (const s of world.servers) await s.start();
  const api = apiFor(world.servers, world.apiKey);
  const all = await world.database.db.selectFrom("integrations").select("id").execute();
  for (const { id } of all) await api("PUT", `/v1/integrations/${id}/enabled`, { value: false });
  const delivered = () => new Set(world.receiver.received.map((r) => r.json.id));
  await waitFor(
    "every event delivered",
    async () => {
      const ids = await world.database.db.selectFrom("events").select("id").execute();
      const seen = delivered();
      return ids.every((e) => seen.has(e.id));
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  // A replica SIGKILLed just before this phase still "holds" its claims until their lease runs out
  // (RELINK_LEASE, 2 s): by design, nobody else may take them sooner. Wait that out, so that what the
  // clean stop leaves behind is the stopping servers' own doing.
  await waitFor(
    "the killed replicas' leases run out",
    async () => {
      const held = await world.database.db
        .selectFrom("integrations")
        .select("id")
        .where("lease_owner", "is not", null)
        .where("lease_expires_at", ">", new Date().toISOString())
        .execute();
      return held.length === 0;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  for (const s of world.servers) await s.stop();
  const eventsChecked = await assertInvariants(world, "after the clean stop", true);

  const events = await world.database.db.selectFrom("events").select(["id", "type"]).execute();
  const received = new Map<string, string>();
  for (const r of world.receiver.received) {
    expect(r.headers["webhook-id"], "the webhook id is the event id").toBe(r.json.id);
    received.set(r.json.id, r.json.type);
  }
  const missing = events.filter((e) => !received.has(e.id));
  const stuck = missing.length
    ? await world.database.db
        .selectFrom("webhook_deliveries")
        .selectAll()
        .where(
          "event_id",
          "in",
          missing.map((e) => e.id),
        )
        .execute()
    : [];
  expect(
    missing,
    `every event delivered at least once; deliveries: ${JSON.stringify(stuck, null, 1)}`,
  ).toEqual([]);

  const secrets = [
    world.apiKey,
    world.webhookSecret,
    world.signingSecret,
    world.encryptionKey,
    ...world.hrisKeys,
  ];
  const leaks: string[] = [];
  for (const { where, text } of await rawAfterStop()) leaks.push(...findLeaks(text, secrets, where));
  for (const r of world.receiver.received) leaks.push(...findLeaks(r.body, secrets, "a webhook body"));
  // Every answer of the management API after the fact: secrets only ever in their creation answer.
  const reader = await serverProcess("reader", { ...world.env, RELINK_RUN_WORKERS: "false" }, world.logDir);
  await reader.start();
  try {
    const ids = (await world.database.db.selectFrom("integrations").select("id").limit(20).execute()).map(
      (r) => r.id,
    );
    for (const path of [
      "/v1/integrations?limit=100",
      "/v1/events?limit=100",
      "/v1/webhook-endpoints",
      "/v1/webhook-deliveries?limit=100",
      "/v1/signing-keys",
      "/v1/api-keys",
      "/v1/scope-configs",
      ...ids.flatMap((id) => [
        `/v1/integrations/${id}`,
        `/v1/integrations/${id}/syncs`,
        `/v1/integrations/${id}/auth-checks`,
      ]),
    ]) {
      const r = await fetch(reader.url + path, { headers: { authorization: `Bearer ${world.apiKey}` } });
      expect(r.status, path).toBe(200);
      leaks.push(...findLeaks(await r.text(), secrets, path));
    }
  } finally {
    await reader.stop();
  }
  for (const file of readdirSync(world.logDir))
    leaks.push(...findLeaks(readFileSync(join(world.logDir, file), "utf8"), secrets, file));

  expect(leaks).toEqual([]);
  return { eventsChecked, leaks: leaks.length, secrets: secrets.length };
}

describe.skipIf(!hasPostgresBinaries())("crash and restart on PostgreSQL", () => {
  it(
    "replicas SIGKILLed during syncs, pauses, relinks and deliveries, and PostgreSQL restarted under them",
    async () => {
      const pg = await startPgCluster();
      cleanup.add(() => pg.stop());
      const replicas = scale(2, 3);
      const world = await startWorld(pg.url, replicas);
      const ids = await importIntegrations(world, scale(24, 150));
      const { kills, restarts } = await chaos(world, { seconds: scale(18, 180), pg, ids });
      const result = await finish(world, async () => [{ where: "pg_dump", text: pg.dump() }]);
      report("crash/postgres", {
        replicas,
        kills,
        eventsChecked: result.eventsChecked,
        leaks: result.leaks,
        note: `${restarts} PostgreSQL restart(s), ${result.secrets} secrets grepped`,
      });
    },
    scale(600_000, 900_000),
  );
});

describe("crash and restart on SQLite", () => {
  it(
    "one server SIGKILLed mid-write, restarted: consistent, nothing lost, no secret in the raw files",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "relink-rel-sqlite-"));
      cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
      const world = await startWorld(`sqlite:${join(dir, "relink.db")}`, 1);
      const ids = await importIntegrations(world, scale(12, 60));
      const { kills } = await chaos(world, { seconds: scale(12, 120), ids });
      const result = await finish(world, async () =>
        readdirSync(dir).map((f) => ({ where: f, text: readFileSync(join(dir, f), "latin1") })),
      );
      report("crash/sqlite", {
        replicas: 1,
        kills,
        eventsChecked: result.eventsChecked,
        leaks: result.leaks,
      });
    },
    scale(600_000, 600_000),
  );
});
