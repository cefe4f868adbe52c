/**
 * Connect API benchmark: requests per second and p50/p99 latency of `GET /connect/v1/flow` (flow
 * token verification, workspace / integration / scope config reads, permissions) and of
 * `GET /v1/integrations/:id` (API key check and read), with the integrations of the run's size in
 * SQLite. relink, the floors and autocannon each run in their own process over 127.0.0.1.
 *
 * Two floors, in the same run: the same-work floor (`lib/same-work-floor-process.ts`: a bare Hono
 * route on the same adapter that does the same essential work — the same token verified with the
 * same JWT library, its claims checked as relink checks them, or the API key looked up by its
 * hash and its scopes checked, the same rows read by primary key from the same SQLite file with better-sqlite3, the same
 * JSON answered, derived from what was read), and the bare route
 * (`lib/floor-process.ts`: the same JSON document, no token, no database). Targets, against the
 * same-work floor: at least 0.6x its requests per second and at most 1.7x its server CPU per
 * request. The bare route's ratio is reported only.
 *
 *   pnpm exec tsx bench/connect-api.ts [--quick] [--merge]
 *
 * `--merge` replaces the Connect API rows of `bench/results/latest.json` with this run's (the
 * other sections keep theirs, each row's note says when it was measured) and re-renders latest.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { analyse, narrowPasses } from "./lib/analysis.ts";
import { removeFixtures, startRelink } from "./lib/fixture.ts";
import { autocannon, type LoadResult, measure } from "./lib/load.ts";
import { repoRoot, startChild } from "./lib/proc.ts";
import { evaluate, type Figure, markdown, type Report, textTable } from "./lib/report.ts";

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
  /** The same-work floor. */
  sameWork: Record<string, LoadResult & { cpuMsPerRequest: number }>;
  /** The bare route. */
  floor: Record<string, LoadResult & { cpuMsPerRequest: number }>;
}

type Measured = LoadResult & { cpuMsPerRequest: number };

/**
 * The median trial's figures, each taken on its own: the median requests per second, the median
 * CPU per request, the median p50 and p99 (of an odd number of trials, each a trial's own value).
 */
function median(trials: Measured[]): Measured {
  if (trials.length === 0) throw new Error("no trial measured");
  const mid = <K extends keyof Measured>(key: K) =>
    trials.map((t) => t[key] as number).sort((a, b) => a - b)[Math.floor(trials.length / 2)] ?? Number.NaN;
  const byRps = [...trials].sort((a, b) => a.rps - b.rps)[Math.floor(trials.length / 2)] as Measured;
  return {
    ...byRps,
    rps: mid("rps"),
    cpuMsPerRequest: mid("cpuMsPerRequest"),
    p50: mid("p50"),
    p99: mid("p99"),
  };
}

