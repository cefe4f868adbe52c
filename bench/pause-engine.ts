/**
 * Pause-engine benchmark: auth-check-and-schedule throughput with an instant connector (every
 * integration due, run through the real scheduler: batched claim, check, sync, then one
 * transaction per batch writing the checks, transitions, events, runs and next slots), the cost of
 * one scheduler tick (claiming 1,000 due integrations) among few or very many integrations, and a
 * simulated 3 days of many integrations with 5% of them failing (wall time, CPU time, peak RSS).
 * Targets: at least 5,000 checks per second on SQLite; the tick with 1k due out of 1M within 1.5x
 * of 1k due out of 10k; the simulation under a minute and 300 MB.
 *
 *   pnpm exec tsx bench/pause-engine.ts [--sizes 10000,100000] [--small 10000] [--large 1000000]
 *       [--due 1000] [--concurrency 256] [--sim <integrations>] [--sim-interval 24h] [--sim-deadline 30m] [--wal-frames <hour>] [--postgres <url>]
 *       [--seal-sim <integrations>] [--postgres-sim <integrations>] [--replicas 1,3]
 *       [--only sim,sealing,postgres-sim,throughput,tick]
 *
 * `--sim` defaults to a tenth of `--large` (at most 100,000); `--sim 0` skips it. The simulation
 * runs first (its peak RSS is that of the process so far); it logs its progress every 30 s, and
 * `--sim-deadline` stops it after that long (wall time), reporting how far it got. `--wal-frames h`
 * counts the pages the simulation writes to SQLite's WAL during simulated hour h, by table and index
 * (an analysis of the write path, `bench/lib/wal-frames.ts`; not in the full run). `--only` runs some parts (e.g. a profile
 * of the simulation alone: `node --cpu-prof --import tsx bench/pause-engine.ts --only sim --sim 20000`).
 *
 * `--seal-sim n` (part `sealing`): the same simulation of n integrations whose syncs store records
 * (4 per sync, each sealed with the server's key), run twice: once as the server runs, once with
 * the records' sealing turned off through a seam of this file only (`withoutRecordSealing`: the
 * server has no such switch); target: sealed within 1.2x of plain. `--postgres-sim n` (part
 * `postgres-sim`, needs `--postgres`): the simulation on PostgreSQL with each count of `--replicas`
 * replicas, each its own process (`bench/lib/sim-replica.ts`) on the same database, the clock
 * stepped by this process for all of them.
 * Other code can call `runPauseEngineBench({ quick })`, which returns the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createRelinkServer, type RelinkServer } from "../packages/server/src/app.ts";
import { ManualClock } from "../packages/server/src/clock.ts";
import type { Config } from "../packages/server/src/config.ts";
import type { Tx } from "../packages/server/src/context.ts";
import { inTransaction } from "../packages/server/src/context.ts";
import { raw as bulkRaw, insertRows } from "../packages/server/src/db/bulk.ts";
import { createDatabase } from "../packages/server/src/db/connect.ts";
import { toJson } from "../packages/server/src/db/schema.ts";
import { claimDue, releaseOwnerClaims } from "../packages/server/src/domain/integration-store.ts";
import { createScopeConfig } from "../packages/server/src/domain/scope-configs.ts";
import { createWorkspace } from "../packages/server/src/domain/workspaces.ts";
import { parseDuration } from "../packages/server/src/duration.ts";
import { newId } from "../packages/server/src/ids.ts";
import { createLogger } from "../packages/server/src/logging.ts";
import { generateEncryptionKey, SecretBox } from "../packages/server/src/secrets.ts";
import { createTestDatabase } from "../packages/server/src/testing/index.ts";
import { scriptedConnector } from "../packages/server/src/testing/scripted-connector.ts";
import { SCRIPTED_HR_PERMISSIONS } from "../packages/server/src/testing/scripted-tool.ts";
import { dayNote, perCheck } from "./lib/per-check.ts";
import { countWalFrames, type WalFrames } from "./lib/wal-frames.ts";

const HOUR = 3_600_000;

export interface PauseEngineBenchOptions {
  /** Small sizes (2k throughput, 500 due among 2k vs 20k, a 2k simulation): seconds, not minutes. */
  quick?: boolean;
  sizes?: number[];
  small?: number;
  large?: number;
  due?: number;
  concurrency?: number;
  /** Integrations of the 3-day simulation; 0 skips it. */
  sim?: number;
  simIntervalMs?: number;
  /**
   * The SQLite simulation (`sim`) stops stepping once it has run this long (wall ms) and reports
   * how far it got (`finished: false`): a run far too slow (a loaded machine) ends in bounded time.
   */
  simDeadlineMs?: number;
  /**
   * Counts the WAL pages the SQLite simulation writes during this simulated hour (from 0), by table
   * and index, and logs them (`bench/lib/wal-frames.ts`): an analysis, kept out of the full run
   * (holding the WAL for an hour and naming every page of the file cost time of their own).
   */
  simWalFramesAt?: number;
  /** A PostgreSQL server to measure too (a database is created and dropped per measure). */
  postgres?: string;
  /** Integrations of the sealed-vs-plain pair of simulations with records; 0 skips it. */
  sealSim?: number;
  /** Integrations of the PostgreSQL simulation with replicas (needs `postgres`); 0 skips it. */
  postgresSim?: number;
  /** Replica counts of the PostgreSQL simulation (default 1 and 3). */
  replicas?: number[];
  /** Only these parts (default: all): `sim`, `sealing`, `postgres-sim`, `throughput`, `tick`. */
  only?: PauseEnginePart[];
  /** Where the lines go (default: console.log). */
  log?: (line: string) => void;
}

export interface PauseEngineFigures {
  dialect: "SQLite" | "PostgreSQL";
  /** Checks (and schedules) per second, by number of integrations (all due). */
  checksPerSecond: Record<number, number>;
  tick?: { due: number; small: number; smallMs: number; large: number; largeMs: number; ratio: number };
}

export type PauseEnginePart = "sim" | "sealing" | "postgres-sim" | "throughput" | "tick";

