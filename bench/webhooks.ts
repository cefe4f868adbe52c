/**
 * Webhook delivery benchmark: deliveries per second to a local receiver (a backlog drained by one
 * server on SQLite), and the commit-to-receipt latency of single events (p50/p99).
 *
 *   pnpm exec tsx bench/webhooks.ts [--events 10000] [--latency-events 500] [--concurrency 32] [--integrations 200]
 *   RELINK_TEST_POSTGRES_URL=postgres://… pnpm exec tsx bench/webhooks.ts --postgres   (a throwaway database)
 *       [--replicas 3]
 *
 * `--replicas n`: the dispatchers are n relink processes (`bench/lib/webhook-replica.ts`) on the
 * same database, this one only writes the events (without it: this process dispatches too, and its
 * CPU per delivery is reported).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { WebhookEventData } from "../packages/sdk/src/contract/index.ts";
import { createRelinkServer } from "../packages/server/src/app.ts";
import { inTransaction } from "../packages/server/src/context.ts";
import { type NewEvent, recordEvent, recordEvents } from "../packages/server/src/domain/events.ts";
import { createWorkspace } from "../packages/server/src/domain/workspaces.ts";
import { newId } from "../packages/server/src/ids.ts";
import { createLogger } from "../packages/server/src/logging.ts";
import { generateEncryptionKey } from "../packages/server/src/secrets.ts";
import { createTestDatabase } from "../packages/server/src/testing/index.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    "latency-events": { type: "string", default: "500" },
    concurrency: { type: "string", default: "32" },
    integrations: { type: "string", default: "200" },
    postgres: { type: "boolean", default: false },
    replicas: { type: "string" },
  },
});
const REPLICAS = values.replicas === undefined ? 0 : Number(values.replicas);
const EVENTS = Number(values.events);
const LATENCY_EVENTS = Number(values["latency-events"]);
const INTEGRATIONS = Number(values.integrations);

const dir = mkdtempSync(join(tmpdir(), "relink-bench-"));
const database = values.postgres ? await createTestDatabase("postgres") : null;
const databaseUrl = database?.url ?? `sqlite:${join(dir, "relink.db")}`;

// The receiver is another process (it should take neither the dispatcher's CPU nor be counted in
// it): it answers 200 at once and reports when each webhook-id arrived, the arrivals of one turn of
// its event loop in one message (one message per request cost the relink process more CPU than
// some of what it measures).
const RECEIVER = `
  const { createServer } = require("node:http");
  let batch = [];
  const report = () => {
    process.send({ arrivals: batch });
    batch = [];
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      if (batch.length === 0) setImmediate(report);
      batch.push([String(req.headers["webhook-id"]), performance.timeOrigin + performance.now()]);
    });
  });
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
  process.on("disconnect", () => process.exit(0));
`;
const receiver = spawn(process.execPath, ["-e", RECEIVER], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const arrivals = new Map<string, number>();
let onArrival: ((id: string) => void) | null = null;
const receiverPort = await new Promise<number>((resolve) => {
  receiver.on("message", (message: { port?: number; arrivals?: Array<[id: string, at: number]> }) => {
    if (message.port) resolve(message.port);
    for (const [id, at] of message.arrivals ?? []) {
      if (!arrivals.has(id)) arrivals.set(id, at);
      onArrival?.(id);
    }
  });
});
const receiverUrl = `http://127.0.0.1:${receiverPort}/hooks`;
const now = () => performance.timeOrigin + performance.now();

const config = {
  databaseUrl,
  encryptionKey: generateEncryptionKey(),
  allowPrivateWebhookUrls: true,
  allowHttpWebhookUrls: true,
  webhookConcurrency: Number(values.concurrency),
  webhookTickMs: 1_000,
};
const relink = await createRelinkServer({
  db: database ?? databaseUrl,
  logger: createLogger({ level: "warn" }),
  config,
});
const { workspaceId, apiKey } = await createWorkspace(relink.ctx);
const created = await relink.app.request("/v1/webhook-endpoints", {
  method: "POST",
  headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
  body: JSON.stringify({ url: receiverUrl }),
});
if (created.status !== 201) throw new Error(`endpoint not created: ${await created.text()}`);

const integrations = Array.from({ length: INTEGRATIONS }, () => newId("int"));
const data = (n: number): WebhookEventData<"sync-finished"> => ({
  sync_id: newId("sync"),
  integration_id: integrations[n % INTEGRATIONS]!,
  sync_state: "SUCCEEDED",
  trigger: "SCHEDULE",
  started_at: new Date().toISOString(),
  ended_at: new Date().toISOString(),
  scope_config_id: null,
  warnings: [],
});

// 1. Throughput: a backlog written while the dispatcher is stopped (500 events per transaction,
//    written by the outbox's batch write: a few statements, not three round trips per event on
//    PostgreSQL), then drained.
const BATCH = 500;
for (let n = 0; n < EVENTS; n += BATCH) {
  await inTransaction(relink.ctx, async (tx) => {
    const batch: NewEvent[] = [];
    for (let i = n; i < Math.min(n + BATCH, EVENTS); i++) {
      batch.push({
        workspaceId,
        type: "sync-finished",
        integrationId: integrations[i % INTEGRATIONS]!,
        data: data(i),
        createdAt: new Date().toISOString(),
      });
    }
    await recordEvents(tx, batch);
  });
}
const drained = new Promise<void>((resolve) => {
  onArrival = () => {
    if (arrivals.size >= EVENTS) resolve();
  };
});
// The replicas (processes of their own), started and ready before the clock starts.
const replicas = await Promise.all(
  Array.from({ length: REPLICAS }, async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "lib/webhook-replica.ts"), JSON.stringify(config)],
      { stdio: ["ignore", "inherit", "inherit", "ipc"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`a webhook replica exited (code ${code})`)));
    });
    return child;
  }),
);
const started = performance.now();
const cpuBefore = process.cpuUsage();
if (replicas.length === 0) relink.webhooks.start();
for (const child of replicas) child.send("start");
await drained;
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuMsPerDelivery = (cpu.user + cpu.system) / 1000 / EVENTS;
onArrival = null;

// 2. Latency: one event at a time, from commit to the receiver.
const latencies: number[] = [];
for (let n = 0; n < LATENCY_EVENTS; n++) {
  let eventId = "";
  const arrived = new Promise<void>((resolve) => {
    onArrival = (id) => {
      if (id === eventId) resolve();
    };
  });
  await inTransaction(relink.ctx, async (tx) => {
    eventId = (
      await recordEvent(tx, {
        workspaceId,
        type: "sync-finished",
        integrationId: integrations[n % INTEGRATIONS]!,
        data: data(n),
        createdAt: new Date().toISOString(),
      })
    ).id;
  });
  const committed = now();
  await arrived;
  latencies.push(arrivals.get(eventId)! - committed);
  await new Promise((r) => setTimeout(r, 2));
}
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;

await Promise.all(
  replicas.map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.disconnect();
      }),
  ),
);
await relink.close();
await database?.close();
receiver.disconnect();
rmSync(dir, { recursive: true, force: true });

const dialect = databaseUrl.startsWith("sqlite:") ? "SQLite (file, WAL)" : "PostgreSQL";
console.log(
  `webhook delivery on ${dialect}, concurrency ${values.concurrency}, ${INTEGRATIONS} integrations${REPLICAS ? `, ${REPLICAS} replica process(es)` : ""}, load average ${loadavg()[0]?.toFixed(2)}`,
);
console.log(
  `  throughput: ${EVENTS} deliveries in ${seconds.toFixed(2)} s = ${Math.round(EVENTS / seconds)} deliveries/s`,
);
if (REPLICAS === 0)
  console.log(
    `  CPU of the relink process: ${cpuMsPerDelivery.toFixed(3)} ms per delivery, i.e. ${Math.round(1000 / cpuMsPerDelivery)} deliveries/s per fully available core`,
  );
if (latencies.length > 0)
  console.log(
    `  commit-to-receipt (${LATENCY_EVENTS} single events): p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, max ${latencies.at(-1)!.toFixed(2)} ms`,
  );
