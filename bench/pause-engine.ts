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
 *       [--due 1000] [--concurrency 256] [--sim <integrations>] [--sim-interval 24h] [--postgres <url>]
 *       [--only sim,throughput,tick]
 *
 * `--sim` defaults to a tenth of `--large` (at most 100,000); `--sim 0` skips it. The simulation
 * runs first (its peak RSS is that of the process so far). `--only` runs some parts (e.g. a profile
 * of the simulation alone: `node --cpu-prof --import tsx bench/pause-engine.ts --only sim --sim 20000`).
 * Other code can call `runPauseEngineBench({ quick })`, which returns the figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { createWorkspace } from "../packages/server/src/domain/workspaces.ts";
import { parseDuration } from "../packages/server/src/duration.ts";
import { newId } from "../packages/server/src/ids.ts";
import { createLogger } from "../packages/server/src/logging.ts";
import { generateEncryptionKey } from "../packages/server/src/secrets.ts";
import { createTestDatabase } from "../packages/server/src/testing/index.ts";
import { scriptedConnector } from "../packages/server/src/testing/scripted-connector.ts";
import { claimDue } from "../packages/server/src/workers/scheduler.ts";

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
  /** A PostgreSQL server to measure too (a database is created and dropped per measure). */
  postgres?: string;
  /** Only these parts (default: all): `sim`, `throughput`, `tick`. */
  only?: Array<"sim" | "throughput" | "tick">;
  /** Where the lines go (default: console.log). */
  log?: (line: string) => void;
}

export interface PauseEngineFigures {
  dialect: "SQLite" | "PostgreSQL";
  /** Checks (and schedules) per second, by number of integrations (all due). */
  checksPerSecond: Record<number, number>;
  tick?: { due: number; small: number; smallMs: number; large: number; largeMs: number; ratio: number };
}

export interface PauseEngineBenchResult {
  results: PauseEngineFigures[];
  simulation?: {
    integrations: number;
    failing: number;
    days: number;
    intervalMs: number;
    checks: number;
    paused: number;
    wallMs: number;
    /**
     * CPU time (user + system) of the whole process over the same span, helper threads (GC) included:
     * below `wallMs` when the process waited for a core (a busy machine) or for the disk.
     */
    cpuMs: number;
    peakRssMb: number;
  };
}

const tool = scriptedConnector("bench");
tool.setKey("bench");
tool.setKey("revoked", { outcome: "AUTH_FAILED" });
const encryptionKey = generateEncryptionKey();

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
}

/**
 * Inserts `count` integrations: the first `due` are due now, the others over the next `spreadMs`;
 * `failing(i)` ones have a key the tool rejects.
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
  // A page cache the size of a large world's indexes while they are filled (the server's own after).
  const cache =
    ctx.dialect === "sqlite" && count > 100_000
      ? (await ctx.db.executeQuery(raw("pragma cache_size"))).rows[0]
      : undefined;
  if (cache) await ctx.db.executeQuery(raw("pragma cache_size = -262144"));
  for (let from = 0; from < count; from += SEED_TRANSACTION) {
    const to = Math.min(count, from + SEED_TRANSACTION);
    await inTransaction(ctx, async (tx) => {
      if (options.runnable === false) {
        await generateIntegrations(tx, workspaceId, { from, to, due, spread, now });
        return;
      }
      // A thousand rows built at a time: the heap stays small (the simulation's peak RSS follows).
      for (let first = from; first < to; first += 1024) {
        const rows: unknown[][] = [];
        for (let i = first; i < Math.min(to, first + 1024); i++) {
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
    scope_config_id: null,
    state: "ACTIVE",
    failing_since: null,
    failed_checks: 0,
    last_checked_at: at,
    last_succeeded_at: at,
    next_sync_at: new Date(now + slot).toISOString(),
    sync_interval_ms: null,
    retry_attempt: 0,
    granted_permissions: toJson([]),
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
  const runs = (part: "sim" | "throughput" | "tick") => !options.only || options.only.includes(part);

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
      result.simulation = await simulate(targets[0] as Target, simSize, simIntervalMs, concurrency, log);

    for (const target of runs("throughput") || runs("tick") ? targets : []) {
      log(`\n## ${target.name}`);
      const figures: PauseEngineFigures = { dialect: target.name, checksPerSecond: {} };
      result.results.push(figures);

      // 1. Throughput: every integration due, run through the scheduler.
      for (const size of runs("throughput") ? sizes : []) {
        const database = await target.fresh();
        const clock = new ManualClock();
        const { server, workspaceId } = await open(database.url, clock, { syncConcurrency: concurrency });
        await seed(server, workspaceId, size, size);
        const checksBefore = tool.calls.checkAuth;
        const started = performance.now();
        const { claimed } = await server.scheduler.runDue();
        const ms = performance.now() - started;
        const checks = tool.calls.checkAuth - checksBefore;
        figures.checksPerSecond[size] = (checks / ms) * 1000;
        log(
          `checks and schedules, ${fmt(size)} integrations all due: ${fmt(claimed)} runs in ${(ms / 1000).toFixed(2)} s = ${fmt((checks / ms) * 1000)}/s (concurrency ${concurrency})`,
        );
        await server.close();
        await database.drop();
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
          await world.server.ctx.db
            .updateTable("integrations")
            .set({ lease_owner: null, lease_expires_at: null })
            .where("lease_owner", "=", "bench")
            .execute();
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
): Promise<NonNullable<PauseEngineBenchResult["simulation"]>> {
  const database = await target.fresh();
  const clock = new ManualClock("2026-03-02T00:00:00.000Z");
  const { server, workspaceId } = await open(database.url, clock, {
    syncConcurrency: concurrency,
    syncIntervalMs: intervalMs,
    pauseAfterMs: 72 * HOUR,
  });
  const failing = (i: number) => i % 20 === 0;
  await seed(server, workspaceId, size, 0, { spreadMs: intervalMs, failing });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const checksBefore = tool.calls.checkAuth;
  const start = clock.now().getTime();
  const step = Math.min(HOUR, intervalMs);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    while (clock.now().getTime() - start < 72 * HOUR + intervalMs) {
      clock.advance(step);
      await server.scheduler.runDue();
    }
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  const checks = tool.calls.checkAuth - checksBefore;
  const paused = await server.ctx.db
    .selectFrom("integrations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", "INVALID")
    .executeTakeFirstOrThrow();
  const failingCount = Math.ceil(size / 20);
  const simulation = {
    integrations: size,
    failing: failingCount,
    days: 3,
    intervalMs,
    checks,
    paused: Number(paused.n),
    wallMs,
    cpuMs,
    peakRssMb: peak / 1024 / 1024,
  };
  log(
    `3-day simulation on ${target.name}: wall ${(wallMs / 1000).toFixed(1)} s (CPU ${(cpuMs / 1000).toFixed(1)} s), peak RSS ${simulation.peakRssMb.toFixed(0)} MB (${fmt(size)} integrations, 5% failing, synced every ${intervalMs / HOUR} h: ${fmt(checks)} checks = ${fmt((checks / wallMs) * 1000)}/s, ${fmt(simulation.paused)} of ${fmt(failingCount)} paused)`,
  );
  if (simulation.paused !== failingCount)
    throw new Error("the simulation did not pause every failing integration");
  await server.close();
  await database.drop();
  return simulation;
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
      postgres: { type: "string" },
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
    postgres: values.postgres,
    only: values.only?.split(",") as PauseEngineBenchOptions["only"],
  });
}
