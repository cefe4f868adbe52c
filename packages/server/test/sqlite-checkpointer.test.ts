import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "../src/db/checkpointer.ts";
import { createDatabase } from "../src/db/connect.ts";
import { waitFor } from "../src/testing/index.ts";

/**
 * The WAL checkpoints' thread (`db/checkpointer.ts`): the connection that commits has its own
 * automatic checkpoint turned off here, so the database file (not the WAL) holds the rows only if
 * the thread copied them there.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "relink-checkpointer-"));
  dirs.push(dir);
  return join(dir, "relink.db");
}

/** A writer as the server opens it, with no checkpoint of its own. */
function writer(path: string): SqliteDatabase.Database {
  const db = new SqliteDatabase(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("create table t (id integer primary key, body text not null)");
  return db;
}

function writeRows(db: SqliteDatabase.Database, from: number, count: number): void {
  const insert = db.prepare("insert into t (id, body) values (?, ?)");
  db.transaction(() => {
    for (let i = from; i < from + count; i++) insert.run(i, "x".repeat(1000));
  })();
}

const WAIT = { timeoutMs: 20_000 };

/** A thread that starts at 256 KiB of WAL and looks every 10 ms: a test's writes reach it in time. */
const soon = (minFrames: number) => ({ startAtBytes: 256 * 1024, watchMs: 10, intervalMs: 10, minFrames });

describe("the WAL checkpoints' thread", () => {
  it("starts once the WAL passes its threshold and copies the WAL into the database file", async () => {
    const path = tempFile();
    const db = writer(path);
    const checkpointer = startCheckpointer(path, soon(16));
    try {
      writeRows(db, 0, 20); // about 20 KiB: below the threshold
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(checkpointer.running).toBe(false);
      const before = statSync(path).size;

      writeRows(db, 20, 2_000); // about 2 MiB of WAL
      await waitFor("the thread to start", () => checkpointer.running, WAIT);
      await waitFor("the rows in the database file", () => statSync(path).size > before + 1_500_000, WAIT);
      expect(db.prepare("select count(*) as n from t").get()).toEqual({ n: 2_020 });
    } finally {
      await checkpointer.stop();
      db.close();
    }
    expect(checkpointer.running).toBe(false);
  });

  it("leaves the WAL as it is until enough pages wait to be copied", async () => {
    const path = tempFile();
    const db = writer(path);
    const checkpointer = startCheckpointer(path, soon(1_000)); // pages of 4 KiB: about 4 MiB
    try {
      const before = statSync(path).size;
      writeRows(db, 0, 400); // about 400 KiB of rows: some hundred pages
      await waitFor("the thread to start", () => checkpointer.running, WAIT);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(statSync(path).size).toBe(before);

      writeRows(db, 400, 5_000); // about 5 MiB more: over the threshold
      await waitFor("the rows in the database file", () => statSync(path).size > before + 4_000_000, WAIT);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it("without it, the rows stay in the WAL (the test's control)", async () => {
    const path = tempFile();
    const db = writer(path);
    try {
      const before = statSync(path).size;
      writeRows(db, 0, 2_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(statSync(path).size).toBe(before);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_500_000);
    } finally {
      db.close();
    }
  });

  it("runs beside the server's connection, which closes after it with every row kept", async () => {
    const path = tempFile();
    const database = createDatabase(`sqlite:${path}`, {
      checkpointer: soon(16),
    });
    await sql`pragma wal_autocheckpoint = 0`.execute(database.db);
    await sql`create table t (id integer primary key, body text not null)`.execute(database.db);
    const before = statSync(path).size;
    for (let batch = 0; batch < 20; batch++) {
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 100; i++)
          await sql`insert into t (id, body) values (${batch * 100 + i}, ${"y".repeat(1000)})`.execute(tx);
      });
    }
    await waitFor("the rows in the database file", () => statSync(path).size > before + 1_500_000, WAIT);
    await database.close();

    const reopened = new SqliteDatabase(path, { readonly: true });
    try {
      expect(reopened.prepare("select count(*) as n from t").get()).toEqual({ n: 2_000 });
    } finally {
      reopened.close();
    }
  });
});
