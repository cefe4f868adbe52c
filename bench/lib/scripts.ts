/**
 * The benchmarks that already exist as scripts (`bench/pause-engine.ts`, `bench/webhooks.ts`,
 * `bench/dashboard.ts`): each run as a child process with the run's sizes, its printed figures
 * parsed. A script that exports a `run…Bench({ quick })` function could be imported instead; running
 * them as processes keeps every benchmark's memory and event loop apart and is robust to their
 * top-level code.
 */
import { join } from "node:path";
import type { PauseEngineBenchOptions, PauseEngineBenchResult } from "../pause-engine.ts";
import { repoRoot, runScript } from "./proc.ts";
import type { Figure } from "./report.ts";

export interface ScriptResult {
  figures: Figure[];
  details: { args: string[]; output: string };
}

async function run(name: string, args: string[], timeoutMs: number): Promise<string> {
  return runScript(join(repoRoot, "bench", `${name}.ts`), args, { timeoutMs, echo: name });
}

/**
 * Pause engine: `runPauseEngineBench` from `bench/pause-engine.ts`, in a child process. Full:
 * throughput at 10k and 100k all due, tick of 1k due among 10k vs 1M, 3 simulated days of 100k
 * integrations with 5% failing; PostgreSQL too with `--postgres <url>`. Quick: its small sizes.
 */
export async function runPauseEngine({
  quick,
  postgres,
}: {
  quick: boolean;
  postgres?: string;
}): Promise<ScriptResult> {
  const options: PauseEngineBenchOptions = quick
    ? { quick: true }
    : { sizes: [10_000, 100_000], small: 10_000, large: 1_000_000, due: 1_000, sim: 100_000 };
  if (postgres) options.postgres = postgres;
  const output = await runScript(
    join(repoRoot, "bench/lib/pause-engine-child.ts"),
    [JSON.stringify(options)],
    {
      timeoutMs: quick ? 90_000 : 1_200_000,
      echo: "pause-engine",
    },
  );
  const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as PauseEngineBenchResult;
  const figures: Figure[] = [];
  const k = (size: number) => (size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`);
  const sim = result.simulation;
  if (sim) {
    const cpu = `; CPU time of the process meanwhile ${(sim.cpuMs / 1000).toFixed(1)} s`;
    const note = `${sim.integrations.toLocaleString("en")} integrations, ${sim.failing.toLocaleString("en")} failing, synced every ${sim.intervalMs / 3_600_000} h for ${sim.days} days: ${sim.checks.toLocaleString("en")} checks, ${sim.paused.toLocaleString("en")} paused${cpu}`;
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
  for (const r of result.results) {
    for (const [size, rate] of Object.entries(r.checksPerSecond)) {
      figures.push({
        group: "Pause engine",
        name: `${r.dialect} checks+schedules, ${k(Number(size))} all due`,
        value: rate,
        unit: "/s",
        target: r.dialect === "SQLite" ? { on: "value", direction: "higher", limit: 5000 } : null,
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
  return { figures, details: { args: [JSON.stringify(options)], output: output.trim() } };
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
