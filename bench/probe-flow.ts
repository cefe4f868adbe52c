/**
 * A probe of `GET /connect/v1/flow` against its same-work floor (not part of `pnpm bench`): what
 * the analysis of that target in `results/latest.md` rests on, reproducible.
 *
 * 1. Under the benchmark's load (autocannon, 16 connections, rounds of 3 s, the servers' order
 *    turned each round, medians): relink, the same-work floor, and the same floor with 40 and
 *    80 µs of busy work added to each request. What the added work costs the floor in CPU per
 *    request says how work weighs under this load, on this machine.
 * 2. In one process, with nothing else running: relink's own token verification and flow
 *    resolution (`verifyFlowToken`, `resolveFlow`) against the floor's own steps
 *    (`bench/lib/same-work-steps.ts`: fast-jwt with the key read, the claims' checks, then its
 *    five reads by primary key with prepared better-sqlite3 statements), each
 *    repeated 20,000 times after a warm-up: the route's essential work without HTTP, the frame
 *    or the load.
 *
 *   pnpm exec tsx bench/probe-flow.ts [integrations=10000]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createRelinkServer } from "../packages/server/src/app.ts";
import { defineConfig } from "../packages/server/src/config.ts";
import { resolveFlow } from "../packages/server/src/domain/relink.ts";
import { verifyFlowToken } from "../packages/server/src/flow-tokens/verify.ts";
import { createLogger } from "../packages/server/src/logging.ts";
import { scriptedConnector } from "../packages/server/src/testing/scripted-connector.ts";
import { encryptionKey, removeFixtures, startRelink } from "./lib/fixture.ts";
import { autocannon } from "./lib/load.ts";
import { startChild } from "./lib/proc.ts";
import { sameWorkStatements, sameWorkVerifier, verifyAndReadFlow } from "./lib/same-work-steps.ts";

const count = Number(process.argv[2] ?? 10_000);
const ADDED_US = [0, 40, 80];
const ROUNDS = 5;
const SECONDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

console.log(`probe-flow: ${count} integrations; seeding…`);
const relink = await startRelink(count);
const dir = mkdtempSync(join(tmpdir(), "relink-probe-flow-"));
const floors: Array<ReturnType<typeof startChild<{ url: string }>>> = [];
try {
  const token = await relink.token();
  const headers = { authorization: `Bearer ${token}` };
  const response = await fetch(`${relink.url}/connect/v1/flow`, { headers });
  if (!response.ok) throw new Error(`GET /connect/v1/flow: ${response.status} ${await response.text()}`);
  const document = await response.json();
  const { signingKey } = relink.fixture;
  writeFileSync(
    join(dir, "same-work.json"),
    JSON.stringify({
      flow: document,
      integration: {},
      workspaceId: relink.fixture.workspaceId,
      secrets: { [signingKey.id]: signingKey.secret },
    }),
  );
  for (const added of ADDED_US) {
    floors.push(
      startChild<{ url: string }>(join(import.meta.dirname, "lib/same-work-floor-process.ts"), [
        relink.fixture.file,
        join(dir, "same-work.json"),
        String(added),
      ]),
    );
  }
  const servers = [
    { name: "relink", url: `${relink.url}/connect/v1/flow`, child: relink.child },
    ...(await Promise.all(
      floors.map(async (floor, i) => ({
        name: ADDED_US[i] ? `floor + ${ADDED_US[i]} µs` : "same-work floor",
        url: `${(await floor.message((m) => Boolean(m.url))).url}/flow`,
        child: floor,
      })),
    )),
  ];
  console.log("1. under load: warming every server…");
  for (const server of servers) await autocannon({ url: server.url, headers, connections: 16, seconds: 2 });
  const rps = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    process.stdout.write(`   round ${round + 1}/${ROUNDS}\n`);
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + round) % servers.length] as (typeof servers)[number];
      const before = server.child.cpuMs();
      const result = await autocannon({ url: server.url, headers, connections: 16, seconds: SECONDS });
      const used = server.child.cpuMs() - before;
      rps.set(server.name, [...(rps.get(server.name) ?? []), result.rps]);
      cpu.set(server.name, [...(cpu.get(server.name) ?? []), (used * 1000) / result.requests]);
    }
  }
  const floorCpu = median(cpu.get("same-work floor") ?? []);
  for (const { name } of servers) {
    const c = median(cpu.get(name) ?? []);
    const extra = name === "same-work floor" ? "" : `, ${(c - floorCpu).toFixed(0)} µs more than the floor`;
    console.log(
      `   ${name.padEnd(16)} ${median(rps.get(name) ?? [])
        .toFixed(0)
        .padStart(6)} req/s, ${c.toFixed(0).padStart(4)} µs of CPU per request${extra}`,
    );
  }

  console.log("2. in one process, no HTTP (µs per call, the least of 5 rounds of 20,000):");
  const tool = scriptedConnector("bench");
  tool.setKey("bench");
  const inProcess = await createRelinkServer({
    config: defineConfig({
      databaseUrl: `sqlite:${relink.fixture.file}`,
      encryptionKey,
      logLevel: "silent",
      runWorkers: false,
    }),
    connectors: [tool.connector],
    logger: createLogger({ level: "silent" }),
  });
  const { ctx } = inProcess;
  // The floor's own steps (bench/lib/same-work-steps.ts), on its own connection.
  const raw = new Database(relink.fixture.file, { readonly: true, fileMustExist: true });
  const statements = sameWorkStatements(raw);
  const verify = sameWorkVerifier(statements, { [signingKey.id]: signingKey.secret });
  const steps: Record<string, () => Promise<unknown>> = {
    "relink: verifyFlowToken + resolveFlow": async () => resolveFlow(ctx, await verifyFlowToken(ctx, token)),
    "relink: verifyFlowToken": () => verifyFlowToken(ctx, token),
    "floor: fast-jwt with its key read + claims + 5 reads": async () => {
      const read = await verifyAndReadFlow(statements, verify, token, Math.floor(Date.now() / 1000));
      if ("refused" in read) throw new Error(`the floor refused the token: ${read.refused}`);
    },
    "floor: fast-jwt with its key read": () => verify(token),
  };
  const N = 20_000;
  for (const [name, step] of Object.entries(steps)) {
    for (let i = 0; i < N; i++) await step();
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const started = process.cpuUsage();
      for (let i = 0; i < N; i++) await step();
      const used = process.cpuUsage(started);
      rounds.push((used.user + used.system) / N);
    }
    console.log(
      `   ${name.padEnd(46)} ${Math.min(...rounds)
        .toFixed(1)
        .padStart(6)} µs`,
    );
  }
  raw.close();
  await inProcess.close();
} finally {
  for (const floor of floors) await floor.stop();
  await relink.child.stop();
  removeFixtures();
  rmSync(dir, { recursive: true, force: true });
}
