import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/testing/ports.ts";

export { freePort } from "../../src/testing/ports.ts";

/**
 * Shared by the reliability suite: real server processes, a throwaway PostgreSQL cluster that may
 * be restarted under the servers, the quick/full switch and the run summary.
 */

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const FULL = process.env.RELINK_RELIABILITY === "full";
/** A quick count in `pnpm test`, a larger one with `RELINK_RELIABILITY=full`. */
export const scale = (quick: number, full: number) => (FULL ? full : quick);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Set per run by summary-setup.ts (the workers inherit it); a shared default otherwise. */
export const summaryFile = () =>
  process.env.RELINK_RELIABILITY_SUMMARY ?? join(tmpdir(), "relink-reliability-summary.jsonl");

export interface SummaryCounts {
  replicas?: number;
  kills?: number;
  eventsChecked?: number;
  fuzzCases?: number;
  attacks?: number;
  leaks?: number;
  note?: string;
}

/** Adds a test's counts to the summary printed when the suite ends (see summary-setup.ts). */
export function report(section: string, counts: SummaryCounts): void {
  appendFileSync(summaryFile(), `${JSON.stringify({ section, ...counts })}\n`);
}

/** Every `fn` registered runs at the end, last first, failures or not. */
export function cleanupStack() {
  const fns: Array<() => unknown> = [];
  return {
    add(fn: () => unknown) {
      fns.push(fn);
    },
    async run() {
      for (const fn of fns.reverse()) {
        try {
          await fn();
        } catch (error) {
          console.error("cleanup failed:", error);
        }
      }
      fns.length = 0;
    },
  };
}

export interface ServerProcess {
  name: string;
  url: string;
  port: number;
  logFile: string;
  pid(): number | undefined;
  alive(): boolean;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM and wait: the clean stop (claims released). */
  stop(): Promise<void>;
}

/**
 * `relink-server serve` as its own process (`node --import tsx`, one process, so SIGKILL hits the
 * server itself), stdout and stderr appended to a log file the secrets test greps afterwards.
 */
export async function serverProcess(
  name: string,
  env: Record<string, string>,
  logDir: string,
): Promise<ServerProcess> {
  const spawnServer = () => {
    const out = createWriteStream(logFile, { flags: "a" });
    const url = `http://127.0.0.1:${port}`;
    const proc = spawn(process.execPath, ["--import", "tsx", "packages/server/src/cli.ts", "serve"], {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(port),
        RELINK_PUBLIC_URL: url,
        LOG_LEVEL: "info",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout?.pipe(out);
    proc.stderr?.pipe(out);
    return proc;
  };
  /** Waits until the server answers /readyz (false) or exits (true); two minutes on a busy machine. */
  const ready = async (proc: ChildProcess): Promise<boolean> => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) {
        // Its output may still be on its way to the log file.
        await sleep(100);
        return true;
      }
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return false;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(
      `${name} did not become ready within 2 minutes: ${readFileSync(logFile, "utf8").slice(-2000)}`,
    );
  };
  let port = await freePort();
  const logFile = join(logDir, `${name}.log`);
  writeFileSync(logFile, "");
  let child: ChildProcess | null = null;
  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  const self: ServerProcess = {
    name,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    logFile,
    pid: () => child?.pid,
    alive,
    async start() {
      if (alive()) return;
      // The port was free when chosen, but another process (another test file's server) may take
      // it before this one listens: then the server starts again on another port.
      for (let attempt = 1; ; attempt++) {
        const logged = statSync(logFile).size;
        const proc = spawnServer();
        child = proc;
        const exited = await ready(proc);
        if (!exited) return;
        const log = readFileSync(logFile, "utf8");
        if (attempt < 5 && log.slice(logged).includes("EADDRINUSE")) {
          port = await freePort();
          continue;
        }
        throw new Error(`${name} exited with ${proc.exitCode}: ${log.slice(-2000)}`);
      }
    },
    async kill(signal = "SIGKILL") {
      const proc = child;
      if (!proc || !alive()) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 35_000);
      await exited;
      clearTimeout(timer);
    },
    stop() {
      return self.kill("SIGTERM");
    },
  };
  return self;
}