export interface SimulationFigures {
  integrations: number;
  failing: number;
  days: number;
  intervalMs: number;
  checks: number;
  paused: number;
  wallMs: number;
  /**
   * CPU time (user + system) of the whole process over the same span, helper threads (GC) included:
   * below `wallMs` when the process waited for a core (a busy machine) or for the disk. With
   * replicas: of this process only (it steps the clock), not of the replicas.
   */
  cpuMs: number;
  /** With replica processes: their CPU time (user + system, all of them) over the same span. */
  replicasCpuMs?: number;
  peakRssMb: number;
  /** Records each successful sync stores (0: the integrations have no scope config). */
  recordsPerSync: number;
  /** Replicas (processes) that ran it; 1 when this process did. */
  replicas: number;
  /** Whether all of the 3 days (and one interval) were simulated; false: stopped at its deadline. */
  finished: boolean;
  /** Simulated hours run (of `totalHours`). */
  simulatedHours: number;
  totalHours: number;
  /**
   * The process's read and write system calls over the same span (Linux `/proc/self/io`: SQLite's
   * page reads from the OS cache or disk, and its WAL and checkpoint writes) and the bytes they
   * moved (`rchar`, `wchar`), undefined elsewhere.
   */
  syscalls?: { reads: number; writes: number; readBytes?: number; writtenBytes?: number };
  /**
   * The event loop's thread alone over the same span (Linux `/proc/self/task/<pid>/schedstat`): its
   * time on a core, waiting for one (a busy machine), and neither (blocked: the disk, a lock), in ms.
   * The rest of `cpuMs` is the other threads': GC and SQLite's WAL checkpoints (`db/checkpointer.ts`).
   */
  mainThread?: { cpuMs: number; runqueueMs: number; blockedMs: number };
  /**
   * With replicas: the CPU time of the whole machine over the same span (Linux `/proc/stat`, every
   * process: the replicas, this one, the database server and any other work), and its cores.
   */
  machine?: { busyMs: number; cores: number };
  /**
   * Each simulated day on its own (hours 0–24, 24–48, …, the last one up to the end): its checks,
   * wall and CPU time, and system calls. On the first day each integration has its first check, in
   * the pseudo-random order of the seeded slots; from the second on, the checks of one simulated
   * hour share their next slot (the clock steps an hour at a time) and come in rowid order.
   */
  byDay?: {
    checks: number;
    wallMs: number;
    cpuMs: number;
    /** Of `cpuMs`, the kernel's (system time). */
    systemMs: number;
    /** The event loop's thread's CPU time (the rest of `cpuMs` is GC's and the checkpoints' threads). */
    mainThreadMs?: number;
    /** Time spent in garbage collection (pauses of the event loop's thread), from `perf_hooks`. */
    gcMs: number;
    reads?: number;
    writes?: number;
    writtenBytes?: number;
  }[];
}

