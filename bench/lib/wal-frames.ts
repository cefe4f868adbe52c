import { closeSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import Database from "better-sqlite3";

/** The pages a span of work wrote to SQLite's WAL, by the table or index each page belongs to. */
export interface WalFrames {
  /** Frames appended (one per page per commit that changed it). */
  frames: number;
  /** Commits (frames that end a transaction). */
  commits: number;
  /** Distinct pages among them. */
  pages: number;
  /** Frames per table or index (`dbstat`'s names; a page no longer in use: "(free)"). */
  byName: Record<string, number>;
}

/**
 * Counts the frames appended to the WAL of the SQLite file `file` from now until `stop()`. A
 * second connection holds a read transaction meanwhile: a WAL that a reader still needs is never
 * started over, so every frame written in between is still in the file when `stop()` reads their
 * headers (SQLite's documented WAL format: a 32-byte header, then per frame a 24-byte header whose
 * first word is the page number, second the database size on a commit frame, then the page). The
 * checkpoints still copy frames meanwhile (they stop at the reader's snapshot); the WAL grows by
 * the span's frames. `dbstat` then names each page's table or index. For a bench's analysis
 * (`--wal-frames`), not for its timed figures: the held snapshot and the page walk cost time.
 */
export function countWalFrames(file: string): { stop(): WalFrames } {
  const reader = new Database(file, { fileMustExist: true });
  reader.exec("begin");
  reader.prepare("select count(*) from sqlite_schema").get();
  const from = lastFrame(file);
  return {
    stop() {
      const to = lastFrame(file);
      const pagesWritten = new Map<number, number>();
      let frames = 0;
      let commits = 0;
      const fd = openSync(`${file}-wal`, "r");
      try {
        const header = Buffer.alloc(32);
        readSync(fd, header, 0, 32, 0);
        const pageSize = header.readUInt32BE(8);
        const salts = header.subarray(16, 24);
        const frame = Buffer.alloc(24);
        for (let i = from; i < to; i++) {
          readSync(fd, frame, 0, 24, 32 + i * (24 + pageSize));
          if (!frame.subarray(8, 16).equals(salts)) throw new Error(`WAL frame ${i + 1} is not of this WAL`);
          frames++;
          if (frame.readUInt32BE(4) !== 0) commits++;
          const page = frame.readUInt32BE(0);
          pagesWritten.set(page, (pagesWritten.get(page) ?? 0) + 1);
        }
      } finally {
        closeSync(fd);
        reader.exec("commit");
        reader.close();
      }
      const names = new Map<number, string>();
      const catalog = new Database(file, { readonly: true, fileMustExist: true });
      try {
        for (const row of catalog.prepare("select name, pageno from dbstat").iterate() as Iterable<{
          name: string;
          pageno: number;
        }>)
          names.set(row.pageno, row.name);
      } finally {
        catalog.close();
      }
      const byName: Record<string, number> = {};
      for (const [page, count] of pagesWritten) {
        const name = names.get(page) ?? "(free)";
        byName[name] = (byName[name] ?? 0) + count;
      }
      return { frames, commits, pages: pagesWritten.size, byName };
    },
  };
}

/** The WAL's last valid frame (`mxFrame` of the WAL index, the "-shm" file, in the machine's byte order). */
function lastFrame(file: string): number {
  const fd = openSync(`${file}-shm`, "r");
  try {
    const index = Buffer.alloc(48);
    readSync(fd, index, 0, 48, 0);
    return endianness() === "LE" ? index.readUInt32LE(16) : index.readUInt32BE(16);
  } finally {
    closeSync(fd);
  }
}
