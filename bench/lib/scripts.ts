/**
 * The benchmarks that already exist as scripts (`bench/pause-engine.ts`, `bench/webhooks.ts`,
 * `bench/dashboard.ts`): each run as a child process with the run's sizes, its printed figures
 * parsed. A script that exports a `run…Bench({ quick })` function could be imported instead; running
 * them as processes keeps every benchmark's memory and event loop apart and is robust to their
 * top-level code.
 */
import { join } from "node:path";
import type { PauseEngineBenchOptions, PauseEngineBenchResult, SimulationFigures } from "../pause-engine.ts";
import { dayNote, perCheck } from "./per-check.ts";
import { repoRoot, runScript } from "./proc.ts";
import type { Figure } from "./report.ts";

export interface ScriptResult {
  figures: Figure[];
  details: { args: string[]; output: string };
}

async function run(
  name: string,
  args: string[],
  timeoutMs: number,
  env?: Record<string, string>,
): Promise<string> {
  return runScript(join(repoRoot, "bench", `${name}.ts`), args, { timeoutMs, echo: name, env });
}

/** `runPauseEngineBench` in a child process of its own (its peak RSS is its own). */
async function pauseEngineChild(options: PauseEngineBenchOptions, timeoutMs: number) {
  const output = await runScript(
    join(repoRoot, "bench/lib/pause-engine-child.ts"),
    [JSON.stringify(options)],
    { timeoutMs, echo: "pause-engine" },
  );
  return {
    output,
    result: JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as PauseEngineBenchResult,
  };
}

