/**
 * Load over 127.0.0.1 from its own process, for each measurement it is sent over IPC
 * (`Array<PathsLoad>`), in turn; answers the array of results over IPC, then exits. Started before
 * the server is ready, so that its start-up overlaps the seeding.
 *
 * - `seconds`: throughput, `autocannon` (its API, not its CLI, to spread the requests over many
 *   paths) for that long;
 * - `amount`: latency, that many requests on `connections` loops, each on its own kept-alive
 *   connection, timed from the request sent to its body read (sub-millisecond resolution, where
 *   autocannon's is a whole millisecond, and no second-long minimum run). Plain `node:http`, not
 *   `fetch`: on this path the client's own work is inside every figure, and `fetch` (WHATWG
 *   objects, a body stream per answer) spent about 0.9 ms more per 24 KB records page than
 *   `node:http` in the same run against the same server, which is the client, not the server.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
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
  /** Seconds (throughput, autocannon), or a number of requests (`amount`: latency, `node:http` loops). */
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

/** One request on `agent`'s kept-alive connection: its status once the whole body is read. */
function send(load: PathsLoad, agent: Agent, path: string): Promise<number> {
  const url = new URL(load.origin);
  const headers = { ...load.headers, ...(load.body ? { "content-type": "application/json" } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: load.method ?? "GET", headers, agent },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(load.body);
  });
}

/**
 * `amount` requests on `connections` loops, each loop on its own kept-alive connection; also the
 * warm-up (`warmupAmount`: autocannon's shortest run is a second, which would double the quick
 * run for nothing measured).
 */
async function requestLoops(load: PathsLoad, amount: number): Promise<LoadResult> {
  let left = amount;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const loop = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (left-- > 0) {
        const path = load.paths[Math.floor(Math.random() * load.paths.length)] ?? "/";
        const sent = performance.now();
        try {
          const status = await send(load, agent, path);
          latencies.push(performance.now() - sent);
          if (status < 200 || status > 299) non2xx++;
        } catch {
          errors++;
        }
      }
    } finally {
      agent.destroy();
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
  const result = await requestLoops(load, load.warmupAmount);
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
    const measured = load.amount ? await requestLoops(load, load.amount) : await run(load, load.seconds ?? 1);
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
