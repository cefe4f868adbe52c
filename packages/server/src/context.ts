import type { Kysely, Transaction } from "kysely";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { ConnectorRegistry } from "./connectors/types.ts";
import type { Dialect } from "./db/connect.ts";
import type { Database } from "./db/schema.ts";
import type { LocalClaims } from "./domain/local-claims.ts";
import type { Logger } from "./logging.ts";
import type { SecretBox } from "./secrets.ts";

export type Wakeable = "scheduler" | "webhooks";

/** The dependencies of every domain module, built once by `createRelinkServer`. */
export interface RelinkContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** SQLite: the scheduler's claims, held in this process (`domain/local-claims.ts`). */
  readonly claims?: LocalClaims;
  readonly clock: Clock;
  readonly config: Config;
  readonly connectors: ConnectorRegistry;
  readonly secrets: SecretBox;
  readonly log: Logger;
  /** In-process wake-up of a background worker (polling stays the fallback). */
  wake(worker: Wakeable): void;
  onWake(worker: Wakeable, listener: () => void): () => void;
}

/** A transaction, with work to do only once it has committed. */
export interface Tx {
  readonly db: Transaction<Database>;
  readonly dialect: Dialect;
  afterCommit(fn: () => void): void;
  /** Wakes a background worker once the transaction has committed. */
  wake(worker: Wakeable): void;
}

/** Runs `fn` in one database transaction; `afterCommit` callbacks run only if it commits. */
export async function inTransaction<T>(ctx: RelinkContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const callbacks: Array<() => void> = [];
  const result = await ctx.db.transaction().execute((trx) =>
    fn({
      db: trx,
      dialect: ctx.dialect,
      afterCommit: (cb) => callbacks.push(cb),
      wake: (worker) => callbacks.push(() => ctx.wake(worker)),
    }),
  );
  for (const cb of callbacks) {
    try {
      cb();
    } catch (error) {
      ctx.log.error({ err: error }, "after-commit callback failed");
    }
  }
  return result;
}

export function createWakeups(): Pick<RelinkContext, "wake" | "onWake"> {
  const listeners = new Map<Wakeable, Set<() => void>>();
  return {
    wake(worker) {
      for (const listener of listeners.get(worker) ?? []) listener();
    },
    onWake(worker, listener) {
      const set = listeners.get(worker) ?? new Set();
      set.add(listener);
      listeners.set(worker, set);
      return () => set.delete(listener);
    },
  };
}
