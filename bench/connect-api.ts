/**
 * Connect API benchmark: requests per second and p50/p99 latency of `GET /connect/v1/flow` (flow
 * token verification, workspace / integration / scope config reads, permissions) and of
 * `GET /v1/integrations/:id` (API key check and read), with the integrations of the run's size in
 * SQLite. relink, the floor and autocannon each run in their own process over 127.0.0.1. The floor
 * is a bare Hono route on `@hono/node-server` answering the same JSON document. Target: at least
 * 0.5 of the floor's requests per second.
 *
 *   pnpm exec tsx bench/connect-api.ts [--quick]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { removeFixtures, startRelink } from "./lib/fixture.ts";
import { type LoadResult, measure } from "./lib/load.ts";
import { startChild } from "./lib/proc.ts";
import { evaluate, type Figure, textTable } from "./lib/report.ts";

export interface BenchOptions {
  quick: boolean;
}

/** Quick (CI): enough rows for every query to use its index; the full run measures at scale. */
export const integrationsFor = (quick: boolean) => (quick ? 2_000 : 100_000);

export interface ConnectApiDetails {
  integrations: number;
  connections: number;
  seconds: number;
  bytes: Record<string, number>;
  relink: Record<string, LoadResult & { cpuMsPerRequest: number }>;
  floor: Record<string, LoadResult & { cpuMsPerRequest: number }>;
}

export async function runConnectApiBench({ quick }: BenchOptions): Promise<{
  figures: Figure[];
  details: ConnectApiDetails;
}> {
  const count = integrationsFor(quick);
  const connections = 16;
  const seconds = quick ? 1 : 8;
  const warmup = quick ? 1 : 2;
  const relink = await startRelink(count);
  const token = await relink.token();
  const endpoints = [
    {
      name: "GET /connect/v1/flow",
      path: "/connect/v1/flow",
      floorPath: "/flow",
      headers: { authorization: `Bearer ${token}` },
    },
    {
      name: "GET /v1/integrations/:id",
      path: `/v1/integrations/${relink.fixture.integrationId}`,
      floorPath: "/integration",
      headers: { authorization: `Bearer ${relink.fixture.apiKey}` },
    },
  ];
  const dir = mkdtempSync(join(tmpdir(), "relink-bench-floor-"));
  const details: ConnectApiDetails = {
    integrations: count,
    connections,
    seconds,
    bytes: {},
    relink: {},
    floor: {},
  };
  const figures: Figure[] = [];
  let floor: ReturnType<typeof startChild<{ url: string }>> | null = null;
  try {
    // The documents relink answers, for the floor to answer the same.
    const bodies: Record<string, unknown> = {};
    for (const e of endpoints) {
      const response = await fetch(relink.url + e.path, { headers: e.headers });
      const text = await response.text();
      if (!response.ok) throw new Error(`${e.name}: ${response.status} ${text}`);
      bodies[e.floorPath] = JSON.parse(text);
      details.bytes[e.name] = Buffer.byteLength(text);
    }
    writeFileSync(join(dir, "bodies.json"), JSON.stringify(bodies));
    floor = startChild<{ url: string }>(join(import.meta.dirname, "lib/floor-process.ts"), [
      join(dir, "bodies.json"),
    ]);
    const floorUrl = (await floor.message((m) => Boolean(m.url))).url;

    for (const e of endpoints) {
      const ours = await measure(
        { url: relink.url + e.path, headers: e.headers, connections, seconds },
        warmup,
        relink.child,
      );
      const bare = await measure({ url: floorUrl + e.floorPath, connections, seconds }, warmup, floor);
      details.relink[e.name] = ours;
      details.floor[e.name] = bare;
      const note = `${details.bytes[e.name]} B JSON, ${count.toLocaleString("en")} integrations, ${connections} connections, ${seconds} s`;
      figures.push(
        {
          group: "Connect API",
          name: `${e.name} throughput`,
          value: ours.rps,
          unit: "req/s",
          baseline: { name: "bare Hono", value: bare.rps },
          target: { on: "ratio", direction: "higher", limit: 0.5 },
          note,
        },
        {
          group: "Connect API",
          name: `${e.name} p50`,
          value: ours.p50,
          unit: "ms",
          baseline: { name: "bare Hono", value: bare.p50 },
        },
        {
          group: "Connect API",
          name: `${e.name} p99`,
          value: ours.p99,
          unit: "ms",
          baseline: { name: "bare Hono", value: bare.p99 },
        },
        {
          group: "Connect API",
          name: `${e.name} server CPU per request`,
          value: ours.cpuMsPerRequest,
          unit: "ms",
          baseline: { name: "bare Hono", value: bare.cpuMsPerRequest },
          note: "user+system CPU of the server process / requests answered: independent of other load on the machine",
        },
      );
    }
  } finally {
    await floor?.stop();
    await relink.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { figures, details };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  try {
    const { figures } = await runConnectApiBench({ quick: values.quick });
    console.log(textTable(figures.map(evaluate)));
  } finally {
    removeFixtures();
  }
}
