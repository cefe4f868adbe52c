import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { iso } from "../src/clock.ts";
import { inTransaction } from "../src/context.ts";
import { recordEvent } from "../src/domain/events.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { newId } from "../src/ids.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { syntheticEvent, waitFor } from "../src/testing/index.ts";
import { freePort } from "../src/testing/ports.ts";
import { startReceiver, validSignatures } from "./webhook-receiver.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("webhooks across crashes", () => {
  const dir = mkdtempSync(join(tmpdir(), "relink-crash-"));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGKILL of the server during deliveries: after restarts every event arrives at least once, in order", async () => {
    const databaseUrl = `sqlite:${join(dir, "relink.db")}`;
    const encryptionKey = generateEncryptionKey();
    const port = await freePort();
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    // Answers take a little while, so that kills land while POSTs are in flight.
    receiver.answer((_r, res) => {
      setTimeout(() => res.writeHead(200).end("ok"), Math.random() * 15);
    });

    // This process writes the events (the outbox) into the same SQLite file; the child delivers them.
    const local: RelinkServer = await createRelinkServer({
      db: databaseUrl,
      logger: createLogger({ level: "silent" }),
      config: {
        databaseUrl,
        encryptionKey,
        runWorkers: false,
        allowPrivateWebhookUrls: true,
        allowHttpWebhookUrls: true,
      },
    });
    cleanups.push(() => local.close());
    const { workspaceId, apiKey } = await createWorkspace(local.ctx);
    const created = await local.app.request("/v1/webhook-endpoints", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    let child: ChildProcess | null = null;
    const startChild = async () => {
      // node --import tsx rather than the tsx CLI: one process, so SIGKILL hits the server itself.
      const proc = spawn(process.execPath, ["--import", "tsx", "packages/server/src/cli.ts", "serve"], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          HOST: "127.0.0.1",
          RELINK_ENCRYPTION_KEY: encryptionKey,
          RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
          RELINK_WEBHOOK_TICK: "50ms",
          RELINK_WEBHOOK_TIMEOUT: "1s",
          LOG_LEVEL: "error",
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      child = proc;
      // tsx compiles the server first: seconds on a quiet machine, many more on a busy one.
      await waitFor(
        "the server to start",
        async () => {
          if (proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}`);
          return fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false, // not listening yet
          );
        },
        { timeoutMs: 90_000, intervalMs: 50 },
      );
    };
    const kill = async () => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGKILL");
      await exited;
    };
    cleanups.push(kill);

    const integrations = Array.from({ length: 6 }, () => newId("int"));
    const emitted = new Map<string, string[]>(integrations.map((i) => [i, []]));
    const emit = async (n: number) => {
      const integration = integrations[n % integrations.length]!;
      const { id } = await inTransaction(local.ctx, (tx) =>
        recordEvent(
          tx,
          syntheticEvent({
            workspaceId,
            type: "sync-finished",
            integrationId: integration,
            data: { integration_id: integration, n },
            createdAt: iso(new Date()),
          }),
        ),
      );
      emitted.get(integration)!.push(id);
    };

    await startChild();
    let n = 0;
    for (let round = 0; round < 4; round++) {
      // Events keep coming while the server delivers; then it is killed at a random moment.
      const killAt = performance.now() + 150 + Math.random() * 350;
      while (performance.now() < killAt) {
        await emit(n++);
        await sleep(3);
      }
      await kill();
      for (let k = 0; k < 20; k++) await emit(n++); // written while the server is down
      await startChild();
    }

    const pending = () =>
      local.ctx.db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "!=", "SUCCEEDED")
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    await waitFor("every delivery done", async () => (await pending()) === 0, {
      timeoutMs: 120_000,
      intervalMs: 100,
      describe: async () => `${await pending()} not done`,
    });

    const received = receiver.received;
    const all = [...emitted.values()].flat();
    expect(all.length).toBe(n);
    const firstSeen = new Set(received.map((r) => r.headers["webhook-id"]));
    expect(all.filter((id) => !firstSeen.has(id))).toEqual([]);
    for (const [integration, events] of emitted) {
      const arrivals = received
        .filter((r) => r.json.data.integration_id === integration)
        .map((r) => r.json.id);
      expect([...new Set(arrivals)]).toEqual(events);
    }
    for (const r of received.slice(0, 20)) expect(await validSignatures(secret, r)).toEqual([true]);
    const duplicates = received.length - firstSeen.size;
    console.info(
      `crash test: ${n} events, ${received.length} requests, ${duplicates} redelivered after kills`,
    );
  }, 300_000);
});
