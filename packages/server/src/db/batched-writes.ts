import type { Kysely } from "kysely";
import { chunks } from "./bulk.ts";
import type { Database } from "./schema.ts";

interface Pending<Item> {
  item: Item;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes asked for during one turn of the event loop, made together (a group commit): the first
 * one waits for the turn's end (`setImmediate`, after the I/O callbacks of this turn), then `write`
 * gets every item queued meanwhile for the same database, in batches of a power of two at most
 * `max` (`chunks`: a multi-row statement then comes in a few shapes only), and makes each batch in
 * one statement (one commit). Each caller's promise settles once its item is committed: nothing
 * is answered before it is written. On SQLite every commit appends each page it changed to the
 * WAL (a `sync_sessions` row changes four: the table and its three indexes), so rows committed
 * together share those pages and their copy by the checkpoint; on PostgreSQL they share one round
 * trip. A caller alone waits for nothing but the end of the current turn.
 *
 * When a batch fails, each of its items is written again alone, so that one item's failure (its
 * parent row deleted meanwhile: a foreign key) is its caller's alone. `write` must therefore be all
 * or nothing (one statement is).
 */
export function batchedWrites<Item>(
  write: (db: Kysely<Database>, items: Item[]) => Promise<unknown>,
  max = 64,
): (db: Kysely<Database>, item: Item) => Promise<void> {
  const queues = new WeakMap<Kysely<Database>, Array<Pending<Item>>>();
  return (db, item) =>
    new Promise<void>((resolve, reject) => {
      let queue = queues.get(db);
      if (!queue) {
        const started: Array<Pending<Item>> = [];
        queue = started;
        queues.set(db, started);
        setImmediate(() => {
          queues.delete(db);
          void flush(db, started, write, max);
        });
      }
      queue.push({ item, resolve, reject });
    });
}

async function flush<Item>(
  db: Kysely<Database>,
  queue: Array<Pending<Item>>,
  write: (db: Kysely<Database>, items: Item[]) => Promise<unknown>,
  max: number,
): Promise<void> {
  for (const batch of chunks(queue, max)) {
    try {
      await write(
        db,
        batch.map((p) => p.item),
      );
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        continue;
      }
      await Promise.all(
        batch.map(async (p) => {
          try {
            await write(db, [p.item]);
            p.resolve();
          } catch (alone) {
            p.reject(alone);
          }
        }),
      );
    }
  }
}
