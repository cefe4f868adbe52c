/**
 * `pnpm bench [--quick] [--only connect,pause,webhooks,widget,dashboard,memory] [--postgres <url>]
 * [--render]`: every benchmark, one after the other (never two at once: they would share the CPU),
 * each compared in the same run with the baseline that bounds it. Prints the table and writes
 * `bench/results/latest.json` and `bench/results/latest.md` (with `--quick`: `bench/results/quick.json`
 * only, for CI; `--render` re-writes latest.md from latest.json).
 *
 * Every server, floor and load generator runs in its own process and binds 127.0.0.1 only; every
 * count and duration is bounded (`--quick`: small sizes, under 90 s in all; the full run: about 8 min
 * on two busy cores, most of it the pause engine's 3-day simulation and 1M-row seeding).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runConnectApiBench } from "./connect-api.ts";
import { analyse } from "./lib/analysis.ts";
import { removeFixtures } from "./lib/fixture.ts";
import { repoRoot } from "./lib/proc.ts";
import {
  evaluate,
  type Figure,
  type FigureResult,
  machine,
  markdown,
  type Report,
  type SectionError,
  textTable,
} from "./lib/report.ts";
import { runDashboard, runPauseEngine, runWebhooks } from "./lib/scripts.ts";
import { runMemoryBench } from "./memory.ts";
import { runWidgetBench } from "./widget.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    /** A PostgreSQL server (admin URL) for the pause engine's PostgreSQL figures. */
    postgres: { type: "string" },
    /** Only re-writes latest.md from latest.json (after a change of the summary's analysis). */
    render: { type: "boolean", default: false },
  },
});
const dir = join(repoRoot, "bench/results");
if (values.render) {
  const saved = JSON.parse(readFileSync(join(dir, "latest.json"), "utf8")) as Report;
  writeFileSync(join(dir, "latest.md"), markdown(saved, analyse(saved)));
  console.log("wrote bench/results/latest.md from latest.json");
  process.exit(0);
}
const quick = values.quick;

type Section = {
  key: string;
  name: string;
  run: (o: { quick: boolean }) => Promise<{ figures: Figure[]; details: unknown }>;
};
const sections: Section[] = [
  { key: "connect", name: "Connect API", run: runConnectApiBench },
  { key: "pause", name: "Pause engine", run: (o) => runPauseEngine({ ...o, postgres: values.postgres }) },
  { key: "webhooks", name: "Webhooks", run: runWebhooks },
  { key: "widget", name: "Widget", run: runWidgetBench },
  { key: "dashboard", name: "Dashboard", run: runDashboard },
  { key: "memory", name: "Memory", run: runMemoryBench },
];
const only = values.only?.split(",");

const started = performance.now();
const figures: FigureResult[] = [];
const errors: SectionError[] = [];
const details: Record<string, unknown> = {};
try {
  for (const section of sections) {
    if (only && !only.includes(section.key)) continue;
    const t = performance.now();
    process.stderr.write(`\n▶ ${section.name}${quick ? " (quick)" : ""}\n`);
    try {
      const result = await section.run({ quick });
      const evaluated = result.figures.map(evaluate);
      figures.push(...evaluated);
      details[section.key] = result.details;
      process.stderr.write(`${textTable(evaluated)}\n`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ group: section.name, error: message.split("\n").slice(0, 6).join(" / ") });
      process.stderr.write(`✗ ${section.name} failed: ${message}\n`);
    }
    process.stderr.write(`  (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
  }
} finally {
  removeFixtures();
}

const report: Report = {
  date: new Date().toISOString(),
  quick,
  machine: machine(),
  durationSeconds: (performance.now() - started) / 1000,
  figures,
  errors,
  details,
};

mkdirSync(dir, { recursive: true });
console.log(`\n${textTable(figures)}\n`);
if (quick) {
  writeFileSync(join(dir, "quick.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote bench/results/quick.json (${Math.round(report.durationSeconds)} s)`);
} else {
  writeFileSync(join(dir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "latest.md"), markdown(report, analyse(report)));
  console.log(`wrote bench/results/latest.json and latest.md (${Math.round(report.durationSeconds)} s)`);
}
if (errors.length) {
  console.error(`${errors.length} section(s) failed: ${errors.map((e) => e.group).join(", ")}`);
  process.exitCode = 1;
}
