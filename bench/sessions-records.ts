/**
 * Sync sessions and records benchmark (issue 21's bullets, issue 17's figures). Every part runs in
 * its own process over 127.0.0.1: the demo HR system (the tool, whose auth check answers at
 * once), relink (one process that seeds the SQLite file, then `startServer`s on it with the demo's
 * connectors: its modules are loaded once) and the load generator (`lib/paths-load.ts`: autocannon for throughput, timed `node:http` loops
 * for latency).
 *
 * - Sessions/s with a reused check: `POST /v1/integrations/{id}/sync-sessions` with
 *   `max_check_age: "15m"` (a first session made the check), API key with scope
 *   `credentials:read`, against `GET /v1/integrations/:id` (management key) on the same
 *   integration, same relink process, same connections, same run: five rounds of 3 s of the two in
 *   turn (the order turned each round), each figure the median of its rounds. Target: ≥ 0.5x.
 * - A session with a fresh check (`max_check_age: "0s"`, one auth check at the demo HR system per
 *   session), one connection: p50 / p99, reported only.
 *   Sessions opened are left to expire (15 min; relink stops before, the database is removed): each
 *   writes one `sync_sessions` row (and a fresh one an `auth_checks` row), bounded by the seconds
 *   or the number of requests measured.
 * - A page of 100 records (`GET /v1/integrations/{id}/records/employees?limit=100`, scope
 *   `records:read`) with 1,000,000 records (quick: 4,000) sealed as the server stores them: one
 *   integration with 200,000 (quick: 2,000), the others 100 each. Pages at random cursors across
 *   the big one, half of them with an `updated_after` before its sync, 2,000 measured after 1,000
 *   of warm-up (the server's CPU per page settles over the first thousand); one connection, so the
 *   latency is the server's answer over loopback with no queueing (timed from the request sent to
 *   the body read; the server's CPU per page from /proc beside it). Targets: p50 ≤ 5 ms,
 *   p99 ≤ 20 ms. Reported beside it: the incremental poll with nothing newer (`updated_after` after
 *   the sync: an empty page, the most frequent poll of a product reading increments).
 *
 *   pnpm exec tsx bench/sessions-records.ts [--quick]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { PathsLoad, PathsLoadResult } from "./lib/paths-load.ts";
import { startChild } from "./lib/proc.ts";
import { evaluate, type Figure, median, textTable } from "./lib/report.ts";
import type { SessionsRecordsFixture } from "./lib/sessions-records-process.ts";

const entry = join(import.meta.dirname, "lib/sessions-records-process.ts");

/**
 * The rounds of one load as one result: each figure the median of its rounds (requests, the sum),
 * as the connect API's rounds are read.
 */
function medianRound(rounds: PathsLoadResult[]): PathsLoadResult {
  const first = rounds[0];
  if (!first) throw new Error("no rounds");
  const of = (pick: (r: PathsLoadResult) => number) => median(rounds.map(pick));
  return {
    ...first,
    rps: of((r) => r.rps),
    p50: of((r) => r.p50),
    p99: of((r) => r.p99),
    cpuMsPerRequest: of((r) => r.cpuMsPerRequest),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    seconds: rounds.reduce((sum, r) => sum + r.seconds, 0),
    wall: {
      warmup: rounds.reduce((sum, r) => sum + r.wall.warmup, 0),
      measured: rounds.reduce((sum, r) => sum + r.wall.measured, 0),
    },
  };
}
const GROUP = "Sessions and records";

export interface SessionsRecordsDetails {
  fixture: SessionsRecordsFixture;
  loadAverage: { start: number; end: number };
  integration: PathsLoadResult;
  reused: PathsLoadResult;
  fresh: PathsLoadResult;
  page: PathsLoadResult;
  emptyPoll: PathsLoadResult;
  /** Seconds of each phase. */
  phases: Record<string, number>;
}

const encodeCursor = (remoteId: string) => Buffer.from(remoteId, "utf8").toString("base64url");
const load1 = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;

