import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { perCheck } from "../lib/per-check.ts";
import { countWalFrames } from "../lib/wal-frames.ts";
import type { SimulationFigures } from "../pause-engine.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A WAL-mode file with a table and an index on a random key, its checkpoints off. */
function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), "relink-wal-frames-"));
  dirs.push(dir);
  const file = join(dir, "t.db");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("create table history (id integer primary key, owner text not null, body text not null)");
  db.exec("create index history_owner on history (owner, id)");
  return { db, file };
}

const insertMany = (db: Database.Database, from: number, rows: number, perCommit: number) => {
  const insert = db.prepare("insert into history (owner, body) values (?, ?)");
  for (let i = from; i < from + rows; i += perCommit)
    db.transaction(() => {
      for (let j = i; j < Math.min(i + perCommit, from + rows); j++)
        insert.run(`owner-${(j * 7919) % 10_007}`, "x".repeat(200));
    })();
};

describe("the WAL page counter of `--wal-frames`", () => {
  it("counts every page each commit wrote, by the table or index the page belongs to", () => {
    const { db, file } = walDatabase();
    insertMany(db, 0, 20_000, 500); // pages enough that a commit's random index entries spread
    const counter = countWalFrames(file);
    insertMany(db, 20_000, 2_000, 100);
    const wal = counter.stop();
    db.close();

    expect(wal.commits).toBe(20);
    const history = wal.byName.history ?? 0;
    const index = wal.byName.history_owner ?? 0;
    // The table is appended to (its last pages), the index written at random places: each commit
    // writes more index pages than table pages.
    expect(history).toBeGreaterThan(0);
    expect(index).toBeGreaterThan(history);
    const named = Object.values(wal.byName).reduce((a, b) => a + b, 0);
    expect(named).toBe(wal.frames);
    expect(wal.pages).toBeLessThanOrEqual(wal.frames);
  });

  it("holds the WAL while it counts: the checkpoints meanwhile do not start it over", () => {
    const { db, file } = walDatabase();
    insertMany(db, 0, 2_000, 100);
    // A checkpoint after every commit: without the counter's reader the WAL would start over at
    // the next commit, and the frames counted would be lost.
    db.pragma("wal_autocheckpoint = 1");
    const counter = countWalFrames(file);
    insertMany(db, 2_000, 2_000, 100);
    const wal = counter.stop();
    db.close();
    expect(wal.commits).toBe(20);
  });

  it("puts the bytes read and written per check in the simulation's per-check line when counted", () => {
    const sim = {
      checks: 1_000,
      cpuMs: 200,
      syscalls: {
        reads: 5_000,
        writes: 9_000,
        readBytes: 20 * 1024 * 1_000,
        writtenBytes: 32 * 1024 * 1_000,
      },
    } as SimulationFigures;
    expect(perCheck(sim)).toBe(
      "per check 200 µs of CPU, 5.0 read and 9.0 write system calls (20.0 KiB read, 32.0 KiB written)",
    );
    const { readBytes: _r, writtenBytes: _w, ...counts } = sim.syscalls ?? { reads: 0, writes: 0 };
    expect(perCheck({ ...sim, syscalls: counts })).toBe(
      "per check 200 µs of CPU, 5.0 read and 9.0 write system calls",
    );
  });
});