/** Calls the management API on a live replica (any one: they share the database), retrying on another when one is down. */
export function apiFor(servers: ServerProcess[], key: string) {
  return async (method: string, path: string, body?: unknown, bearer = key) => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const live = servers.filter((s) => s.alive());
      const server = live[Math.floor(Math.random() * live.length)];
      if (!server) {
        await sleep(100);
        continue;
      }
      try {
        const response = await fetch(server.url + path, {
          method,
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
      } catch {
        await sleep(50); // killed under us: try another replica
      }
    }
    throw new Error(`${method} ${path}: no replica answered`);
  };
}

/** Waits on a condition, never for a fixed time (shared with the other test projects). */
export { waitFor } from "../../src/testing/wait.ts";

export interface HelperProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A TypeScript helper script (a fake tool, a webhook receiver…) as its own process
 * (`node --import tsx`): ready once it prints a JSON line with its `url`; stderr goes to a log file.
 */
export async function startHelper(name: string, script: string, logDir: string): Promise<HelperProcess> {
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stderr?.pipe(out);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 60_000);
    proc.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n")[0];
      if (buffered.includes("\n") && line) {
        clearTimeout(timer);
        try {
          resolveUrl((JSON.parse(line) as { url: string }).url);
        } catch (error) {
          reject(error);
        }
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${readFileSync(logFile, "utf8").slice(-2000)}`));
    });
  });
  return {
    url,
    pid: proc.pid ?? 0,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadTarget {
  url: string;
  token: string;
  method?: string;
  body?: unknown;
  /** Statuses accepted; default: any below 300. */
  ok?: number[];
}

export interface LoadResult {
  requests: number;
  unexpected: number;
  statuses: Record<string, number>;
  errors: string[];
  byOrigin: Record<string, { requests: number; statuses: Record<string, number> }>;
  latencyMs: { p50: number; p99: number; max: number };
}

/** load-client.mjs in its own process: `seconds` of load cycling through the targets, or each target `once`. */
export async function runLoadClient(config: {
  targets: LoadTarget[];
  concurrency: number;
  seconds?: number;
  once?: boolean;
}): Promise<LoadResult> {
  // In a file: thousands of targets are over the size of one command-line argument.
  const dir = mkdtempSync(join(tmpdir(), "relink-rel-load-"));
  try {
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, "load-client.mjs"), `@${join(dir, "config.json")}`],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return JSON.parse(stdout.trim()) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pgBin(): string {
  for (const d of [
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/14/bin",
  ]) {
    if (existsSync(`${d}/pg_ctl`)) return d;
  }
  throw new Error("pg_ctl not found");
}

const asPostgres = (cmd: string, args: string[]) =>
  process.getuid?.() === 0
    ? (["runuser", ["-u", "postgres", "--", cmd, ...args]] as const)
    : ([cmd, args] as const);

/** A dedicated PostgreSQL cluster (never the shared test server): it can be restarted under the servers. */
export interface PgCluster {
  url: string;
  port: number;
  /** `pg_ctl restart -m immediate`: every connection dropped, as in a crash of the database. */
  restart(): void;
  dump(): string;
  stop(): void;
}

export function hasPostgresBinaries(): boolean {
  try {
    pgBin();
    return true;
  } catch {
    return false;
  }
}

export async function startPgCluster(): Promise<PgCluster> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "relink-rel-pg-"));
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, RELINK_TEST_PG_PORT: String(port), RELINK_TEST_PG_DIR: dir };
  const out = execFileSync(join(ROOT, "scripts/pg-test-server.sh"), ["start"], { env, encoding: "utf8" });
  const url = /RELINK_TEST_POSTGRES_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`pg-test-server.sh printed no URL: ${out}`);
  const bin = pgBin();
  return {
    url,
    port,
    restart() {
      const [cmd, args] = asPostgres(`${bin}/pg_ctl`, [
        "-D",
        dir,
        "-m",
        "immediate",
        "-w",
        "-t",
        "60",
        "restart",
      ]);
      execFileSync(cmd, args, { stdio: "ignore" });
    },
    dump() {
      return execFileSync(`${bin}/pg_dump`, ["--data-only", url], {
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
      });
    },
    stop() {
      execFileSync(join(ROOT, "scripts/pg-test-server.sh"), ["stop"], { env, stdio: "ignore" });
    },
  };
}

/** Every place a secret appears in `text`: the secret's first characters and where. */
export function findLeaks(text: string, secrets: readonly string[], where: string): string[] {
  const hits: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    if (text.includes(secret)) hits.push(`${secret.slice(0, 6)}… in ${where}`);
  }
  return hits;
}