const k = (size: number) => (size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`);
const simNote = (sim: SimulationFigures) =>
  `${sim.integrations.toLocaleString("en")} integrations, ${sim.failing.toLocaleString("en")} failing, synced every ${sim.intervalMs / 3_600_000} h for ${sim.days} days: ${sim.checks.toLocaleString("en")} checks, ${sim.paused.toLocaleString("en")} paused${sim.recordsPerSync ? `, ${sim.recordsPerSync} records stored per sync` : ""}; CPU time of the process meanwhile ${(sim.cpuMs / 1000).toFixed(1)} s; ${perCheck(sim)}`;

/**
 * Pause engine: `runPauseEngineBench` from `bench/pause-engine.ts`, in a child process. Default:
 * throughput at 10k and 100k all due, tick of 1k due among 10k vs 1M, 3 simulated days of 100k
 * integrations with 5% failing, and of 20k whose syncs store records, sealed vs not; PostgreSQL too
 * with `--postgres <url>`. Quick: its small sizes. `full`: also the simulation of 1M integrations,
 * in a child process of its own (its peak RSS is its own), against the 100k run's wall time.
 */
export async function runPauseEngine({
  quick,
  full = false,
  postgres,
}: {
  quick: boolean;
  full?: boolean;
  postgres?: string;
}): Promise<ScriptResult> {
  const options: PauseEngineBenchOptions = quick
    ? { quick: true }
    : {
        sizes: [10_000, 100_000],
        small: 10_000,
        large: 1_000_000,
        due: 1_000,
        sim: 100_000,
        sealSim: 20_000,
      };
  if (postgres) options.postgres = postgres;
  const { output, result } = await pauseEngineChild(options, quick ? 90_000 : 1_200_000);
  const figures: Figure[] = [];
  const sim = result.simulation;
  if (sim) {
    const note = simNote(sim);
    figures.push(
      {
        group: "Pause engine",
        name: `SQLite 3-day simulation, ${k(sim.integrations)}: wall time`,
        value: sim.wallMs / 1000,
        unit: "s",
        target: { on: "value", direction: "lower", limit: 60 },
        note,
      },
      {
        group: "Pause engine",
        name: `SQLite 3-day simulation, ${k(sim.integrations)}: peak RSS`,
        value: sim.peakRssMb,
        unit: "MB",
        target: { on: "value", direction: "lower", limit: 300 },
      },
    );
  }
  const sealing = result.sealing;
  if (sealing) {
    const { sealed, plain } = sealing;
    figures.push({
      group: "Pause engine",
      name: `SQLite 3-day simulation with records, ${k(sealed.integrations)}: sealed vs not sealed, wall time`,
      value: sealed.wallMs / 1000,
      unit: "s",
      baseline: { name: "records not sealed (bench seam)", value: plain.wallMs / 1000 },
      target: { on: "ratio", direction: "lower", limit: 1.2 },
      note: `${simNote(sealed)}; not sealed: CPU ${(plain.cpuMs / 1000).toFixed(1)} s (CPU ratio ${(sealed.cpuMs / plain.cpuMs).toFixed(2)}x)${sealing.trials.length > 1 ? `; the median of ${sealing.trials.length} trials, each on fresh databases, the world stepped first alternating (wall ratios ${sealing.trials.map((r) => `${r.toFixed(2)}x`).join(", ")})` : ""}`,
    });
  }
  let output1M = "";
  if (full && sim) {
    // Ten times the scale, alone in its process: the 100k run above is its baseline.
    const large = await simulation1M(sim);
    output1M = large.output;
    figures.push(...large.figures);
  }
  for (const r of result.results) {
    for (const [size, rate] of Object.entries(r.checksPerSecond)) {
      figures.push({
        group: "Pause engine",
        name: `${r.dialect} checks+schedules, ${k(Number(size))} all due`,
        value: rate,
        unit: "/s",
        target: r.dialect === "SQLite" ? { on: "value", direction: "higher", limit: 5000 } : null,
        ...(r.dialect === "SQLite" && !quick
          ? {
              note: "the median of three trials, each on a fresh database (the trials are in the section's output)",
            }
          : {}),
      });
    }
    if (r.tick) {
      figures.push({
        group: "Pause engine",
        name: `${r.dialect} tick (claim ${k(r.tick.due)} due) among ${k(r.tick.large)}`,
        value: r.tick.largeMs,
        unit: "ms",
        baseline: { name: `among ${k(r.tick.small)}`, value: r.tick.smallMs },
        target: { on: "ratio", direction: "lower", limit: 1.5 },
      });
    }
  }
  if (!figures.length) throw new Error(`no figures from runPauseEngineBench:\n${output.slice(-2000)}`);
  return {
    figures,
    details: { args: [JSON.stringify(options)], output: `${output.trim()}\n${output1M.trim()}`.trim() },
  };
}

/**
 * The baseline of the 1M run among the 100k runs (the bench's first, then the ones around the 1M
 * run): the median run by wall time (of two, the slower: a baseline that flatters nothing), whose
 * days and CPU per check the 1M run's are compared with, its row's name, and every run's wall time.
 */
export function medianBaseline(runs: { when: string; sim: SimulationFigures }[]): {
  sim: SimulationFigures;
  baseline: { name: string; value: number };
  baselineNote: string;
} {
  if (runs.length === 0) throw new Error("no 100k run to compare the 1M run with");
  const sorted = [...runs].sort((a, b) => a.sim.wallMs - b.sim.wallMs);
  const { sim } = sorted[Math.floor(sorted.length / 2)] as (typeof runs)[number];
  const size = k(sim.integrations);
  return {
    sim,
    baseline: {
      name: runs.length > 1 ? `the median of ${runs.length} ${size} runs` : `the ${size} run`,
      value: sim.wallMs / 1000,
    },
    baselineNote: `the ${size} run${runs.length > 1 ? "s" : ""}: ${runs.map((r) => `${r.when} ${(r.sim.wallMs / 1000).toFixed(1)} s`).join(", ")}`,
  };
}

/**
 * The 3-day simulation of 1M integrations, alone in its process, against the 100k run: its wall
 * time (target ≤ 11x) and peak RSS (≤ 400 MB). The baseline is the median of three 100k runs: the
 * bench's own (`main`), and one in a process of its own right before the 1M run and one right
 * after. A 100k run lasts under a minute, the 1M run ten: one short sample of a shared machine
 * moved the ratio from 10.8x to 14.0x for the same code, the runs around the 1M one sample the
 * machine it ran on. Bounded: the 1M run stops stepping at 20x the baseline's wall time (far past
 * the target: the ratio is a miss either way), and the process is killed 15 minutes after that
 * (seeding, closing). A run that did not finish reports both rows as missed (n/a), with how far it
 * got; its progress lines are echoed every 30 s.
 */
async function simulation1M(main: SimulationFigures): Promise<{ output: string; figures: Figure[] }> {
  const size = 1_000_000;
  const outputs: string[] = [];
  const baselines = [{ when: "the bench's", sim: main }];
  const another = async (when: string) => {
    process.stderr.write(
      `  pause-engine: the ${k(main.integrations)} simulation again, ${when} the 1M run (its baseline)\n`,
    );
    try {
      const again = await pauseEngineChild(
        { only: ["sim"], sim: main.integrations, large: size },
        10 * 60_000,
      );
      outputs.push(again.output);
      const sim = again.result.simulation;
      if (sim?.finished) baselines.push({ when: `${when} the 1M run (its own process)`, sim });
    } catch (error) {
      // The baseline is then the runs that finished (the bench's at least), and the output says why.
      outputs.push(
        `the ${k(main.integrations)} run ${when} the 1M run failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  await another("before");
  // A bound on a run that went wrong, not a verdict: the run is let finish well past the 11x target
  // (20x the 100k run, at least 30 min, at most 50), so that its wall time, ratio and peak RSS are
  // figures, not "stopped at hour 77". If it still stops, the CPU per check row below compares the
  // two sizes on the part that ran.
  const deadlineFactor = 20;
  const sofar = medianBaseline(baselines).sim.wallMs;
  const deadlineMs = Math.min(50 * 60_000, Math.max(30 * 60_000, deadlineFactor * sofar));
  const name = (what: string) => `SQLite 3-day simulation, ${k(size)}: ${what}`;
  const wallTarget = { on: "ratio", direction: "lower", limit: 11 } as const;
  const rssTarget = { on: "value", direction: "lower", limit: 400 } as const;
  let output = "";
  let big: SimulationFigures | undefined;
  let failure = "";
  try {
    const large = await pauseEngineChild(
      { only: ["sim"], sim: size, large: size, simDeadlineMs: deadlineMs },
      deadlineMs + 15 * 60_000,
    );
    output = large.output;
    big = large.result.simulation;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    output = failure;
  }
  await another("after");
  const { sim, baseline, baselineNote } = medianBaseline(baselines);
  // The cost of one check at each size (reported): linear scaling keeps it flat.
  const cpuPerCheck: Figure[] =
    big && big.checks > 0
      ? [
          {
            group: "Pause engine",
            name: name("CPU per check"),
            value: (big.cpuMs * 1000) / big.checks,
            unit: "µs",
            baseline: { name: `the ${k(sim.integrations)} run`, value: (sim.cpuMs * 1000) / sim.checks },
            note: `${big.finished ? "the whole run" : `the ${big.simulatedHours} simulated hours that ran`}: ${perCheck(big)}; the ${k(sim.integrations)} run: ${perCheck(sim)}`,
          },
        ]
      : [];
  // Each simulated day against the same day of the 100k run (reported): where the time beyond
  // linear goes (the first day, each integration's first check, or the days after).
  const byDay: Figure[] =
    big?.finished && big.byDay && sim.byDay && big.byDay.length === sim.byDay.length
      ? big.byDay.map((day, i) => {
          const small = sim.byDay?.[i] as NonNullable<SimulationFigures["byDay"]>[number];
          return {
            group: "Pause engine",
            name: name(`day ${i + 1} wall time`),
            value: day.wallMs / 1000,
            unit: "s",
            baseline: { name: `day ${i + 1} of the ${k(sim.integrations)} run`, value: small.wallMs / 1000 },
            note: `${dayNote(day)}; the ${k(sim.integrations)} run: ${dayNote(small)}`,
          };
        })
      : [];
  // Not finished: both rows missed (n/a, unless the RSS was already over), with how far it got.
  const finished = big?.finished === true;
  const lastProgress = [...(failure || output).matchAll(/simulated hour (\d+) of (\d+)[^\n]*/g)].at(-1)?.[0];
  const how = big
    ? `stopped at its deadline (${(deadlineMs / 1000).toFixed(0)} s, ${(deadlineMs / sim.wallMs).toFixed(0)}x the ${k(sim.integrations)} run) after simulated hour ${big.simulatedHours} of ${big.totalHours}: ${big.checks.toLocaleString("en")} checks in ${(big.wallMs / 1000).toFixed(0)} s (CPU ${(big.cpuMs / 1000).toFixed(0)} s), peak RSS so far ${big.peakRssMb.toFixed(0)} MB`
    : `did not finish: ${failure.split("\n")[0]}${lastProgress ? `; last progress: ${lastProgress}` : ""}`;
  return {
    output: [outputs[0] ?? "", output, outputs[1] ?? ""].join("\n"),
    figures: [
      ...cpuPerCheck,
      ...byDay,
      {
        group: "Pause engine",
        name: name("wall time"),
        value: finished && big ? big.wallMs / 1000 : Number.NaN,
        unit: "s",
        baseline,
        target: wallTarget,
        note: `${finished && big ? simNote(big) : how}; ${baselineNote}`,
      },
      {
        group: "Pause engine",
        name: name("peak RSS"),
        value: big && (finished || big.peakRssMb > rssTarget.limit) ? big.peakRssMb : Number.NaN,
        unit: "MB",
        target: rssTarget,
        ...(finished ? {} : { note: how }),
      },
    ],
  };
}

