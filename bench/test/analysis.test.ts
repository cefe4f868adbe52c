import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyse, byDay, narrowPasses, spare } from "../lib/analysis.ts";
import { dayNote, perCheck } from "../lib/per-check.ts";
import { repoRoot } from "../lib/proc.ts";
import { type FigureResult, num, type Report } from "../lib/report.ts";
import { medianBaseline } from "../lib/scripts.ts";
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
      baseline: { name: "the 100k run", value: 120 },
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

  it("compares each simulated day of the 1M run with the same day of the 100k run", () => {
    type Day = NonNullable<SimulationFigures["byDay"]>[number];
    const day = (checks: number, wallMs: number, reads: number): Day => ({
      checks,
      wallMs,
      cpuMs: wallMs,
      systemMs: wallMs / 4,
      mainThreadMs: (wallMs * 4) / 5,
      gcMs: wallMs / 20,
      reads: reads * checks,
      writes: 6 * checks,
    });
    const small = [
      day(1e5, 20_000, 7.8),
      day(1e5, 12_000, 3.6),
      day(1e5, 12_000, 3.5),
      day(1e5, 12_000, 3.9),
    ];
    const big = [
      day(1e6, 255_000, 13.5),
      day(1e6, 125_000, 3.6),
      day(1e6, 126_000, 3.5),
      day(1e6, 117_000, 3.9),
    ];
    const rows: FigureResult[] = big.map((d, i) => ({
      group: "Pause engine",
      name: `SQLite 3-day simulation, 1M: day ${i + 1} wall time`,
      value: d.wallMs / 1000,
      unit: "s",
      baseline: { name: `day ${i + 1} of the 100k run`, value: (small[i] as Day).wallMs / 1000 },
      note: `${dayNote(d)}; the 100k run: ${dayNote(small[i] as Day)}`,
      ratio: d.wallMs / (small[i] as Day).wallMs,
      status: "info",
    }));
    const wall: FigureResult = {
      group: "Pause engine",
      name: "SQLite 3-day simulation, 1M: wall time",
      value: 623,
      unit: "s",
      baseline: { name: "the 100k run", value: 56 },
      ratio: 623 / 56,
      status: "miss",
    };
    const report: Report = { ...latest(), figures: [...rows, wall] };
    const text = byDay(report, wall);
    expect(text).toContain("day 1 255 s against 20.0 s (12.8x), day 2 125 s against 12.0 s (10.4x)");
    // The later days at most 10.5x: the first day is what is beyond the target.
    expect(text).toContain("The days after the first are linear (at most 10.5x)");
    // 623 − 255 + 10 × 20 = 568 s, 10.1x the 56 s of the 100k run.
    expect(text).toContain("the whole run would have taken about 568 s, 10.1x");
    expect(text).toContain("13.5 read system calls per check against 7.8");
    expect(text).toContain("(3.6 read system calls per check against 3.6 on the second day)");
    expect(text).not.toMatch(/NaN|undefined/);
    // Later days over 11x too (the machine slowed down): no "linear" verdict, the spread of their CPU.
    const slow = {
      ...report,
      figures: report.figures.map((f) =>
        f.name.endsWith("day 3 wall time")
          ? { ...f, value: 160, note: f.note?.replace(/per check \d+ µs/, "per check 160 µs") }
          : f,
      ),
    };
    const slowText = byDay(slow, wall);
    expect(slowText).toContain("The first day is 12.8x and the later ones 9.8x to 13.3x.");
    expect(slowText).toContain("CPU per check went from 117 to 160 µs between them");
    expect(slowText).not.toContain("are linear");
    // A report without the rows (an older run, or a 1M run that stopped) has no such paragraph.
    expect(byDay({ ...report, figures: [wall] }, wall)).toBe("");
  });
});

describe("the 1M run's baseline", () => {
  const run = (when: string, wallMs: number) => ({ when, sim: simulation({ wallMs }) });

  it("is the median of the 100k runs by wall time, and the note lists every run in order", () => {
    const runs = [run("the bench's", 50_000), run("before", 40_000), run("after", 60_000)];
    const { sim, baseline, baselineNote } = medianBaseline(runs);
    expect(sim).toBe(runs[0]?.sim);
    expect(baseline).toEqual({ name: "the median of 3 100k runs", value: 50 });
    expect(baselineNote).toBe("the 100k runs: the bench's 50.0 s, before 40.0 s, after 60.0 s");
  });

  it("of two runs (one failed) is the slower, and of one run that run", () => {
    const two = [run("the bench's", 40_000), run("after", 60_000)];
    expect(medianBaseline(two)).toMatchObject({
      baseline: { name: "the median of 2 100k runs", value: 60 },
      baselineNote: "the 100k runs: the bench's 40.0 s, after 60.0 s",
    });
    expect(medianBaseline([run("the bench's", 45_000)])).toMatchObject({
      baseline: { name: "the 100k run", value: 45 },
      baselineNote: "the 100k run: the bench's 45.0 s",
    });
    expect(() => medianBaseline([])).toThrow(/no 100k run/);
  });
});

