// The load generator of load.test.ts and replicas.test.ts, in its own process so that its work
// does not count against the servers': `node load-client.mjs <json config | @config file>`; prints
// one JSON line of results.
// Config: `targets` ({ url, token, method?, body?, ok?: the statuses accepted, default any below
// 300 }), `concurrency`, and either `seconds` (cycle through the targets until then; with
// `minRequests`, also until that many were sent, however slow a busy machine makes them, but never
// longer than `maxSeconds`, default ten times `seconds`) or `once: true` (each target exactly once).
// Results: `requests`, `unexpected`, `statuses`, `errors` (the first 20 unexpected answers),
// `byOrigin` (requests and statuses per server, e.g. per replica), `latencyMs` (p50, p99, max).
import { readFileSync } from "node:fs";

const arg = process.argv[2] ?? "{}";
const config = JSON.parse(arg.startsWith("@") ? readFileSync(arg.slice(1), "utf8") : arg);
const { targets, seconds, concurrency, once, minRequests = 0 } = config;
const statuses = {};
const byOrigin = {};
const errors = [];
const latencies = [];
let requests = 0;
let unexpected = 0;
let next = 0;
const deadline = Date.now() + (seconds ?? 0) * 1000;
const hardDeadline = Date.now() + (config.maxSeconds ?? (seconds ?? 0) * 10) * 1000;
/** Whether a worker in a timed run sends another request. */
const more = () => {
  const now = Date.now();
  return now < deadline || (requests + inFlight < minRequests && now < hardDeadline);
};
let inFlight = 0;

function count(url, status) {
  statuses[status] = (statuses[status] ?? 0) + 1;
  const origin = new URL(url).origin;
  const entry = byOrigin[origin] ?? { requests: 0, statuses: {} };
  byOrigin[origin] = entry;
  entry.requests++;
  entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
}

async function worker(n) {
  for (let i = n; once ? next < targets.length : more(); i++) {
    const target = once ? targets[next++] : targets[i % targets.length];
    const method = target.method ?? "GET";
    const started = performance.now();
    inFlight++;
    try {
      const response = await fetch(target.url, {
        method,
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body: target.body ? JSON.stringify(target.body) : undefined,
      });
      const text = await response.text();
      latencies.push(performance.now() - started);
      count(target.url, response.status);
      const expected = target.ok ? target.ok.includes(response.status) : response.status < 300;
      if (!expected) {
        unexpected++;
        if (errors.length < 20)
          errors.push(`${method} ${target.url} → ${response.status} ${text.slice(0, 300)}`);
      }
    } catch (error) {
      unexpected++;
      if (errors.length < 20) errors.push(`${method} ${target.url}: ${error.message}`);
      count(target.url, "network");
    }
    inFlight--;
    requests++;
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n)));
latencies.sort((a, b) => a - b);
const percentile = (q) => Math.round(latencies[Math.floor((latencies.length - 1) * q)] ?? 0);
const latencyMs = { p50: percentile(0.5), p99: percentile(0.99), max: percentile(1) };
process.stdout.write(`${JSON.stringify({ requests, unexpected, statuses, errors, byOrigin, latencyMs })}\n`);
