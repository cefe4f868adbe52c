/**
 * Load generation: the `autocannon` CLI in its own process (it takes neither the server's CPU nor
 * its event loop), over 127.0.0.1 only.
 */
import { join } from "node:path";
import { repoRoot, runCommand } from "./proc.ts";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}

export async function autocannon(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`load only 127.0.0.1, not ${url.hostname}`);
  const args = ["-j", "-c", String(options.connections), "-d", String(options.seconds)];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push("-H", `${k}=${v}`);
  args.push(options.url);
  const out = await runCommand(join(repoRoot, "node_modules/.bin/autocannon"), args, {
    timeoutMs: (options.seconds + 30) * 1000,
  });
  const json = JSON.parse(out.slice(out.indexOf("{"))) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    duration: number;
  };
  return {
    rps: json.requests.average,
    p50: json.latency.p50,
    p99: json.latency.p99,
    requests: json.requests.total,
    non2xx: json.non2xx,
    errors: json.errors,
    seconds: json.duration,
  };
}

/**
 * Warms up (JIT, caches, connection pools), then measures; with the server's process, also its CPU
 * time per request (what the server itself spends, whatever else runs on the machine).
 */
export async function measure(
  options: LoadOptions,
  warmupSeconds: number,
  server?: { cpuMs(): number },
): Promise<LoadResult & { cpuMsPerRequest: number }> {
  if (warmupSeconds > 0) await autocannon({ ...options, seconds: warmupSeconds });
  const cpuBefore = server?.cpuMs() ?? Number.NaN;
  const measured = await autocannon(options);
  const result = {
    ...measured,
    cpuMsPerRequest: ((server?.cpuMs() ?? Number.NaN) - cpuBefore) / measured.requests,
  };
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${options.url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`,
    );
  }
  return result;
}