describe("the targets met with little to spare", () => {
  const figure = (over: Partial<FigureResult>): FigureResult => ({
    group: "G",
    name: "f",
    value: 1,
    unit: "ms",
    ratio: null,
    status: "pass",
    target: { on: "value", direction: "lower", limit: 10 },
    ...over,
  });
  /** A Connect API figure with a target on its ratio. */
  const connectApi = (name: string, ratio: number, direction: "higher" | "lower", limit: number) =>
    figure({ group: "Connect API", name, ratio, target: { on: "ratio", direction, limit } });
  /** The summary's narrow passes of a report of the last run with these figures only. */
  const narrowOf = (...figures: FigureResult[]) => narrowPasses({ ...latest(), figures });

  it("measures what a met target had to spare, from its ratio or its value, either way", () => {
    expect(spare(figure({ value: 9 }))).toBeCloseTo(0.1);
    expect(
      spare(figure({ ratio: 0.66, target: { on: "ratio", direction: "higher", limit: 0.6 } })),
    ).toBeCloseTo(0.1);
    expect(
      spare(figure({ ratio: 1.53, target: { on: "ratio", direction: "lower", limit: 1.7 } })),
    ).toBeCloseTo(0.1);
    // A miss, a figure without a target and one without a ratio to read have nothing to spare.
    expect(spare(figure({ value: 11, status: "miss" }))).toBeNull();
    expect(spare(figure({ target: null, status: "info" }))).toBeNull();
    expect(spare(figure({ target: { on: "ratio", direction: "lower", limit: 1.7 } }))).toBeNull();
  });

  it("lists those under 15% with what they had, the flow's earlier measurements once", () => {
    const text = narrowOf(
      figure({ name: "wide", value: 5 }),
      figure({ name: "narrow", value: 9.5 }),
      figure({
        group: "Connect API",
        name: "GET /connect/v1/flow throughput",
        value: 4600,
        unit: "req/s",
        ratio: 0.65,
        target: { on: "ratio", direction: "higher", limit: 0.6 },
      }),
      figure({
        group: "Connect API",
        name: "GET /connect/v1/flow server CPU per request",
        value: 0.2,
        ratio: 1.6,
        target: { on: "ratio", direction: "lower", limit: 1.7 },
      }),
    );
    expect(text).not.toContain("G: wide");
    expect(text).toContain("- **G: narrow: 9.50 ms** against ≤ 10 ms: 5.0% to spare.");
    expect(text).toContain(
      "- **Connect API: GET /connect/v1/flow throughput: 0.65x** against ≥ 0.6x: 8.3% to spare.",
    );
    expect(text).toContain(
      "- **Connect API: GET /connect/v1/flow server CPU per request: 1.60x** against ≤ 1.7x: 5.9% to spare.",
    );
    expect(text.match(/Until 2026-12-03 the same-work floor skipped/g)).toHaveLength(1);
    expect(narrowOf(figure({ value: 5 }))).toBe("None: every target met had 15% or more to spare.");
  });

  it("lists the integrations route met with more to spare all the same, with its measurements", () => {
    const text = narrowOf(
      connectApi("GET /v1/integrations/:id throughput", 0.88, "higher", 0.6),
      connectApi("GET /v1/integrations/:id server CPU per request", 1.19, "lower", 1.7),
    );
    expect(text).toContain(
      "- **Connect API: GET /v1/integrations/:id throughput: 0.88x, 46.7% to spare; GET /v1/integrations/:id server CPU per request: 1.19x, 30.0% to spare** (more than 15%).",
    );
    expect(text.match(/This route's ratios move between runs/g)).toHaveLength(1);
    expect(text).not.toContain("Until 2026-12-03 the same-work floor skipped");
  });

  it("lists the flow met with more to spare all the same, with its measurements and its floor's correction", () => {
    const text = narrowOf(
      figure({ name: "wide", value: 5 }),
      connectApi("GET /connect/v1/flow throughput", 0.88, "higher", 0.6),
      connectApi("GET /connect/v1/flow server CPU per request", 1.3, "lower", 1.7),
    );
    expect(text).toContain(
      "- **Connect API: GET /connect/v1/flow throughput: 0.88x, 46.7% to spare; GET /connect/v1/flow server CPU per request: 1.30x, 23.5% to spare** (more than 15%).",
    );
    expect(text.match(/Until 2026-12-03 the same-work floor skipped/g)).toHaveLength(1);
    expect(text).not.toContain("G: wide");
  });

  it("give the integrations route's measurements once, and what the simulation's peak RSS is made of", () => {
    const text = narrowOf(
      connectApi("GET /v1/integrations/:id throughput", 0.63, "higher", 0.6),
      connectApi("GET /v1/integrations/:id server CPU per request", 1.56, "lower", 1.7),
      figure({
        group: "Pause engine",
        name: "SQLite 3-day simulation, 100k: peak RSS",
        value: 285,
        unit: "MB",
        target: { on: "value", direction: "lower", limit: 300 },
      }),
    );
    expect(text).toContain("- **Connect API: GET /v1/integrations/:id throughput: 0.63x** against ≥ 0.6x");
    expect(text.match(/This route's ratios move between runs/g)).toHaveLength(1);
    expect(text).toContain("0.54x and 1.77x in the full run of 07:14 UTC (both missed)");
    expect(text).toContain(
      "- **Pause engine: SQLite 3-day simulation, 100k: peak RSS: 285 MB** against ≤ 300 MB",
    );
    expect(text).toContain("V8's heap pages 189 MB");
  });

  it("are in the last full run's summary, under their own heading", () => {
    const md = readFileSync(join(repoRoot, "bench/results/latest.md"), "utf8");
    expect(md).toContain("## Targets met with little to spare");
    expect(md).toContain(narrowPasses(latest()).split("\n")[0]);
  });
});
