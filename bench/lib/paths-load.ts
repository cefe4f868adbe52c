/**
 * Load over 127.0.0.1 from its own process, for each measurement it is sent over IPC
 * (`Array<PathsLoad>`), in turn; answers the array of results over IPC, then exits. Started before
 * the server is ready, so that its start-up overlaps the seeding.
 *
 * - `seconds`: throughput, `autocannon` (its API, not its CLI, to spread the requests over many
 *   paths) for that long;
 * - `amount`: latency, that many requests on `connections` loops of fetch, each timed from the
 *   call to its body read (sub-millisecond resolution, where autocannon's is a whole millisecond,
 *   and no second-long minimum run).
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { LoadResult } from "./load.ts";

export interface PathsLoad {
  origin: string;
  /** Each request takes one of them at random. */
  paths: string[];
  method?: "GET" | "POST";
  body?: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds (throughput, autocannon), or a number of requests (`amount`: latency, fetch). */
  seconds?: number;
  amount?: number;
  /** Requests sent first, not measured (JIT, caches). */
  warmupAmount: number;
  /** The server's process: its CPU time per request measured is read from /proc too. */
  serverPid?: number;
}

export type PathsLoadResult = LoadResult & {
  cpuMsPerRequest: number;
  /** Wall time of the warm-up and of the measurement, in seconds. */
  wall: { warmup: number; measured: number };
};

/** User + system CPU time of a process so far, in ms (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function run(load: PathsLoad, seconds: number): Promise<LoadResult> {
  const pick = () => load.paths[Math.floor(Math.random() * load.paths.length)] ?? "/";
  const result = await autocannon({
    url: load.origin,
    connections: load.connections,
    duration: seconds,
    requests: [
      {
        method: load.method ?? "GET",
        headers: { ...load.headers, ...(load.body ? { "content-type": "application/json" } : {}) },
        ...(load.body ? { body: load.body } : {}),
        setupRequest: (request) => ({ ...request, path: pick() }),
      },
    ],
  });
  return {
    rps: result.requests.total / (result.duration || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
  };
}

/**
 * The warm-up: `warmupAmount` requests on `connections` loops of fetch (autocannon's shortest run
 * is a second, which would double the quick run for nothing measured).
 */
async function fetchLoops(load: PathsLoad, amount: number): Promise<LoadResult> {
  let left = amount;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const loop = async () => {
    while (left-- > 0) {
      const path = load.paths[Math.floor(Math.random() * load.paths.length)] ?? "/";
      const sent = performance.now();
      try {
        const response = await fetch(load.origin + path, {
          method: load.method ?? "GET",
          headers: { ...load.headers, ...(load.body ? { "content-type": "application/json" } : {}) },
          ...(load.body ? { body: load.body } : {}),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (response.status < 200 || response.status > 299) non2xx++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: load.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    non2xx,
    errors,
    seconds,
  };
}

async function warmUp(load: PathsLoad): Promise<void> {
  const result = await fetchLoops(load, load.warmupAmount);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`warm-up ${load.paths[0]}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
}

async function runAll(spec: PathsLoad[]): Promise<PathsLoadResult[]> {
  const results: PathsLoadResult[] = [];
  for (const load of spec) {
    if (new URL(load.origin).hostname !== "127.0.0.1")
      throw new Error(`load only 127.0.0.1, not ${load.origin}`);
    const started = performance.now();
    await warmUp(load);
    const warmedUp = performance.now();
    const before = cpuMs(load.serverPid);
    const measured = load.amount ? await fetchLoops(load, load.amount) : await run(load, load.seconds ?? 1);
    results.push({
      ...measured,
      cpuMsPerRequest: (cpuMs(load.serverPid) - before) / measured.requests,
      wall: {
        warmup: Math.round(warmedUp - started) / 1000,
        measured: Math.round(performance.now() - warmedUp) / 1000,
      },
    });
  }
  return results;
}

process.once("message", (spec: PathsLoad[]) => {
  runAll(spec).then(
    (results) => process.send?.({ results }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});
process.send?.({ ready: true });
process.on("disconnect", () => process.exit(0));
