import type pg from "pg";
import type { Dialect } from "../db/connect.ts";
import type { Logger } from "../logging.ts";
import { type Executor, run } from "./queries.ts";

/**
 * Cross-replica wake-up on PostgreSQL: whoever makes deliveries due (the outbox, a manual retry,
 * an endpoint enabled again) sends a NOTIFY on this channel, and every replica's dispatcher LISTENs
 * on a dedicated connection. Polling stays the fallback (a lost notification, a listener
 * reconnecting); in-process wake-ups still serve the replica that wrote.
 */
export const WEBHOOK_CHANNEL = "relink_webhooks";

const NOTIFY = { text: "select pg_notify($1, '')" };

/**
 * Tells every replica's dispatcher that deliveries are due (PostgreSQL; nothing on SQLite, whose
 * only dispatcher is woken in-process). Inside a transaction the notification goes out only if it
 * commits, and only then (never before the rows are visible).
 */
export async function notifyWebhookDispatchers(db: Executor, dialect: Dialect): Promise<void> {
  if (dialect === "postgres") await run(db, NOTIFY, [WEBHOOK_CHANNEL]);
}

export interface WebhookListener {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

export interface WebhookListenerOptions {
  /** A new client outside the pool, to the same database. */
  newClient: () => pg.Client;
  /** Called on every notification, and once each time listening (re)starts: what was missed meanwhile. */
  onWake: () => void;
  log: Logger;
  /** First and longest wait before reconnecting; the wait doubles after each failure. */
  retryMs?: { min: number; max: number };
}

/**
 * LISTENs on a dedicated connection. A lost connection (a PostgreSQL restart, a terminated
 * backend, a network failure) is logged and replaced after a short, growing wait; nothing of it
 * is thrown: the process goes on, with polling meanwhile.
 */
export function listenForWebhooks(options: WebhookListenerOptions): WebhookListener {
  const { log, onWake } = options;
  const retry = options.retryMs ?? { min: 100, max: 5_000 };
  let delay = retry.min;
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function connect(): void {
    if (closed || client || connecting) return;
    const c = options.newClient();
    let lost = false;
    const drop = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      c.end().catch(() => {});
      if (closed) return;
      log.warn(
        { err: error ? { message: error.message } : undefined, retry_in_ms: delay },
        "webhook listener lost its PostgreSQL connection; polling until it is back",
      );
      scheduleReconnect();
    };
    // An `error` event without a listener would end the process.
    c.on("error", (error) => drop(error));
    c.on("end", () => drop());
    c.on("notification", (message) => {
      if (message.channel === WEBHOOK_CHANNEL) onWake();
    });
    connecting = (async () => {
      try {
        await c.connect();
        await c.query(`listen ${WEBHOOK_CHANNEL}`);
      } catch (error) {
        drop(error as Error);
        return;
      }
      if (lost) return;
      if (closed) {
        lost = true;
        await c.end().catch(() => {});
        return;
      }
      client = c;
      if (delay > retry.min) log.info("webhook listener connected to PostgreSQL again");
      delay = retry.min;
      // Deliveries committed while nobody listened.
      onWake();
    })().finally(() => {
      connecting = null;
    });
  }

  function scheduleReconnect(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, retry.max);
  }

  connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await connecting;
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