/** CPU time used by every process of the machine so far (Linux), in ms, and the cores counted. */
function machineCpu(): { busyMs: number; cores: number } | undefined {
  try {
    const stat = readFileSync("/proc/stat", "utf8");
    const total = /^cpu +(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
    if (!total || total.length < 5) return undefined;
    // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
    const busy = total.reduce((a, b) => a + b, 0) - (total[3] ?? 0) - (total[4] ?? 0);
    const cores = stat.match(/^cpu\d+ /gm)?.length ?? 1;
    return { busyMs: (busy * 1000) / 100, cores }; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Read and write system calls of this process so far, and their bytes (Linux), to count a run's page I/O. */
function ioSyscalls():
  | { reads: number; writes: number; readBytes: number; writtenBytes: number }
  | undefined {
  try {
    const io = readFileSync("/proc/self/io", "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(io)?.[1]);
    const [reads = Number.NaN, writes = Number.NaN, readBytes = Number.NaN, writtenBytes = Number.NaN] = [
      "syscr",
      "syscw",
      "rchar",
      "wchar",
    ].map(field);
    const counts = { reads, writes, readBytes, writtenBytes };
    return Object.values(counts).every(Number.isFinite) ? counts : undefined;
  } catch {
    return undefined;
  }
}

/** The event loop's thread's time on a core and waiting for one so far (Linux), in ms. */
function mainThreadTimes(): { cpuMs: number; runqueueMs: number } | undefined {
  try {
    const [cpu, runqueue] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8")
      .split(" ")
      .map(Number);
    return cpu !== undefined && runqueue !== undefined && Number.isFinite(cpu) && Number.isFinite(runqueue)
      ? { cpuMs: cpu / 1e6, runqueueMs: runqueue / 1e6 }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The event loop thread's figures of a span of `wallMs` that began at `before`. */
function mainThreadSince(
  before: ReturnType<typeof mainThreadTimes>,
  wallMs: number,
): SimulationFigures["mainThread"] {
  const after = mainThreadTimes();
  if (!before || !after) return undefined;
  const cpuMs = after.cpuMs - before.cpuMs;
  const runqueueMs = after.runqueueMs - before.runqueueMs;
  return { cpuMs, runqueueMs, blockedMs: Math.max(0, wallMs - cpuMs - runqueueMs) };
}

export interface PauseEngineBenchResult {
  results: PauseEngineFigures[];
  /** The sealed-vs-plain pair: the same simulation with records, sealed (as served) and not. */
  sealing?: {
    sealed: SimulationFigures;
    plain: SimulationFigures;
    ratio: number;
    /** Every trial's wall-time ratio, in the order run; `sealed`, `plain` and `ratio` are the median trial's. */
    trials: number[];
  };
  /** The PostgreSQL simulation, per replica count. */
  postgresSimulations?: SimulationFigures[];
  simulation?: SimulationFigures;
}

const tool = scriptedConnector("bench");
tool.setKey("bench");
tool.setKey("revoked", { outcome: "AUTH_FAILED" });
/**
 * Forgets the keys the scripted tool recorded for each sync (`calls.syncedWith`, for the tests):
 * the bench never reads them, and at 1M integrations its 3.8M strings held about 100 MB of the
 * simulation's peak RSS, which is relink's figure, not the test tool's.
 */
const forgetSyncs = () => {
  tool.calls.syncedWith.length = 0;
};
const encryptionKey = generateEncryptionKey();
/**
 * The permissions a seeded integration holds: what the bench tool grants its keys (the revoked one
 * too: it held them until revoked). A seeded row was last checked, successfully, when it was
 * seeded, so it holds what that check found: its first check in the run rewrites the same value,
 * as a running server's next check does, instead of growing every row by the list (which, on
 * pages the seeding filled, split most of them on the simulation's first day).
 */
const SEEDED_GRANT = toJson(SCRIPTED_HR_PERMISSIONS.map((p) => p.id));

interface Target {
  name: "SQLite" | "PostgreSQL";
  /** A fresh, empty database URL. */
  fresh(): Promise<{ url: string; drop(): Promise<void> }>;
}

/** A raw statement for `executeQuery` (kysely itself is not a dependency of the workspace root). */
const raw = (text: string) =>
  ({
    sql: text,
    parameters: [],
    query: { kind: "RawNode", sqlFragments: [text], parameters: [] },
    queryId: { queryId: "bench" },
  }) as unknown as Parameters<RelinkServer["ctx"]["db"]["executeQuery"]>[0];

async function open(
  url: string,
  clock: ManualClock,
  config: Partial<Config>,
): Promise<{ server: RelinkServer; workspaceId: string }> {
  const server = await createRelinkServer({
    db: url,
    clock,
    connectors: [tool.connector],
    logger: createLogger({ level: "silent" }),
    config: { encryptionKey, ...config },
  });
  const { workspaceId } = await createWorkspace(server.ctx);
  return { server, workspaceId };
}

const SEED_COLUMNS = [
  "id",
  "workspace_id",
  "tool",
  "category",
  "end_user_origin_id",
  "end_user_organization_name",
  "end_user_email",
  "credentials_sealed",
  "account_id",
  "scope_config_id",
  "state",
  "failing_since",
  "failed_checks",
  "last_checked_at",
  "last_succeeded_at",
  "next_sync_at",
  "sync_interval_ms",
  "retry_attempt",
  "granted_permissions",
  "missing_permissions",
  "opted_out",
  "created_at",
  "updated_at",
] as const;

/** Rows per transaction while seeding: the WAL stays small, and so does the memory. */
const SEED_TRANSACTION = 50_000;

/** The slot of the `i`-th seeded integration: the first `due` now, the others spread over `spreadMs`. */
const slotOffset = (i: number, due: number, spreadMs: number) =>
  i < due ? -1 : 1 + Math.floor((((i * 7919) % 1_000_003) / 1_000_003) * spreadMs);

interface SeedOptions {
  spreadMs?: number;
  /** Integrations whose key the tool rejects. */
  failing?: (i: number) => boolean;
  /**
   * Whether the integrations will be run (their credentials sealed, one by one, in JS), or only
   * claimed (the tick's worlds: the rows are generated by the database itself, in one statement
   * per transaction, with credentials nobody opens).
   */
  runnable?: boolean;
  /** The scope config of the runnable integrations (their syncs store its records), or none. */
  scopeConfigId?: string | null;
}

/**
 * Inserts `count` integrations: the first `due` are due now, the others over the next `spreadMs`;
 * `failing(i)` ones have a key the tool rejects. Runnable ones on SQLite are generated by the
 * database too, from their sealed credentials (the one value made in JS, sealed with the row's
 * id), a thousand at a time: a million rows are seeded in seconds and never held in memory.
 */
async function seed(
  server: RelinkServer,
  workspaceId: string,
  count: number,
  due: number,
  options: SeedOptions = {},
) {
  const ctx = server.ctx;
  const now = ctx.clock.now().getTime();
  const spread = options.spreadMs ?? 3 * HOUR;
  const runnable = options.runnable !== false;
  // A page cache the size of a large world's indexes while they are filled (the server's own
  // after); not for a simulation's world: its process's peak RSS is measured.
  const cache =
    ctx.dialect === "sqlite" && count > 100_000 && !runnable
      ? (await ctx.db.executeQuery(raw("pragma cache_size"))).rows[0]
      : undefined;
  if (cache) await ctx.db.executeQuery(raw("pragma cache_size = -262144"));
  const time = newId("int", now).slice(4, 14);
  for (let from = 0; from < count; from += SEED_TRANSACTION) {
    const to = Math.min(count, from + SEED_TRANSACTION);
    await inTransaction(ctx, async (tx) => {
      if (!runnable) {
        await generateIntegrations(tx, workspaceId, { from, to, due, spread, now });
        return;
      }
      // A thousand rows at a time: the heap stays small (the simulation's peak RSS follows).
      for (let first = from; first < to; first += 1024) {
        const last = Math.min(to, first + 1024);
        if (tx.dialect === "sqlite") {
          const sealed: string[] = [];
          for (let i = first; i < last; i++) {
            const key = options.failing?.(i) ? "revoked" : "bench";
            sealed.push(ctx.secrets.sealJson({ api_key: key }, generatedId(time, i)));
          }
          await generateRunnable(tx, workspaceId, {
            first,
            sealed,
            due,
            spread,
            now,
            time,
            scopeConfigId: options.scopeConfigId ?? null,
          });
          continue;
        }
        const rows: unknown[][] = [];
        for (let i = first; i < last; i++) {
          rows.push(runnableIntegration(server, workspaceId, i, now, slotOffset(i, due, spread), options));
        }
        await insertRows(tx, ctx.dialect, "integrations", SEED_COLUMNS, rows);
      }
    });
  }
  if (cache) await ctx.db.executeQuery(raw(`pragma cache_size = ${Number(Object.values(cache)[0])}`));
  // Fresh statistics, as autovacuum / a running server would have them.
  await ctx.db.executeQuery(raw("analyze integrations"));
}

/** The id of the `i`-th generated integration: the time part of a real id, then the row number. */
const generatedId = (time: string, i: number) => `int_${time}${String(i).padStart(16, "0")}`;

/**
 * SQLite: runnable integrations `first`, `first + 1`, … (one per sealed credentials, in order),
 * generated by one statement from the JSON array of their sealed credentials, with the slots of
 * `slotOffset` (the same formula in integer milliseconds).
 */
async function generateRunnable(
  tx: Tx,
  workspaceId: string,
  o: {
    first: number;
    sealed: string[];
    due: number;
    spread: number;
    now: number;
    time: string;
    scopeConfigId: string | null;
  },
): Promise<void> {
  const at = new Date(o.now).toISOString();
  await bulkRaw(
    tx,
    tx.dialect,
    `insert into integrations (id, workspace_id, tool, category, end_user_origin_id, end_user_organization_name,
      credentials_sealed, account_id, scope_config_id, state, failed_checks, last_checked_at, last_succeeded_at,
      next_sync_at, retry_attempt, granted_permissions, missing_permissions, opted_out, created_at, updated_at)
    select 'int_' || ? || printf('%016d', i), ?, 'bench', 'HRIS', 'org-' || i, 'Org ' || i, sealed, 'acme', ?,
      'ACTIVE', 0, ?, ?,
      strftime('%Y-%m-%dT%H:%M:%fZ', (? + (case when i < ? then -1 else 1 + (i * 7919 % 1000003) * ? / 1000003 end)) / 1000.0, 'unixepoch'),
      0, ?, '[]', '[]', ?, ?
    from (select ? + key as i, value as sealed from json_each(?)) order by i`,
    [
      o.time,
      workspaceId,
      o.scopeConfigId,
      at,
      at,
      o.now,
      o.due,
      o.spread,
      SEEDED_GRANT,
      at,
      at,
      o.first,
      JSON.stringify(o.sealed),
    ],
  );
}

/** The `i`-th integration's values (in the order of `SEED_COLUMNS`), with sealed credentials. */
function runnableIntegration(
  server: RelinkServer,
  workspaceId: string,
  i: number,
  now: number,
  slot: number,
  options: SeedOptions,
): unknown[] {
  const id = newId("int", now);
  const at = new Date(now).toISOString();
  const key = options.failing?.(i) ? "revoked" : "bench";
  const values: Record<(typeof SEED_COLUMNS)[number], unknown> = {
    id,
    workspace_id: workspaceId,
    tool: "bench",
    category: "HRIS",
    end_user_origin_id: `org-${i}`,
    end_user_organization_name: `Org ${i}`,
    end_user_email: null,
    credentials_sealed: server.ctx.secrets.sealJson({ api_key: key }, id),
    account_id: "acme",
    scope_config_id: options.scopeConfigId ?? null,
    state: "ACTIVE",
    failing_since: null,
    failed_checks: 0,
    last_checked_at: at,
    last_succeeded_at: at,
    next_sync_at: new Date(now + slot).toISOString(),
    sync_interval_ms: null,
    retry_attempt: 0,
    granted_permissions: SEEDED_GRANT,
    missing_permissions: toJson([]),
    opted_out: toJson([]),
    created_at: at,
    updated_at: at,
  };
  return SEED_COLUMNS.map((column) => values[column]);
}

/**
 * Integrations `from` (included) to `to` (excluded), generated by one statement (SQLite: a recursive
 * common table expression; PostgreSQL: `generate_series`), with the slots of `slotOffset` (the same
 * formula in integer milliseconds) and credentials that are never opened.
 */
async function generateIntegrations(
  tx: Tx,
  workspaceId: string,
  { from, to, due, spread, now }: { from: number; to: number; due: number; spread: number; now: number },
): Promise<void> {
  const at = new Date(now).toISOString();
  // The ids: the time part of a real id, then the row number (unique, sorted like the rows).
  const time = newId("int", now).slice(4, 14);
  const offset = "(case when i < ? then -1 else 1 + (i * 7919 % 1000003) * ? / 1000003 end)";
  const columns =
    "id, workspace_id, tool, category, end_user_origin_id, end_user_organization_name, credentials_sealed, account_id, state, failed_checks, last_checked_at, last_succeeded_at, next_sync_at, retry_attempt, granted_permissions, missing_permissions, opted_out, created_at, updated_at";
  if (tx.dialect === "sqlite") {
    await bulkRaw(
      tx,
      tx.dialect,
      `with recursive n(i) as (select ? union all select i + 1 from n where i + 1 < ?)
      insert into integrations (${columns})
      select 'int_' || ? || printf('%016d', i), ?, 'bench', 'HRIS', 'org-' || i, 'Org ' || i, 'never opened', 'acme',
        'ACTIVE', 0, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', (? + ${offset}) / 1000.0, 'unixepoch'), 0, '[]', '[]', '[]', ?, ?
      from n`,
      [from, to, time, workspaceId, at, at, now, due, spread, at, at],
    );
  } else {
    await bulkRaw(
      tx,
      tx.dialect,
      `insert into integrations (${columns})
      select 'int_' || ? || lpad(i::text, 16, '0'), ?, 'bench', 'HRIS', 'org-' || i, 'Org ' || i, 'never opened', 'acme',
        'ACTIVE', 0, cast(? as timestamptz), cast(? as timestamptz),
        to_timestamp((cast(? as bigint) + ${offset.replace(/\?/g, "cast(? as bigint)")}) / 1000.0), 0, '[]'::jsonb, '[]'::jsonb, '[]'::jsonb,
        cast(? as timestamptz), cast(? as timestamptz)
      from generate_series(cast(? as bigint), cast(? as bigint) - 1) as i`,
      [time, workspaceId, at, at, now, due, spread, at, at, from, to],
    );
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function runPauseEngineBench(
  options: PauseEngineBenchOptions = {},
): Promise<PauseEngineBenchResult> {
  const quick = options.quick ?? false;
  const log = options.log ?? ((line: string) => console.log(line));
  const sizes = options.sizes ?? (quick ? [1_000] : [10_000, 100_000]);
  const small = options.small ?? (quick ? 1_000 : 10_000);
  const large = options.large ?? (quick ? 10_000 : 1_000_000);
  const due = options.due ?? (quick ? 200 : 1_000);
  const concurrency = Math.min(256, options.concurrency ?? 256);
  const simSize = options.sim ?? Math.min(100_000, Math.floor(large / 10));
  const simIntervalMs = options.simIntervalMs ?? 24 * HOUR;
  const sealSize = options.sealSim ?? (quick ? 500 : 20_000);
  const postgresSimSize = options.postgresSim ?? 0;
  const runs = (part: PauseEnginePart) => !options.only || options.only.includes(part);

  const dir = mkdtempSync(join(tmpdir(), "relink-bench-pause-"));
  const targets: Target[] = [
    {
      name: "SQLite",
      async fresh() {
        const path = join(dir, `${newId("db")}.db`);
        return {
          url: `sqlite:${path}`,
          drop: async () => {
            for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
          },
        };
      },
    },
  ];
  const postgres = options.postgres;
  if (postgres) {
    process.env.RELINK_TEST_POSTGRES_URL = postgres;
    targets.push({
      name: "PostgreSQL",
      async fresh() {
        const database = await createTestDatabase("postgres");
        await database.db.destroy(); // only its URL is used: each server opens its own pool
        return { url: database.url, drop: () => dropDatabase(postgres, database.url) };
      },
    });
  }

  const result: PauseEngineBenchResult = { results: [] };
  try {
    // 0. Three simulated days (first: the peak RSS is the process's so far).
    if (simSize > 0 && runs("sim"))
      result.simulation = await simulate(targets[0] as Target, simSize, simIntervalMs, concurrency, log, {
        deadlineMs: options.simDeadlineMs,
        ...(options.simWalFramesAt === undefined ? {} : { walFramesAt: options.simWalFramesAt }),
      });

    // 0b. Sealed records vs the same records not sealed (the bench's seam), stepped in turns.
    // Three trials (quick: one), each on fresh databases, the world seeded and stepped first
    // alternating: one pair is a short sample (about 15 s a world at 20k) of a shared machine; the
    // median trial is reported, with every trial's ratio.
    if (sealSize > 0 && runs("sealing")) {
      const pairs: { sealed: SimulationFigures; plain: SimulationFigures; ratio: number }[] = [];
      const trials = quick ? 1 : 3;
      for (let trial = 0; trial < trials; trial++) {
        const variants: SimulationOptions[] = [{ records: true }, { records: true, sealed: false }];
        const ran = await simulateInTurns(
          targets[0] as Target,
          sealSize,
          simIntervalMs,
          concurrency,
          log,
          trial % 2 === 0 ? variants : [...variants].reverse(),
        );
        // In the order of the variants given: the sealed world first in the even trials.
        const [sealed, plain] = (trial % 2 === 0 ? ran : [...ran].reverse()) as [
          SimulationFigures,
          SimulationFigures,
        ];
        pairs.push({ sealed, plain, ratio: sealed.wallMs / plain.wallMs });
        log(
          `sealed / not sealed${trials > 1 ? `, trial ${trial + 1} of ${trials}` : ""}: ${(sealed.wallMs / plain.wallMs).toFixed(2)}x wall, ${(sealed.cpuMs / plain.cpuMs).toFixed(2)}x CPU (target ≤ 1.2x)`,
        );
      }
      const median = [...pairs].sort((a, b) => a.ratio - b.ratio)[
        Math.floor(pairs.length / 2)
      ] as (typeof pairs)[number];
      result.sealing = { ...median, trials: pairs.map((p) => p.ratio) };
      if (trials > 1)
        log(`sealed / not sealed, the median of ${trials} trials: ${median.ratio.toFixed(2)}x wall`);
    }

    // 0c. PostgreSQL, with 1 and with 3 replicas (processes) on the same database.
    const pg = targets.find((t) => t.name === "PostgreSQL");
    if (postgresSimSize > 0 && runs("postgres-sim")) {
      if (!pg) throw new Error("--postgres-sim needs --postgres <url>");
      result.postgresSimulations = [];
      for (const replicas of options.replicas ?? [1, 3]) {
        result.postgresSimulations.push(
          await simulateReplicas(pg, postgresSimSize, simIntervalMs, concurrency, replicas, log),
        );
      }
    }

    for (const target of runs("throughput") || runs("tick") ? targets : []) {
      log(`\n## ${target.name}`);
      const figures: PauseEngineFigures = { dialect: target.name, checksPerSecond: {} };
      result.results.push(figures);

      // 1. Throughput: every integration due, run through the scheduler. On SQLite (the rows with a
      //    target) the median of three trials, each on a fresh database: one trial lasts seconds,
      //    and the machine's other work of those seconds would decide a single one.
      const trials = quick || target.name !== "SQLite" ? 1 : 3;
      for (const size of runs("throughput") ? sizes : []) {
        const perSecond: number[] = [];
        for (let trial = 0; trial < trials; trial++) {
          const database = await target.fresh();
          const clock = new ManualClock();
          const { server, workspaceId } = await open(database.url, clock, { syncConcurrency: concurrency });
          await seed(server, workspaceId, size, size);
          const checksBefore = tool.calls.checkAuth;
          const started = performance.now();
          const { claimed } = await server.scheduler.runDue();
          const ms = performance.now() - started;
          const checks = tool.calls.checkAuth - checksBefore;
          perSecond.push((checks / ms) * 1000);
          log(
            `checks and schedules, ${fmt(size)} integrations all due${trials > 1 ? ` (trial ${trial + 1} of ${trials})` : ""}: ${fmt(claimed)} runs in ${(ms / 1000).toFixed(2)} s = ${fmt((checks / ms) * 1000)}/s (concurrency ${concurrency})`,
          );
          await server.close();
          await database.drop();
        }
        figures.checksPerSecond[size] =
          perSecond.sort((a, b) => a - b)[Math.floor(perSecond.length / 2)] ?? Number.NaN;
      }

      // 2. Tick cost: claiming `due` among few vs among very many, the samples of both interleaved
      //    (a busy machine slows both alike).
      if (!runs("tick")) continue;
      const worlds = [];
      for (const size of [small, large]) {
        const database = await target.fresh();
        const clock = new ManualClock();
        const { server, workspaceId } = await open(database.url, clock, { syncConcurrency: concurrency });
        const seeded = performance.now();
        await seed(server, workspaceId, size, due, { runnable: false });
        worlds.push({ size, database, server, seedMs: performance.now() - seeded, samples: [] as number[] });
      }
      for (let i = 0; i < 21; i++) {
        for (const world of i % 2 === 0 ? worlds : [...worlds].reverse()) {
          const started = performance.now();
          const rows = await claimDue(world.server.ctx, "bench", due);
          world.samples.push(performance.now() - started);
          if (rows.length !== due) throw new Error(`claimed ${rows.length}, expected ${due}`);
          await releaseOwnerClaims(world.server.ctx, "bench");
        }
      }
      const tickCost: number[] = [];
      for (const world of worlds) {
        const samples = world.samples.slice(1).sort((a, b) => a - b); // the first one warms the cache
        const median = samples[Math.floor(samples.length / 2)] ?? Number.NaN;
        tickCost.push(median);
        log(
          `tick (claim ${fmt(due)} due) among ${fmt(world.size)}: median ${median.toFixed(1)} ms (seeded in ${(world.seedMs / 1000).toFixed(1)} s)`,
        );
        await world.server.close();
        await world.database.drop();
      }
      const [smallMs, largeMs] = tickCost as [number, number];
      figures.tick = { due, small, smallMs, large, largeMs, ratio: largeMs / smallMs };
      log(`tick cost ratio large/small: ${(largeMs / smallMs).toFixed(2)}x (target ≤ 1.5x)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** The scope of the simulations with records: 2 employees and 2 teams per sync (the tool's answer). */
const RECORDS_SCOPE = {
  employees: {
    setting: "ENABLED",
    fields: { first_name: "ENABLED", last_name: "ENABLED", work_email: "ENABLED" },
  },
  teams: { setting: "ENABLED", fields: { name: "ENABLED" } },
} as const;
const RECORDS_PER_SYNC = 4;

/**
 * The bench's seam to measure what sealing the synced records costs: the server's `SecretBox`
 * replaced (in this process's server only) by one that leaves a record's fields as they are (the
 * JSON text, stored in `fields_sealed`) and seals everything else as before. The server has no
 * such switch: records are always sealed at rest.
 */
function withoutRecordSealing(server: RelinkServer): void {
  const box = new (class extends SecretBox {
    override seal(plaintext: string, associatedData = ""): string {
      return associatedData.startsWith("synced_record\u0000")
        ? plaintext
        : super.seal(plaintext, associatedData);
    }
  })(encryptionKey);
  Object.defineProperty(server.ctx, "secrets", { value: box, configurable: true });
}

interface SimulationOptions {
  /** The integrations' syncs store records (a scope config of 4 records per sync). */
  records?: boolean;
  /** With `records`: sealed as the server stores them (default), or not (`withoutRecordSealing`). */
  sealed?: boolean;
  /** Stop stepping after this long (wall ms), reporting how far it got. */
  deadlineMs?: number;
  /** Count the WAL pages written during this simulated hour (SQLite; see `simWalFramesAt`). */
  walFramesAt?: number;
}

const simulationLabel = (target: Target, o: SimulationOptions, replicas = 1) =>
  `${target.name}${o.records ? `, with records${o.sealed === false ? " NOT sealed (bench seam)" : " sealed"}` : ""}${replicas > 1 || target.name === "PostgreSQL" ? `, ${replicas} replica${replicas > 1 ? "s" : ""}` : ""}`;

/** The world of a simulation: a fresh database, seeded (5% failing, slots spread over one interval). */
async function simulationWorld(
  target: Target,
  size: number,
  intervalMs: number,
  concurrency: number,
  o: SimulationOptions,
) {
  const database = await target.fresh();
  const clock = new ManualClock("2026-03-02T00:00:00.000Z");
  const { server, workspaceId } = await open(database.url, clock, {
    syncConcurrency: concurrency,
    syncIntervalMs: intervalMs,
    pauseAfterMs: 72 * HOUR,
  });
  const scope = o.records
    ? await createScopeConfig(server.ctx, workspaceId, {
        name: "bench records",
        category: "HRIS",
        models: RECORDS_SCOPE,
      })
    : null;
  const failing = (i: number) => i % 20 === 0;
  await seed(server, workspaceId, size, 0, {
    spreadMs: intervalMs,
    failing,
    scopeConfigId: scope?.id ?? null,
  });
  return { database, clock, server };
}

/** How many integrations the simulation paused; throws unless every failing one is. */
async function countPaused(server: RelinkServer, size: number): Promise<number> {
  const paused = await server.ctx.db
    .selectFrom("integrations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", "INVALID")
    .executeTakeFirstOrThrow();
  if (Number(paused.n) !== Math.ceil(size / 20))
    throw new Error(
      `the simulation paused ${paused.n} integrations, not every failing one (${Math.ceil(size / 20)})`,
    );
  return Number(paused.n);
}

function logWalFrames(log: (line: string) => void, hour: number, wal: WalFrames, checks: number): void {
  const per = (n: number) => (n / Math.max(1, checks)).toFixed(2);
  log(
    `  WAL pages written in simulated hour ${hour} (${fmt(checks)} checks, ${fmt(wal.commits)} commits): ${fmt(wal.frames)} = ${per(wal.frames)} per check, ${fmt(wal.pages)} distinct pages`,
  );
  for (const [name, frames] of Object.entries(wal.byName).sort((a, b) => b[1] - a[1]))
    log(`    ${name}: ${per(frames)} per check`);
}

function logSimulation(log: (line: string) => void, label: string, sim: SimulationFigures): void {
  if (sim.byDay && sim.byDay.length > 1)
    log(
      `  ${label}, by simulated day: ${sim.byDay
        .map((d, i) => `day ${i + 1}: wall ${(d.wallMs / 1000).toFixed(1)} s, ${dayNote(d)}`)
        .join("; ")}`,
    );
  log(
    `3-day simulation on ${label}${sim.finished ? "" : ` (NOT FINISHED: simulated hour ${sim.simulatedHours} of ${sim.totalHours})`}: wall ${(sim.wallMs / 1000).toFixed(1)} s (CPU ${(sim.cpuMs / 1000).toFixed(1)} s${sim.replicasCpuMs === undefined ? "" : `, replicas' CPU ${(sim.replicasCpuMs / 1000).toFixed(1)} s`}), peak RSS ${sim.peakRssMb.toFixed(0)} MB (${fmt(sim.integrations)} integrations, 5% failing, synced every ${sim.intervalMs / HOUR} h: ${fmt(sim.checks)} checks = ${fmt((sim.checks / sim.wallMs) * 1000)}/s, ${fmt(sim.paused)} of ${fmt(sim.failing)} paused; ${perCheck(sim)}; load average ${loadavg()[0]?.toFixed(2)})`,
  );
}

/**
 * `size` integrations (5% with a revoked key) synced every `intervalMs` for 3 days and one step:
 * every failing one must pause at its first check at or after 72 hours.
 */
async function simulate(
  target: Target,
  size: number,
  intervalMs: number,
  concurrency: number,
  log: (line: string) => void,
  o: SimulationOptions = {},
): Promise<SimulationFigures> {
  const { database, clock, server } = await simulationWorld(target, size, intervalMs, concurrency, o);
  if (o.records && o.sealed === false) withoutRecordSealing(server);
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const checksBefore = tool.calls.checkAuth;
  const step = Math.min(HOUR, intervalMs);
  const totalSteps = Math.ceil((72 * HOUR + intervalMs) / step);
  const cpuBefore = process.cpuUsage();
  const ioBefore = ioSyscalls();
  const threadBefore = mainThreadTimes();
  const started = performance.now();
  const label = simulationLabel(target, o);
  let steps = 0;
  // Marks at the end of each simulated day: the day's own figures are the differences.
  let gcMs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcs.observe({ entryTypes: ["gc"] });
  const dayMark = () => {
    const cpu = process.cpuUsage();
    const io = ioSyscalls();
    return {
      checks: tool.calls.checkAuth,
      wallMs: performance.now(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemMs: cpu.system / 1000,
      mainThreadMs: mainThreadTimes()?.cpuMs,
      gcMs,
      reads: io?.reads,
      writes: io?.writes,
      writtenBytes: io?.writtenBytes,
    };
  };
  const days = [dayMark()];
  // Progress every 30 s: a long run (1M integrations) shows how far it is.
  const progress = setInterval(() => {
    const cpu = process.cpuUsage(cpuBefore);
    log(
      `  … ${label}, ${fmt(size)}: simulated hour ${steps} of ${totalSteps}, ${fmt(tool.calls.checkAuth - checksBefore)} checks, wall ${((performance.now() - started) / 1000).toFixed(0)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s, RSS ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MB (peak ${(peak / 1048576).toFixed(0)} MB)`,
    );
  }, 30_000);
  try {
    while (steps < totalSteps) {
      if (o.deadlineMs !== undefined && performance.now() - started > o.deadlineMs) {
        log(
          `  ${label}, ${fmt(size)}: stopped at its deadline (${(o.deadlineMs / 1000).toFixed(0)} s) after simulated hour ${steps} of ${totalSteps}`,
        );
        break;
      }
      clock.advance(step);
      const counting =
        steps === o.walFramesAt && database.url.startsWith("sqlite:")
          ? { frames: countWalFrames(database.url.slice("sqlite:".length)), checks: tool.calls.checkAuth }
          : undefined;
      await server.scheduler.runDue();
      if (counting) logWalFrames(log, steps, counting.frames.stop(), tool.calls.checkAuth - counting.checks);
      forgetSyncs();
      steps++;
      if ((steps * step) % (24 * HOUR) === 0 || steps === totalSteps) days.push(dayMark());
    }
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    gcs.disconnect();
  }
  const finished = steps >= totalSteps;
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const ioAfter = ioSyscalls();
  const mainThread = mainThreadSince(threadBefore, wallMs);
  peak = Math.max(peak, process.memoryUsage.rss());
  const simulation: SimulationFigures = {
    integrations: size,
    failing: Math.ceil(size / 20),
    days: 3,
    intervalMs,
    checks: tool.calls.checkAuth - checksBefore,
    paused: finished ? await countPaused(server, size) : 0,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: peak / 1024 / 1024,
    recordsPerSync: o.records ? RECORDS_PER_SYNC : 0,
    replicas: 1,
    finished,
    simulatedHours: steps,
    totalHours: (totalSteps * step) / HOUR,
    ...(ioBefore && ioAfter
      ? {
          syscalls: {
            reads: ioAfter.reads - ioBefore.reads,
            writes: ioAfter.writes - ioBefore.writes,
            readBytes: ioAfter.readBytes - ioBefore.readBytes,
            writtenBytes: ioAfter.writtenBytes - ioBefore.writtenBytes,
          },
        }
      : {}),
    ...(mainThread ? { mainThread } : {}),
    byDay: days.slice(1).map((d, i) => {
      const before = days[i] as (typeof days)[number];
      const since = (a: number | undefined, b: number | undefined) =>
        a !== undefined && b !== undefined ? a - b : undefined;
      return {
        checks: d.checks - before.checks,
        wallMs: d.wallMs - before.wallMs,
        cpuMs: d.cpuMs - before.cpuMs,
        systemMs: d.systemMs - before.systemMs,
        mainThreadMs: since(d.mainThreadMs, before.mainThreadMs),
        gcMs: d.gcMs - before.gcMs,
        reads: since(d.reads, before.reads),
        writes: since(d.writes, before.writes),
        writtenBytes: since(d.writtenBytes, before.writtenBytes),
      };
    }),
  };
  await assertRecordsSealed(server, o);
  logSimulation(log, label, simulation);
  await server.close();
  await database.drop();
  return simulation;
}

/**
 * The same simulation in several worlds (each its own database and server), stepped in turns: at
 * each simulated hour every world runs what is due, one after the other, the order reversed every
 * step, so that the machine's other work weighs on all alike. Each world's wall and CPU time is the
 * sum over its own steps (`runDue` waits for everything it started); peak RSS is the process's.
 */
async function simulateInTurns(
  target: Target,
  size: number,
  intervalMs: number,
  concurrency: number,
  log: (line: string) => void,
  variants: SimulationOptions[],
): Promise<SimulationFigures[]> {
  const worlds = [];
  for (const o of variants) {
    const world = await simulationWorld(target, size, intervalMs, concurrency, o);
    if (o.records && o.sealed === false) withoutRecordSealing(world.server);
    worlds.push({ ...world, o, wallMs: 0, cpuMs: 0, checks: 0 });
  }
  const step = Math.min(HOUR, intervalMs);
  const start = (worlds[0] as (typeof worlds)[number]).clock.now().getTime();
  let hours = 0;
  for (let k = 1; ; k++) {
    hours = (k * step) / HOUR;
    for (const world of k % 2 === 0 ? [...worlds].reverse() : worlds) {
      world.clock.set(start + k * step);
      const checksBefore = tool.calls.checkAuth;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await world.server.scheduler.runDue();
      world.wallMs += performance.now() - started;
      forgetSyncs();
      const cpu = process.cpuUsage(cpuBefore);
      world.cpuMs += (cpu.user + cpu.system) / 1000;
      world.checks += tool.calls.checkAuth - checksBefore;
    }
    if (k * step >= 72 * HOUR + intervalMs) break;
  }
  const out: SimulationFigures[] = [];
  for (const world of worlds) {
    const simulation: SimulationFigures = {
      integrations: size,
      failing: Math.ceil(size / 20),
      days: 3,
      intervalMs,
      checks: world.checks,
      paused: await countPaused(world.server, size),
      wallMs: world.wallMs,
      cpuMs: world.cpuMs,
      peakRssMb: process.memoryUsage.rss() / 1024 / 1024,
      recordsPerSync: world.o.records ? RECORDS_PER_SYNC : 0,
      replicas: 1,
      finished: true,
      simulatedHours: hours,
      totalHours: hours,
    };
    await assertRecordsSealed(world.server, world.o);
    logSimulation(log, `${simulationLabel(target, world.o)} (in turns)`, simulation);
    await world.server.close();
    await world.database.drop();
    out.push(simulation);
  }
  return out;
}

/** With records: they are stored sealed, or (the seam) not. */
async function assertRecordsSealed(server: RelinkServer, o: SimulationOptions): Promise<void> {
  if (!o.records) return;
  const stored = await server.ctx.db
    .selectFrom("synced_records")
    .select(["fields_sealed"])
    .limit(1)
    .executeTakeFirstOrThrow();
  const sealed = stored.fields_sealed?.startsWith("v1.") ?? false;
  if (sealed !== (o.sealed !== false))
    throw new Error(`records stored ${sealed ? "sealed" : "in plain text"}`);
}

/**
 * The simulation run by `replicas` processes (`bench/lib/sim-replica.ts`) on the same database:
 * this process seeds it, then steps the clock: each step, every replica is told the time and runs
 * what is due (claims shared with `FOR UPDATE SKIP LOCKED`), and the next step starts when all are done.
 */
async function simulateReplicas(
  target: Target,
  size: number,
  intervalMs: number,
  concurrency: number,
  replicas: number,
  log: (line: string) => void,
): Promise<SimulationFigures> {
  const label = simulationLabel(target, {}, replicas);
  const seeding = performance.now();
  const { database, clock, server } = await simulationWorld(target, size, intervalMs, concurrency, {});
  log(
    `  ${label}: ${fmt(size)} integrations seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );
  const start = clock.now().getTime();
  const children = await Promise.all(
    Array.from({ length: replicas }, () =>
      startReplica({
        url: database.url,
        encryptionKey,
        start,
        syncConcurrency: concurrency,
        syncIntervalMs: intervalMs,
        pauseAfterMs: 72 * HOUR,
      }),
    ),
  );
  let checks = 0;
  const step = Math.min(HOUR, intervalMs);
  const cpuBefore = process.cpuUsage();
  const replicaCpuBefore = children.map((child) => child.cpuMs);
  const machineBefore = machineCpu();
  const started = performance.now();
  let steps = 0;
  const progress = setInterval(
    () =>
      log(
        `  … ${label}: simulated hour ${steps} of ${Math.ceil((72 * HOUR + intervalMs) / step)}, ${fmt(checks)} checks, ${((performance.now() - started) / 1000).toFixed(0)} s`,
      ),
    30_000,
  );
  try {
    for (let at = start + step; ; at += step) {
      const counts = await Promise.all(children.map((child) => child.runDue(at)));
      checks += counts.reduce((a, b) => a + b, 0);
      steps++;
      if (at - start >= 72 * HOUR + intervalMs) break;
    }
  } finally {
    clearInterval(progress);
    await Promise.all(children.map((child) => child.close()));
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineCpu();
  const simulation: SimulationFigures = {
    integrations: size,
    failing: Math.ceil(size / 20),
    days: 3,
    intervalMs,
    checks,
    paused: await countPaused(server, size),
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    replicasCpuMs: children.reduce((sum, child, i) => sum + child.cpuMs - (replicaCpuBefore[i] ?? 0), 0),
    peakRssMb: process.memoryUsage.rss() / 1024 / 1024,
    recordsPerSync: 0,
    replicas,
    finished: true,
    simulatedHours: (steps * step) / HOUR,
    totalHours: (steps * step) / HOUR,
    ...(machineBefore && machineAfter
      ? { machine: { busyMs: machineAfter.busyMs - machineBefore.busyMs, cores: machineAfter.cores } }
      : {}),
  };
  logSimulation(log, label, simulation);
  await server.close();
  await database.drop();
  return simulation;
}

/** A replica process of `simulateReplicas`, ready to be stepped. */
async function startReplica(options: Record<string, unknown>) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "lib/sim-replica.ts"), JSON.stringify(options)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  type Reply = { checks?: number; cpuMs?: number; error?: string };
  const replies: Array<(message: Reply) => void> = [];
  let cpuMs = 0;
  child.on("message", (message: Reply) => {
    if (message.cpuMs !== undefined) cpuMs = message.cpuMs;
    replies.shift()?.(message);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`a simulation replica exited (code ${code})`))),
  );
  exited.catch(() => {});
  const reply = () =>
    Promise.race([new Promise<Reply>((resolve) => replies.push(resolve)), exited]).then((message) => {
      if (message.error) throw new Error(`a simulation replica failed: ${message.error}`);
      return message;
    });
  await reply(); // ready
  return {
    /** The replica's CPU time (ms) as of its last answer. */
    get cpuMs() {
      return cpuMs;
    },
    async runDue(at: number): Promise<number> {
      const answer = reply();
      child.send({ at });
      return (await answer).checks ?? 0;
    },
    async close(): Promise<void> {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ close: true });
      await gone;
    },
  };
}

async function dropDatabase(adminUrl: string, url: string): Promise<void> {
  const admin = createDatabase(adminUrl);
  const name = new URL(url).pathname.slice(1);
  await admin.db.executeQuery(raw(`drop database if exists ${name} with (force)`));
  await admin.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      small: { type: "string" },
      large: { type: "string" },
      due: { type: "string" },
      concurrency: { type: "string" },
      sim: { type: "string" },
      "sim-interval": { type: "string" },
      "sim-deadline": { type: "string" },
      "wal-frames": { type: "string" },
      postgres: { type: "string" },
      "seal-sim": { type: "string" },
      "postgres-sim": { type: "string" },
      replicas: { type: "string" },
      only: { type: "string" },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  await runPauseEngineBench({
    quick: values.quick,
    sizes: values.sizes?.split(",").map(Number),
    small: num(values.small),
    large: num(values.large),
    due: num(values.due),
    concurrency: num(values.concurrency),
    sim: num(values.sim),
    simIntervalMs: values["sim-interval"] ? parseDuration(values["sim-interval"]) : undefined,
    simDeadlineMs: values["sim-deadline"] ? parseDuration(values["sim-deadline"]) : undefined,
    simWalFramesAt: num(values["wal-frames"]),
    postgres: values.postgres,
    sealSim: num(values["seal-sim"]),
    postgresSim: num(values["postgres-sim"]),
    replicas: values.replicas?.split(",").map(Number),
    only: values.only?.split(",") as PauseEngineBenchOptions["only"],
  });
}