export async function runSessionsRecordsBench({
  quick,
}: {
  quick: boolean;
}): Promise<{ figures: Figure[]; details: SessionsRecordsDetails }> {
  const records = quick ? 4_000 : 1_000_000;
  const big = quick ? 2_000 : 200_000;
  // Sessions/s and its baseline in rounds, the order of the two turned each round, each figure the
  // median of its rounds: one trial of each, one after the other, moved the ratio from 0.76x to
  // 0.50x between two runs of the same code (2026-12-02).
  const rounds = quick ? 1 : 5;
  const seconds = quick ? 1 : 3;
  const connections = 16;
  const loadAtStart = load1();
  const dir = mkdtempSync(join(tmpdir(), "relink-bench-sr-"));
  const encryptionKey = randomBytes(32).toString("base64");
  const env = { RELINK_ENCRYPTION_KEY: encryptionKey };
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    phases[name] = Math.round(performance.now() - mark) / 1000;
    mark = performance.now();
  };
  // The demo HR system, the seeding and the load generator's start-up run side by side.
  const hris = startChild<{ url: string }>(join(import.meta.dirname, "lib/demo-hris-process.ts"), []);
  type LoaderMessage = { ready?: true; results?: PathsLoadResult[]; error?: string };
  const loader = startChild<LoaderMessage>(join(import.meta.dirname, "lib/paths-load.ts"), []);
  type RelinkMessage = { url?: string; fixture?: SessionsRecordsFixture };
  let relink: ReturnType<typeof startChild<RelinkMessage>> | null = null;
  try {
    const file = join(dir, "relink.db");
    // One process seeds the database, then serves it: relink's modules are loaded once.
    relink = startChild<RelinkMessage>(entry, ["seed-serve", file, String(records), String(big)], env);
    const hrisUrl = (await hris.message((m) => Boolean(m.url))).url;
    const issued = await fetch(`${hrisUrl}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
    });
    if (!issued.ok) throw new Error(`demo HR system: ${issued.status} ${await issued.text()}`);
    const toolKey = ((await issued.json()) as { key: string }).key;
    const seeded = (await relink.message((m) => Boolean(m.fixture), 600_000)).fixture;
    if (!seeded) throw new Error("seed-serve: no fixture");
    const fixture = seeded;
    phase("seed");
    relink.send({ hrisUrl });
    const origin = (await relink.message((m) => Boolean(m.url), 60_000)).url ?? "";
    phase("relink start");

    // The integration the sessions are opened on: imported with a key valid at the demo HR system.
    const imported = await fetch(`${origin}/v1/integrations`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.managementKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        tool: "demo-hris",
        end_user: { origin_id: "org-sessions", organization_name: "Sessions Ltd" },
        credentials: { api_key: toolKey },
      }),
    });
    if (imported.status !== 201) throw new Error(`import: ${imported.status} ${await imported.text()}`);
    const sessionIntegrationId = ((await imported.json()) as { id: string }).id;
    const sessionsPath = `/v1/integrations/${sessionIntegrationId}/sync-sessions`;
    const asSession = { authorization: `Bearer ${fixture.sessionKey}` };
    // The first session makes the check the reused ones take.
    const first = await fetch(origin + sessionsPath, {
      method: "POST",
      headers: { ...asSession, "content-type": "application/json" },
      body: JSON.stringify({ max_check_age: "0s" }),
    });
    if (first.status !== 201) throw new Error(`first session: ${first.status} ${await first.text()}`);
    const pagesPath = `/v1/integrations/${fixture.bigIntegrationId}/records/employees?limit=100`;
    const before = new Date(Date.parse(fixture.bigSyncedAt) - 60_000).toISOString();
    const after = new Date(Date.parse(fixture.bigSyncedAt) + 60_000).toISOString();
    const pages: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      // A cursor anywhere in the big integration (the last 100 records included: a short page).
      const at = Math.floor(Math.random() * big);
      const cursor = i % 20 === 0 ? "" : `&cursor=${encodeCursor(`emp-${String(at).padStart(8, "0")}`)}`;
      const since = i % 2 === 0 ? `&updated_after=${encodeURIComponent(before)}` : "";
      pages.push(pagesPath + cursor + since);
    }
    // Every answer is checked before it is measured (a 4xx would be fast and wrong).
    const probe = await fetch(origin + (pages[1] ?? pagesPath), {
      headers: { authorization: `Bearer ${fixture.recordsKey}` },
    });
    const probed = (await probe.json()) as { data?: unknown[] };
    if (probe.status !== 200 || !probed.data?.length)
      throw new Error(`records page: ${probe.status} ${JSON.stringify(probed).slice(0, 300)}`);

    const serverPid = relink.pid;
    const integrationLoad: PathsLoad = {
      origin,
      paths: [`/v1/integrations/${sessionIntegrationId}`],
      headers: { authorization: `Bearer ${fixture.managementKey}` },
      connections,
      seconds,
      warmupAmount: quick ? 50 : 500,
      serverPid,
    };
    const sessionsLoad: PathsLoad = {
      origin,
      paths: [sessionsPath],
      method: "POST",
      body: JSON.stringify({ max_check_age: "15m" }),
      headers: asSession,
      connections,
      seconds,
      warmupAmount: quick ? 50 : 500,
      serverPid,
    };
    const paired: PathsLoad[] = [];
    for (let round = 0; round < rounds; round++)
      paired.push(...(round % 2 === 0 ? [integrationLoad, sessionsLoad] : [sessionsLoad, integrationLoad]));
    const spec: PathsLoad[] = [
      ...paired,
      {
        origin,
        paths: [sessionsPath],
        method: "POST",
        body: JSON.stringify({ max_check_age: "0s" }),
        headers: asSession,
        connections: 1,
        amount: quick ? 30 : 500,
        warmupAmount: quick ? 5 : 50,
        serverPid,
      },
      {
        origin,
        paths: pages,
        headers: { authorization: `Bearer ${fixture.recordsKey}` },
        connections: 1,
        // Warmed until the server's CPU per page settles (it falls over the first thousand pages:
        // the JIT, the opened pages of the file), then measured at that steady state.
        amount: quick ? 150 : 2_000,
        warmupAmount: quick ? 30 : 1_000,
        serverPid,
      },
      {
        origin,
        paths: [`${pagesPath}&updated_after=${encodeURIComponent(after)}`],
        headers: { authorization: `Bearer ${fixture.recordsKey}` },
        connections: 1,
        amount: quick ? 20 : 30,
        warmupAmount: 5,
        serverPid,
      },
    ];
    phase("probes");
    await loader.message((m) => Boolean(m.ready), 60_000);
    loader.send(spec);
    const answer = await loader.message((m) => Boolean(m.results || m.error), 600_000);
    if (answer.error) throw new Error(`paths-load: ${answer.error}`);
    const results = answer.results ?? [];
    const pairs = results.slice(0, 2 * rounds);
    const [fresh, page, emptyPoll] = results.slice(2 * rounds);
    phase("load");
    if (pairs.length !== 2 * rounds || !fresh || !page || !emptyPoll)
      throw new Error("paths-load: missing results");
    const integrationRounds = pairs.filter((_, i) => paired[i] === integrationLoad);
    const reusedRounds = pairs.filter((_, i) => paired[i] === sessionsLoad);
    const integration = medianRound(integrationRounds);
    const reused = medianRound(reusedRounds);
    const roundRatios = reusedRounds.map((r, i) =>
      (r.rps / (integrationRounds[i]?.rps ?? Number.NaN)).toFixed(2),
    );
    const names = [
      "GET /v1/integrations/:id",
      "sessions (reused check)",
      "sessions (fresh check)",
      "records page",
      "empty poll",
    ];
    [integration, reused, fresh, page, emptyPoll].forEach((r, i) => {
      if (r.non2xx > 0 || r.errors > 0)
        throw new Error(`${names[i]}: ${r.non2xx} non-2xx answers and ${r.errors} errors under load`);
    });
    const loadAverage = { start: loadAtStart, end: load1() };
    const sizes = `${fixture.records.toLocaleString("en")} records in ${fixture.integrations.toLocaleString("en")} integrations, ${fixture.big.toLocaleString("en")} in the paged one${quick ? " (quick: 4k, not 1M)" : ""}; seeded in ${fixture.seedSeconds.toFixed(1)} s`;
    const load = `load average ${loadAverage.start}→${loadAverage.end}`;
    const figures: Figure[] = [
      {
        group: GROUP,
        name: "sync sessions/s, reused check (max_check_age 15m)",
        value: reused.rps,
        unit: "req/s",
        baseline: { name: "GET /v1/integrations/:id", value: integration.rps },
        target: { on: "ratio", direction: "higher", limit: 0.5 },
        note: `same relink process and integration, ${connections} connections; the median of ${rounds} round${rounds === 1 ? "" : "s"} of ${seconds} s each, the two in turn (the order turned each round; the rounds' ratios ${roundRatios.join(", ")}); ${reused.requests.toLocaleString("en")} sessions opened and left to expire (one sync_sessions row each); ${load}`,
      },
      {
        group: GROUP,
        name: "sync session, fresh check (max_check_age 0s) p50",
        value: fresh.p50,
        unit: "ms",
        note: `auth check at the demo HR system in its own process over 127.0.0.1, 1 connection, ${fresh.requests} sessions (left to expire); reported only`,
      },
      {
        group: GROUP,
        name: "sync session, fresh check (max_check_age 0s) p99",
        value: fresh.p99,
        unit: "ms",
        note: "reported only",
      },
      {
        group: GROUP,
        name: "sync session (reused check) server CPU per request",
        value: reused.cpuMsPerRequest,
        unit: "ms",
        baseline: { name: "GET /v1/integrations/:id", value: integration.cpuMsPerRequest },
        note: `user+system CPU of relink's process / requests answered, the median of the rounds (sessions: ${reusedRounds.map((r) => r.cpuMsPerRequest.toFixed(3)).join(", ")} ms; GET: ${integrationRounds.map((r) => r.cpuMsPerRequest.toFixed(3)).join(", ")} ms); reported only`,
      },
      {
        group: GROUP,
        name: "records page of 100, p50",
        value: page.p50,
        unit: "ms",
        target: { on: "value", direction: "lower", limit: 5 },
        note: `latency from the request sent to the body read over 127.0.0.1, 1 connection (no queueing), ${page.requests.toLocaleString("en")} pages at random cursors, half with updated_after; ${sizes}; ${load}`,
      },
      {
        group: GROUP,
        name: "records page of 100, p99",
        value: page.p99,
        unit: "ms",
        target: { on: "value", direction: "lower", limit: 20 },
        note: `${Math.round(page.rps)} pages/s on one connection`,
      },
      {
        group: GROUP,
        name: "records page of 100, server CPU per page",
        value: page.cpuMsPerRequest,
        unit: "ms",
        note: "user+system CPU of relink's process / pages answered (what the server spends, whatever else shares the cores); reported only",
      },
      {
        group: GROUP,
        name: "records poll with nothing newer (updated_after after the sync) p50",
        value: emptyPoll.p50,
        unit: "ms",
        note: `an empty page of the paged integration, 1 connection, ${emptyPoll.requests} polls; reported only`,
      },
    ];
    return {
      figures,
      details: { fixture, loadAverage, integration, reused, fresh, page, emptyPoll, phases },
    };
  } finally {
    await loader.stop();
    await relink?.stop();
    await hris.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const t = performance.now();
  const { figures, details } = await runSessionsRecordsBench({ quick: values.quick });
  console.log(textTable(figures.map(evaluate)));
  console.log(
    `walls ${JSON.stringify([details.integration, details.reused, details.fresh, details.page, details.emptyPoll].map((r) => r.wall))}\nphases ${JSON.stringify(details.phases)}, total ${((performance.now() - t) / 1000).toFixed(1)} s, load average ${details.loadAverage.start}→${details.loadAverage.end}`,
  );
}
