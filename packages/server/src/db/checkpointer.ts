import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * SQLite's WAL checkpoints on a thread of their own. A checkpoint copies the pages written to the
 * WAL since the last one into the database file and syncs both files; done by the connection that
 * commits (SQLite's automatic checkpoint), it runs inside the commit that crossed the threshold, on
 * the event loop (better-sqlite3 is synchronous): every request and every scheduler batch then waits
 * for the copy and the syncs. Here a worker thread with its own connection to the same file looks at
 * the WAL index every `intervalMs` and, once `minFrames` pages wait to be copied, runs a PASSIVE
 * checkpoint (it waits for no reader or writer, and copies only frames no reader still needs), so
 * the event loop's own automatic checkpoint finds most frames already copied and synced. Waiting
 * for `minFrames` keeps what a checkpoint is for: a page many commits rewrite meanwhile (a table's
 * last page, a busy index page) is copied and synced once, not at every turn. The automatic checkpoint stays on: it is the one that lets the writer start the
 * WAL over (a checkpoint that a commit overtakes cannot), and what checkpoints if this thread stops.
 *
 * The thread starts only once the WAL file has grown past `startAtBytes`: a server that writes
 * little (a test, a quiet install) never pays for a thread.
 */
export interface Checkpointer {
  /** Whether the thread runs (tests). */
  readonly running: boolean;
  /** Stops watching and ends the thread (its connection closed); the main connection may close after. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** The WAL size (bytes) at which the thread starts; default 8 MiB. */
  startAtBytes?: number;
  /** How often the WAL's size is looked at before the thread starts (ms); default 500. */
  watchMs?: number;
  /** How often the thread looks at the WAL index (ms); default 100. */
  intervalMs?: number;
  /** Pages (WAL frames) not yet copied at which the thread checkpoints; default 2,048 (8 MiB). */
  minFrames?: number;
  /** Told `true` when the thread starts and `false` when it ends, for whatever reason. */
  onRunning?: (running: boolean) => void;
}

/** The thread's code (CommonJS, run with `eval`: no file to find once the package is built). */
const THREAD = `
const { closeSync, openSync, readSync } = require("node:fs");
const { endianness } = require("node:os");
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// The WAL index (the "-shm" file, SQLite's documented format): two copies of a 48-byte header
// whose mxFrame (byte 16) is the WAL's last frame, then nBackfill (byte 96), the frames copied.
// Its integers are in the machine's byte order.
let shm = null;
try {
  shm = openSync(workerData.path + "-shm", "r");
} catch {
  // No index to read: checkpoint at every turn.
}
const index = Buffer.alloc(100);
const u32 = endianness() === "LE" ? (at) => index.readUInt32LE(at) : (at) => index.readUInt32BE(at);
function waiting() {
  if (shm === null) return Infinity;
  if (readSync(shm, index, 0, 100, 0) < 100) return 0;
  // The two copies differ while a writer changes them: the next turn reads them again.
  if (!index.subarray(0, 48).equals(index.subarray(48, 96))) return 0;
  return u32(16) - u32(96);
}
const timer = setInterval(() => {
  try {
    if (waiting() >= workerData.minFrames) db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy (another checkpoint runs) or the file is going away: the next turn, or the
    // connection's own automatic checkpoint, does it.
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  if (shm !== null) closeSync(shm);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(path: string, options: CheckpointerOptions = {}): Checkpointer {
  const startAtBytes = options.startAtBytes ?? 8 * 1024 * 1024;
  const intervalMs = options.intervalMs ?? 100;
  const minFrames = options.minFrames ?? 2_048;
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  let worker: Worker | null = null;
  let stopped = false;
  let looking = false;

  const watch = setInterval(() => {
    if (looking || stopped) return;
    looking = true;
    stat(`${path}-wal`)
      .then((wal) => {
        if (stopped || wal.size < startAtBytes) return;
        clearInterval(watch);
        worker = new Worker(THREAD, {
          eval: true,
          workerData: { driver, path, intervalMs, minFrames },
          // Its code allocates next to nothing: a small heap keeps the thread's RSS near 9 MB (15 MB
          // with V8's defaults). Out of memory, it ends like any failure: the connection checkpoints.
          resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 },
        });
        // A thread that fails leaves the checkpoints to the connection's automatic ones.
        worker.on("error", () => {});
        worker.once("exit", () => options.onRunning?.(false));
        worker.unref();
        options.onRunning?.(true);
      })
      .catch(() => {}) // no WAL file yet
      .finally(() => {
        looking = false;
      });
  }, options.watchMs ?? 500);
  watch.unref();

  return {
    get running() {
      return worker !== null;
    },
    async stop() {
      stopped = true;
      clearInterval(watch);
      const thread = worker;
      worker = null;
      if (!thread) return;
      const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
      thread.postMessage("stop");
      const timeout = setTimeout(() => void thread.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
