import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyse } from "../lib/analysis.ts";
import { perCheck } from "../lib/per-check.ts";
import { repoRoot } from "../lib/proc.ts";
import { type FigureResult, num, type Report } from "../lib/report.ts";
import type { SimulationFigures } from "../pause-engine.ts";

/**
 * The analysis of `bench/results/latest.md` is written from the figures' values and notes: these
 * tests keep it whole when a section's notes change (no section runs here: the runs take minutes).
 */
const latest = () => JSON.parse(readFileSync(join(repoRoot, "bench/results/latest.json"), "utf8")) as Report;

const simulation = (over: Partial<SimulationFigures>): SimulationFigures => ({
  integrations: 100_000,
  failing: 5_000,
  days: 3,
  intervalMs: 24 * 3_600_000,
  checks: 400_000,
  paused: 5_000,
  wallMs: 120_000,
  cpuMs: 115_000,
  peakRssMb: 260,
  recordsPerSync: 0,
  replicas: 1,
  finished: true,
  simulatedHours: 96,
  totalHours: 96,
  syscalls: { reads: 1_520_000, writes: 3_360_000 },
  mainThread: { cpuMs: 105_600, runqueueMs: 3_600, blockedMs: 10_800 },
  ...over,
});

function withFigure(report: Report, name: string, change: Partial<FigureResult>): Report {
  const figures = report.figures.map((f) => (f.name.includes(name) ? { ...f, ...change } : f));
  expect(figures.some((f) => f.name.includes(name))).toBe(true);
  return { ...report, figures };
}

describe("the benchmark's analysis", () => {
  it("writes a paragraph for each missed target of the last full run, with no hole in it", () => {
    const report = latest();
    const text = analyse(report);
    expect(text).not.toMatch(/NaN|undefined|null|\[object/);
    // Every missed figure's value is in its paragraph.
    for (const f of report.figures.filter((x) => x.status === "miss" && Number.isFinite(x.value)))
      expect(text).toContain(num(f.value));
  });

  it("reads how the simulations' event loop thread spent its time from their notes", () => {
    const small = simulation({});
    const big = simulation({
      integrations: 1_000_000,
      checks: 3_800_000,
      finished: false,
      simulatedHours: 91,
      wallMs: 1_300_000,
      mainThread: { cpuMs: 1_140_000, runqueueMs: 39_000, blockedMs: 121_000 },
    });
    let report = withFigure(latest(), "simulation, 100k: wall time", {
      value: 120,
      status: "miss",
      note: `100,000 integrations, 5,000 failing, synced every 24 h for 3 days: 400,000 checks, 5,000 paused; CPU time of the process meanwhile 115.0 s; ${perCheck(small)}`,
    });
    // A 1M run stopped at its deadline (the miss whose paragraph reads these notes).
    report = withFigure(report, "1M: wall time", {
      value: Number.NaN,
      status: "miss",
      note: "stopped at its deadline (1440 s, 12x the 100k run) after simulated hour 91 of 96: 3,800,000 checks in 1300 s (CPU 1290 s), peak RSS so far 285 MB",
    });
    report = withFigure(report, "1M: CPU per check", {
      note: `the 91 simulated hours that ran: ${perCheck(big)}; the 100k run: ${perCheck(small)}`,
    });
    const text = analyse(report);
    expect(text).not.toMatch(/NaN|undefined|n\/a µs/);
    // 264 µs per check on the event loop's thread, of 400,000 checks; blocked 10.8 s of 120 s.
    expect(text).toContain("on a core for 106 s of those 120 s (264 µs per check), blocked (the disk) 9%");
    expect(text).toContain("other threads (the WAL checkpoints, GC) used 9.40 s of CPU");
    // 1M: 300 µs against 264 µs per check on that thread.
    expect(text).toContain("its CPU per check was 300 µs against 264 µs (1.14x)");
    // 300 µs × 4,000,000 checks on a thread busy 88% of the time (blocked 9% as at 100k, 3% waiting).
    expect(text).toContain("the 1M run would take about 1,364 s, 11.4x the 100k run");
  });
});