/**
 * PostgreSQL (the throwaway server of the tests: `--postgres <url>`, or `RELINK_TEST_POSTGRES_URL` with `--full`,
 * a fresh database per measure): the 3-day simulation of 100k integrations and the webhook backlog,
 * each with one replica and with three (replicas: processes on the same database), the ratio
 * reported. Without a URL the section says it skipped. Quick: 2k integrations and 300 events.
 */
export async function runPostgres({
  quick,
  postgres,
}: {
  quick: boolean;
  postgres?: string;
}): Promise<ScriptResult> {
  if (!postgres) {
    const skipped =
      "skipped: no PostgreSQL server given (--postgres <url>, or RELINK_TEST_POSTGRES_URL with --full)";
    process.stderr.write(`  PostgreSQL figures ${skipped}\n`);
    return { figures: [], details: { args: [], output: skipped } };
  }
  const size = quick ? 2_000 : 100_000;
  const events = quick ? 300 : 10_000;
  const replicas = [1, 3];
  const figures: Figure[] = [];
  const { output, result } = await pauseEngineChild(
    { only: ["postgres-sim"], postgres, postgresSim: size, replicas, sim: 0, sealSim: 0 },
    quick ? 120_000 : 2_400_000,
  );
  const sims = result.postgresSimulations ?? [];
  const one = sims.find((s) => s.replicas === 1);
  for (const sim of sims) {
    figures.push({
      group: "PostgreSQL",
      name: `3-day simulation, ${k(sim.integrations)}, ${sim.replicas} replica${sim.replicas > 1 ? "s" : ""}: wall time`,
      value: sim.wallMs / 1000,
      unit: "s",
      baseline: sim.replicas > 1 && one ? { name: "1 replica", value: one.wallMs / 1000 } : null,
      note: `${simNote(sim).replace(/; CPU time.*$/, "")}; each replica its own process, the clock stepped for all${sim.replicasCpuMs === undefined ? "" : `; the replicas used ${(sim.replicasCpuMs / 1000).toFixed(1)} s of CPU in all (the rest of the wall time, per replica, is spent waiting: for the database's answers, and for a core when the machine is busy)`}${machineShare(sim)}`,
    });
  }
  const outputs = [output];
  let single: number | null = null;
  for (const n of replicas) {
    const args = ["--postgres", "--replicas", String(n), "--events", String(events), "--latency-events", "0"];
    const text = await run("webhooks", args, quick ? 120_000 : 600_000, {
      RELINK_TEST_POSTGRES_URL: postgres,
    });
    outputs.push(text);
    const m = /throughput: (\d+) deliveries in ([\d.]+) s = (\d+) deliveries\/s/.exec(text);
    if (!m) continue;
    const rate = Number(m[3]);
    if (n === 1) single = rate;
    figures.push({
      group: "PostgreSQL",
      name: `webhook deliveries/s (backlog), ${n} replica${n > 1 ? "s" : ""}`,
      value: rate,
      unit: "/s",
      baseline: n > 1 && single !== null ? { name: "1 replica", value: single } : null,
      note: `${m[1]} deliveries in ${m[2]} s; each replica its own process, one receiver process`,
    });
  }
  return { figures, details: { args: [], output: outputs.join("\n").trim() } };
}

/**
 * What bounds a PostgreSQL simulation: how busy the machine's cores were over its span, and whose
 * CPU time that was (the replicas, the stepping process, the rest: PostgreSQL's server processes
 * and any other work of the machine).
 */
function machineShare(sim: SimulationFigures): string {
  if (!sim.machine || sim.replicasCpuMs === undefined) return "";
  const capacity = sim.machine.cores * sim.wallMs;
  const busy = Math.min(1, sim.machine.busyMs / capacity);
  const rest = Math.max(0, sim.machine.busyMs - sim.replicasCpuMs - sim.cpuMs);
  return `; the machine's ${sim.machine.cores} cores were ${(busy * 100).toFixed(0)}% busy over the run (${(sim.machine.busyMs / 1000).toFixed(0)} s of CPU: the replicas ${(sim.replicasCpuMs / 1000).toFixed(0)} s, the stepping process ${(sim.cpuMs / 1000).toFixed(0)} s, the rest, PostgreSQL's server processes and any other work, ${(rest / 1000).toFixed(0)} s)${busy > 0.9 ? ": the cores were the bound, and more replicas can only share them" : ""}`;
}

/** Webhooks: a backlog drained to a local receiver, and commit-to-receipt latency. */
export async function runWebhooks({ quick }: { quick: boolean }): Promise<ScriptResult> {
  const args = quick
    ? ["--events", "300", "--latency-events", "20"]
    : ["--events", "10000", "--latency-events", "300"];
  const output = await run("webhooks", args, quick ? 60_000 : 300_000);
  const figures: Figure[] = [];
  const throughput = /throughput: (\d+) deliveries in ([\d.]+) s = (\d+) deliveries\/s/.exec(output);
  const cpu = /([\d.]+) ms per delivery, i\.e\. (\d+) deliveries\/s per fully available core/.exec(output);
  const latency = /commit-to-receipt \((\d+) single events\): p50 ([\d.]+) ms, p99 ([\d.]+) ms/.exec(output);
  if (throughput)
    figures.push({
      group: "Webhooks",
      name: "deliveries/s (backlog, SQLite)",
      value: Number(throughput[3]),
      unit: "/s",
      // What one free core would deliver at the dispatcher's measured CPU per delivery (above 1x: the
      // drain used more than one core's worth, SQLite and libuv threads included).
      baseline: cpu ? { name: "1 core at its CPU cost per delivery", value: Number(cpu[2]) } : null,
      note: `${throughput[1]} deliveries in ${throughput[2]} s`,
    });
  if (latency) {
    figures.push(
      {
        group: "Webhooks",
        name: "commit-to-receipt p50",
        value: Number(latency[2]),
        unit: "ms",
        note: `${latency[1]} single events`,
      },
      { group: "Webhooks", name: "commit-to-receipt p99", value: Number(latency[3]), unit: "ms" },
    );
  }
  if (!figures.length) throw new Error(`no figures in the webhooks output:\n${output.slice(-2000)}`);
  return { figures, details: { args, output } };
}

/** Dashboard: first page of the integrations list, server time and time to rendered rows. */
export async function runDashboard({ quick }: { quick: boolean }): Promise<ScriptResult> {
  const count = quick ? 2_000 : 100_000;
  const args = ["--integrations", String(count), "--runs", quick ? "2" : "10"];
  const output = await run("dashboard", args, quick ? 90_000 : 300_000);
  const figures: Figure[] = [];
  const wanted: Array<[RegExp, string]> = [
    [/^server: first page \(50, newest first\)\s+([\d.]+) ms\s+([\d.]+) ms/m, "server: first page (50)"],
    [/^server: counts per state\s+([\d.]+) ms\s+([\d.]+) ms/m, "server: counts per state"],
    [
      /^server: first page \+ counts, in parallel\s+([\d.]+) ms\s+([\d.]+) ms/m,
      "server: first page + counts",
    ],
    [
      /^chromium: sign-in click → 50 rows \+ counts rendered\s+([\d.]+) ms\s+([\d.]+) ms/m,
      "Chromium: sign-in → rows rendered",
    ],
    [
      /^chromium: nav click → 50 rows \+ counts rendered\s+([\d.]+) ms\s+([\d.]+) ms/m,
      "Chromium: nav click → rows rendered",
    ],
  ];
  for (const [re, name] of wanted) {
    const m = re.exec(output);
    if (!m) continue;
    figures.push({
      group: "Dashboard",
      name: `${name}, ${count / 1000}k (p95)`,
      value: Number(m[2]),
      unit: "ms",
      target: { on: "value", direction: "lower", limit: 1000 },
      note: `median ${m[1]} ms`,
    });
  }
  if (!figures.length) throw new Error(`no figures in the dashboard output:\n${output.slice(-2000)}`);
  return { figures, details: { args, output } };
}
