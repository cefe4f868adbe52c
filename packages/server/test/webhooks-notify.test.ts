import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { iso } from "../src/clock.ts";
import type { Config } from "../src/config.ts";
import { inTransaction } from "../src/context.ts";
import { createDatabase } from "../src/db/connect.ts";
import { recordEvent } from "../src/domain/events.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { newId } from "../src/ids.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { createTestDatabase, postgresAdminUrl, syntheticEvent, waitFor } from "../src/testing/index.ts";
import { WEBHOOK_CHANNEL } from "../src/webhooks/notify.ts";
import { startReceiver } from "./webhook-receiver.ts";

/**
 * Cross-replica wake-up on PostgreSQL: the transaction that writes outbox rows sends a NOTIFY,
 * every replica's dispatcher LISTENs on a dedicated connection, polling stays the fallback.
 */

/**
 * Replica B polls every 10 minutes: a delivery within PROMPT_MS (20 times less, and generous enough
 * for a busy machine) was woken by the notification, not found by a poll.
 */
const POLL_MS = 600_000;
const PROMPT_MS = 30_000;

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

describe.skipIf(!postgresAdminUrl())("webhook wake-ups across replicas (PostgreSQL LISTEN/NOTIFY)", () => {
  async function world() {
    const database = await createTestDatabase("postgres");
    open.push(() => database.close());
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    open.push(() => admin.end());
    const receiver = await startReceiver();
    open.push(() => receiver.close());
    const logs: Array<Record<string, unknown>> = [];
    const logger = (name: string) =>
      createLogger({
        level: "info",
        destination: { write: (line: string) => void logs.push({ replica: name, ...JSON.parse(line) }) },
      });
    const config: Partial<Config> = {
      encryptionKey: generateEncryptionKey(),
      allowPrivateWebhookUrls: true,
      allowHttpWebhookUrls: true,
      webhookTickMs: POLL_MS,
    };
    // Replica A takes API calls only (it runs no dispatcher, so it cannot deliver what it writes);
    // replica B, with its own pool, delivers, and polls once a minute.
    const a: RelinkServer = await createRelinkServer({
      db: database,
      logger: logger("a"),
      config: { ...config, runWorkers: false },
    });
    open.push(() => a.close());
    const bDatabase = createDatabase(database.url);
    open.push(() => bDatabase.close());
    const b: RelinkServer = await createRelinkServer({ db: bDatabase, logger: logger("b"), config });
    open.push(() => b.close());

    const { workspaceId, apiKey } = await createWorkspace(a.ctx);
    const created = await a.app.request("/v1/webhook-endpoints", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(created.status).toBe(201);

    const emit = (server: RelinkServer, fail = false) =>
      inTransaction(server.ctx, async (tx) => {
        const integrationId = newId("int");
        const { id } = await recordEvent(
          tx,
          syntheticEvent({
            workspaceId,
            type: "sync-finished",
            integrationId,
            data: { integration_id: integrationId },
            createdAt: iso(new Date()),
          }),
        );
        if (fail) throw new Error("rolled back on purpose");
        return id;
      });
    /** Commits an event through A; resolves with the milliseconds until the receiver had it. */
    const deliveredAfter = async (): Promise<number> => {
      const eventId = await emit(a);
      const committed = performance.now();
      // Looked up among everything received: it may arrive before `emit` has returned its id.
      const arrived = await waitFor(
        `event ${eventId} delivered`,
        () => receiver.received.find((r) => r.json.id === eventId),
        { timeoutMs: PROMPT_MS * 2 },
      );
      return Math.max(0, arrived.at - committed);
    };
    /** The pid of B's listening backend, once there is one (other than `not`). */
    const listenerPid = (not?: number) =>
      waitFor("a listening backend", async () => {
        const { rows } = await admin.query<{ pid: number }>(
          "select pid from pg_stat_activity where datname = current_database() and query = $1",
          [`listen ${WEBHOOK_CHANNEL}`],
        );
        const pid = rows.map((r) => r.pid).find((p) => p !== not);
        return pid;
      });
    return { database, admin, receiver, logs, a, b, emit, deliveredAfter, listenerPid };
  }

  it("an event committed through replica A is delivered by replica B at once, not at its next poll", async () => {
    const w = await world();
    w.b.start();
    await w.listenerPid();
    const latencies: number[] = [];
    for (let n = 0; n < 5; n++) latencies.push(await w.deliveredAfter());
    for (const ms of latencies) expect(ms).toBeLessThan(PROMPT_MS);
    expect(w.receiver.received).toHaveLength(5);
  });

  it("the listener survives a terminated backend: it reconnects, nothing is lost, and it is closed on shutdown", async () => {
    const w = await world();
    w.b.start();
    const first = await w.listenerPid();
    expect(await w.deliveredAfter()).toBeLessThan(PROMPT_MS);

    // The connection is killed under the listener; an event committed right then (before the
    // listener is back, most likely) is delivered once it is: listening again wakes the dispatcher.
    await w.admin.query("select pg_terminate_backend($1)", [first]);
    expect(await w.deliveredAfter()).toBeLessThan(PROMPT_MS);
    const second = await w.listenerPid(first);
    expect(second).not.toBe(first);
    // And notifications work again on the new connection.
    expect(await w.deliveredAfter()).toBeLessThan(PROMPT_MS);
    expect(
      w.logs.some((l) => l.replica === "b" && String(l.msg).includes("lost its PostgreSQL connection")),
    ).toBe(true);

    // Twice more, back to back: each loss is survived.
    for (let i = 0; i < 2; i++) {
      const pid = await w.listenerPid();
      await w.admin.query("select pg_terminate_backend($1)", [pid]);
      await w.listenerPid(pid);
    }
    expect(await w.deliveredAfter()).toBeLessThan(PROMPT_MS);
    expect(new Set(w.receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(
      w.receiver.received.length,
    );

    // Shutdown closes the listening connection.
    await w.b.close();
    await waitFor("no listening backend", async () => {
      const { rows } = await w.admin.query(
        "select 1 from pg_stat_activity where datname = current_database() and query = $1",
        [`listen ${WEBHOOK_CHANNEL}`],
      );
      return rows.length === 0;
    });
  });

  it("the NOTIFY is part of the outbox transaction: sent when it commits, never when it rolls back", async () => {
    const w = await world();
    const client = new pg.Client({ connectionString: w.database.url });
    await client.connect();
    open.push(() => client.end());
    const notified: string[] = [];
    client.on("notification", (m) => notified.push(m.channel));
    await client.query(`listen ${WEBHOOK_CHANNEL}`);

    await expect(w.emit(w.a, true)).rejects.toThrow("rolled back on purpose");
    expect(notified).toEqual([]);
    const pending = await w.a.ctx.db.selectFrom("webhook_deliveries").select("id").execute();
    expect(pending).toEqual([]);

    // Notifications arrive in commit order: had the rolled-back transaction sent one, it would
    // arrive before the committed one's, and there would be two.
    await w.emit(w.a);
    await waitFor("a notification", () => notified.length > 0);
    expect(notified).toEqual([WEBHOOK_CHANNEL]);
  });
});