/** Object keys sorted at every depth, to compare two JSON documents. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sortedKeys(v)]),
  );
}

export async function runConnectApiBench(
  { quick }: BenchOptions,
  measuredOn?: string,
): Promise<{
  figures: Figure[];
  details: ConnectApiDetails;
}> {
  const count = integrationsFor(quick);
  const connections = 16;
  const seconds = quick ? 1 : 4;
  // Five rounds, not three: a round that the machine's other work slowed moves the median less.
  const rounds = quick ? 1 : 5;
  const warmup = quick ? 1 : 4;
  const relink = await startRelink(count);
  const token = await relink.token();
  const endpoints = [
    {
      name: "GET /connect/v1/flow",
      path: "/connect/v1/flow",
      floorPath: "/flow",
      sameWorkPath: "/flow",
      headers: { authorization: `Bearer ${token}` },
    },
    {
      name: "GET /v1/integrations/:id",
      path: `/v1/integrations/${relink.fixture.integrationId}`,
      floorPath: "/integration",
      sameWorkPath: `/integration/${relink.fixture.integrationId}`,
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
    sameWork: {},
    floor: {},
  };
  const figures: Figure[] = [];
  let floor: ReturnType<typeof startChild<{ url: string }>> | null = null;
  let sameWork: ReturnType<typeof startChild<{ url: string }>> | null = null;
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
    writeFileSync(
      join(dir, "same-work.json"),
      JSON.stringify({
        flow: bodies["/flow"],
        integration: bodies["/integration"],
        workspaceId: relink.fixture.workspaceId,
        secrets: { [relink.fixture.signingKey.id]: relink.fixture.signingKey.secret },
      }),
    );
    sameWork = startChild<{ url: string }>(join(import.meta.dirname, "lib/same-work-floor-process.ts"), [
      relink.fixture.file,
      join(dir, "same-work.json"),
    ]);
    const sameWorkUrl = (await sameWork.message((m) => Boolean(m.url))).url;
    // The same-work floor answers what relink answers (else it would not be doing the same work).
    for (const e of endpoints) {
      const response = await fetch(sameWorkUrl + e.sameWorkPath, { headers: e.headers });
      const text = await response.text();
      if (!response.ok) throw new Error(`same-work floor ${e.name}: ${response.status} ${text}`);
      const theirs = JSON.stringify(sortedKeys(JSON.parse(text)));
      const ours = JSON.stringify(sortedKeys(bodies[e.floorPath]));
      if (theirs !== ours)
        throw new Error(`same-work floor ${e.name} answers another document:\n${theirs}\n${ours}`);
    }

    // Every server warmed on every endpoint first (JIT, caches: relink has far more code to
    // compile than the floors, and the first endpoint measured must not pay for it), then
    // `rounds` rounds of every endpoint on every server, the servers' order turned each round so
    // that the machine's other work weighs on all alike; each figure is the median of its rounds.
    const servers = (e: (typeof endpoints)[number]) =>
      [
        {
          key: "relink",
          url: relink.url + e.path,
          headers: e.headers,
          child: relink.child as { cpuMs(): number },
        },
        {
          key: "sameWork",
          url: sameWorkUrl + e.sameWorkPath,
          headers: e.headers,
          child: sameWork as { cpuMs(): number },
        },
        {
          key: "floor",
          url: floorUrl + e.floorPath,
          headers: undefined,
          child: floor as { cpuMs(): number },
        },
      ] as const;
    for (const e of endpoints) {
      for (const server of servers(e)) {
        await autocannon({ url: server.url, headers: server.headers, connections, seconds: warmup });
      }
    }
    const trials = new Map<string, Measured[]>();
    for (let round = 0; round < rounds; round++) {
      for (const e of endpoints) {
        const order = servers(e);
        for (let i = 0; i < order.length; i++) {
          const server = order[(i + round) % order.length] as (typeof order)[number];
          const result = await measure(
            { url: server.url, headers: server.headers, connections, seconds },
            0,
            server.child,
          );
          const key = `${server.key} ${e.name}`;
          trials.set(key, [...(trials.get(key) ?? []), result]);
        }
      }
    }
    for (const e of endpoints) {
      const ours = median(trials.get(`relink ${e.name}`) ?? []);
      const same = median(trials.get(`sameWork ${e.name}`) ?? []);
      const bare = median(trials.get(`floor ${e.name}`) ?? []);
      details.relink[e.name] = ours;
      details.sameWork[e.name] = same;
      details.floor[e.name] = bare;
      const note = `${details.bytes[e.name]} B JSON, ${count.toLocaleString("en")} integrations, ${connections} connections; median of ${rounds} rounds of ${seconds} s each (every server warmed ${warmup} s on every endpoint first); relink's CPU per request in the rounds: ${(trials.get(`relink ${e.name}`) ?? []).map((t) => t.cpuMsPerRequest.toFixed(3)).join(", ")} ms${measuredOn ? `; ${measuredOn}` : ""}`;
      const sameWorkName = "same-work floor";
      figures.push(
        {
          group: "Connect API",
          name: `${e.name} throughput`,
          value: ours.rps,
          unit: "req/s",
          baseline: { name: sameWorkName, value: same.rps },
          target: { on: "ratio", direction: "higher", limit: 0.6 },
          note,
        },
        {
          group: "Connect API",
          name: `${e.name} server CPU per request`,
          value: ours.cpuMsPerRequest,
          unit: "ms",
          baseline: { name: sameWorkName, value: same.cpuMsPerRequest },
          target: { on: "ratio", direction: "lower", limit: 1.7 },
          note: "user+system CPU of the server process / requests answered",
        },
        {
          group: "Connect API",
          name: `${e.name} p50`,
          value: ours.p50,
          unit: "ms",
          baseline: { name: sameWorkName, value: same.p50 },
        },
        {
          group: "Connect API",
          name: `${e.name} p99`,
          value: ours.p99,
          unit: "ms",
          baseline: { name: sameWorkName, value: same.p99 },
        },
        {
          group: "Connect API",
          name: `${e.name} throughput against the bare route`,
          value: ours.rps,
          unit: "req/s",
          baseline: { name: "bare Hono", value: bare.rps },
          note: "reported only: the bare route does none of the work",
        },
        {
          group: "Connect API",
          name: `${e.name} server CPU per request against the bare route`,
          value: ours.cpuMsPerRequest,
          unit: "ms",
          baseline: { name: "bare Hono", value: bare.cpuMsPerRequest },
          note: "reported only",
        },
      );
    }
  } finally {
    await sameWork?.stop();
    await floor?.stop();
    await relink.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { figures, details };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, merge: { type: "boolean", default: false } },
  });
  try {
    const at = new Date().toISOString();
    const loadAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const { figures, details } = await runConnectApiBench(
      { quick: values.quick },
      values.merge ? `measured ${at} by bench/connect-api.ts${values.quick ? " --quick" : ""}` : undefined,
    );
    const evaluated = figures.map(evaluate);
    console.log(textTable(evaluated));
    if (values.merge) {
      const file = join(repoRoot, "bench/results/latest.json");
      const report = JSON.parse(readFileSync(file, "utf8")) as Report;
      report.figures = [...evaluated, ...report.figures.filter((f) => f.group !== "Connect API")];
      report.details = { ...(report.details as object), connect: details };
      const command = `pnpm exec tsx bench/connect-api.ts${values.quick ? " --quick" : ""} --merge`;
      report.merged = [
        ...(report.merged ?? []).filter((x) => x.group !== "Connect API"),
        {
          group: "Connect API",
          date: at,
          command,
          loadAverage: { start: loadAtStart, end: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
        },
      ];
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(
        join(repoRoot, "bench/results/latest.md"),
        markdown(report, analyse(report), narrowPasses(report)),
      );
      console.log("merged the Connect API rows into bench/results/latest.json and latest.md");
    }
  } finally {
    removeFixtures();
  }
}
