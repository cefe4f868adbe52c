/**
 * The benchmark suite's figures: one row per measured number, compared in the same run with the
 * baseline that bounds it, and the table / JSON / Markdown written from them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

const loadAtStart = loadavg()[0] ?? 0;

export type Direction = "higher" | "lower";

export interface Figure {
  /** Section: "Connect API", "Pause engine", … */
  group: string;
  name: string;
  value: number;
  unit: string;
  /** The floor or ceiling this figure is compared with, measured in the same run (or null). */
  baseline?: { name: string; value: number } | null;
  /**
   * The target: either on the ratio value/baseline (`ratio`) or on the value itself (`value`).
   * `higher`: at least `limit`; `lower`: at most `limit`.
   */
  target?: { on: "ratio" | "value"; direction: Direction; limit: number; label?: string } | null;
  note?: string;
}

export interface FigureResult extends Figure {
  ratio: number | null;
  status: "pass" | "miss" | "info";
}

export interface SectionError {
  group: string;
  error: string;
}

export interface Report {
  date: string;
  quick: boolean;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1-minute load average at the start and the end of the run: other work on the machine. */
    loadAverage: { start: number; end: number };
    /** The kernel's own reclaim of idle memory, when it has one (`memoryReclaim`). */
    memoryReclaim?: string;
  };
  durationSeconds: number;
  figures: FigureResult[];
  errors: SectionError[];
  /** Sections whose rows come from a later run of that section alone (`bench/connect-api.ts --merge`). */
  merged?: Array<{
    group: string;
    date: string;
    command: string;
    loadAverage: { start: number; end: number };
  }>;
  /** Raw output / details of each section, for the JSON only. */
  details: Record<string, unknown>;
}

export function machine(): Report["machine"] {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: round(loadAtStart), end: round(loadavg()[0] ?? 0) },
    ...withReclaim(memoryReclaim()),
  };
}

const withReclaim = (reclaim: string | undefined) => (reclaim ? { memoryReclaim: reclaim } : {});

/**
 * Whether the kernel pages out idle memory by itself: a running DAMON daemon with a `pageout`
 * scheme (Linux's `/sys/kernel/mm/damon/admin`; some virtual machines ship one). It reclaims the
 * page cache too, so a run whose files are touched less often than its idle age reads them from the
 * disk again (the 1M simulation: each integration's pages once a simulated day). Undefined when
 * there is none, or nothing to read. `root`: the admin directory (tests).
 */
export function memoryReclaim(root = "/sys/kernel/mm/damon/admin"): string | undefined {
  const read = (path: string) => readFileSync(path, "utf8").trim();
  const plain = (x: number) => String(Math.round(x * 10) / 10);
  const numbered = (dir: string) => readdirSync(dir).filter((name) => /^\d+$/.test(name));
  try {
    for (const daemon of numbered(`${root}/kdamonds`)) {
      const at = `${root}/kdamonds/${daemon}`;
      if (read(`${at}/state`) !== "on") continue;
      for (const context of numbered(`${at}/contexts`)) {
        const ctx = `${at}/contexts/${context}`;
        const aggregationUs = Number(read(`${ctx}/monitoring_attrs/intervals/aggr_us`));
        for (const scheme of numbered(`${ctx}/schemes`)) {
          const s = `${ctx}/schemes/${scheme}`;
          if (read(`${s}/action`) !== "pageout") continue;
          const idleSeconds = (Number(read(`${s}/access_pattern/age/min`)) * aggregationUs) / 1e6;
          const bytes = Number(read(`${s}/quotas/bytes`));
          const perMs = Number(read(`${s}/quotas/reset_interval_ms`));
          const quota =
            bytes > 0 && perMs > 0
              ? `, up to ${plain(bytes / 2 ** 20)} MiB every ${plain(perMs / 1000)} s`
              : "";
          return `the kernel pages out memory idle for ${plain(idleSeconds)} s or more, the page cache's included (DAMON \`pageout\`${quota})`;
        }
      }
    }
  } catch {
    // No DAMON, or not readable here: nothing to say.
  }
  return undefined;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function evaluate(figure: Figure): FigureResult {
  const ratio =
    // A value not measured (NaN: a run stopped at its deadline) has no ratio either.
    Number.isFinite(figure.value) &&
    figure.baseline &&
    Number.isFinite(figure.baseline.value) &&
    figure.baseline.value !== 0
      ? figure.value / figure.baseline.value
      : null;
  let status: FigureResult["status"] = "info";
  const t = figure.target;
  if (t) {
    const subject = t.on === "ratio" ? ratio : figure.value;
    if (subject === null || !Number.isFinite(subject)) status = "miss";
    else status = (t.direction === "higher" ? subject >= t.limit : subject <= t.limit) ? "pass" : "miss";
  }
  return { ...figure, ratio, status };
}

/** A number for people: 3 significant digits, thousands separated. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

const withUnit = (value: number, unit: string) => (unit ? `${num(value)} ${unit}` : num(value));

export function targetLabel(figure: Figure): string {
  const t = figure.target;
  if (!t) return "—";
  if (t.label) return t.label;
  const op = t.direction === "higher" ? "≥" : "≤";
  return t.on === "ratio" ? `${op} ${t.limit}x` : `${op} ${withUnit(t.limit, figure.unit)}`;
}

interface Row {
  cells: string[];
}

function rows(figures: FigureResult[]): Row[] {
  return figures.map((f) => ({
    cells: [
      `${f.group}: ${f.name}`,
      withUnit(f.value, f.unit),
      f.baseline ? `${withUnit(f.baseline.value, f.unit)} (${f.baseline.name})` : "—",
      f.ratio === null ? "—" : `${f.ratio.toFixed(2)}x`,
      targetLabel(f),
      f.status === "info" ? "—" : f.status,
    ],
  }));
}

const HEADER = ["figure", "value", "baseline", "ratio", "target", "pass/miss"];

/** The console table. */
export function textTable(figures: FigureResult[]): string {
  const all = [HEADER, ...rows(figures).map((r) => r.cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(HEADER), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

export function markdownTable(figures: FigureResult[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const out = [
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ];
  for (const r of rows(figures)) {
    const cells = r.cells.map(esc);
    if (cells[5] === "miss") cells[5] = "**miss**";
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

const METHODS = [
  "- **Connect API** (`bench/connect-api.ts`): relink (`startServer`, SQLite file with the run's integrations, seeded beforehand by another process) and two floors, each in their own process: the same-work floor (`bench/lib/same-work-floor-process.ts`: a bare Hono route on `@hono/node-server` that verifies the same token with the same JWT library, fast-jwt, and its claims as relink must (issuer, `iat`, lifetime, their shape by the contract's zod schema), or looks the API key up by its SHA-256 and checks its scopes, reads the same rows by primary key from the same SQLite file with prepared better-sqlite3 statements and answers the same JSON, derived from what it read (the end user, the remote account, the scope configs, the permissions newly required by what was granted); targets: relink ≥ 0.6x its throughput and ≤ 1.7x its CPU per request) and the bare route (the very JSON document relink answered, no token, no database; reported only); `autocannon` in a third, 16 connections: every server warmed 4 s on every endpoint, then five rounds of 4 s of every endpoint on every server (the order turned each round), each figure the median of its rounds (quick: 1 s warm-up, one round of 1 s). `/connect/v1/flow` carries an SDK-minted HS256 relink token (`mintRelinkToken`, key from `POST /v1/signing-keys`) to a wider scope config; `/v1/integrations/:id` an API key. Server CPU per request = the process's user+system time (from /proc) over the requests answered.",
  "- **Pause engine** (`runPauseEngineBench` from `bench/pause-engine.ts`, in a child process): the real scheduler with an instant connector, every integration due (on SQLite the median of three trials, each on a fresh database); the claim of 1k due among 10k vs 1M (median of 20, the two worlds alternating; the 1M rows are generated by the database itself, one statement per 50k, with credentials that the claim never opens); 3 simulated days of 100k integrations with 5% failing (seeded as a successful check leaves a row: last checked, the tool's permissions granted), synced every 24 h in steps of one hour (wall time and the process's CPU time over it, peak RSS of that process). The same simulation of 20k integrations whose syncs store 4 records each, sealed as the server stores them vs not sealed (a `SecretBox` of the bench that leaves records' fields as they are: the server has no such switch), both worlds in one process stepped in turns, the median of three such trials on fresh databases with the world stepped first alternating (quick: one; target: sealed ≤ 1.2x). With `--full`, the simulation of 1M integrations in a process of its own (seeded by SQLite from JSON arrays of sealed credentials, a thousand rows per statement; targets: ≤ 11x the wall time of the median of three 100k runs, the section's own and one in a process of its own right before and one right after the 1M run, peak RSS ≤ 400 MB; it may run to 20x the 100k run, at least 30 min, before it is stopped; read and written KiB per check from `/proc/self/io`; each simulated day of it against the same day of the 100k run, reported: wall time, and per check the CPU, the kernel's share, the event loop's thread's, GC's, and the read and write system calls). Parts and sizes can be chosen: `pnpm exec tsx bench/pause-engine.ts --only sim --sim 20000` (see its header); `--wal-frames <hour>` adds the pages written to the WAL in that simulated hour, by table and index (not in the full run).",
  "- **PostgreSQL** (`runPostgres` in `bench/lib/scripts.ts`; only with `--postgres <url>`, or `RELINK_TEST_POSTGRES_URL` with `--full`, a fresh database per measure, else the section says it skipped): the 3-day simulation of 100k integrations run by 1 and by 3 replicas (each a relink process, `bench/lib/sim-replica.ts`, on the same database; the clock stepped by the parent for all, claims shared with `FOR UPDATE SKIP LOCKED`), and the 10k-event webhook backlog drained by 1 and by 3 replica processes (`bench/lib/webhook-replica.ts`) to one receiver; the 3-replica figures against the 1-replica ones (reported, no target).",
  "- **Webhooks** (`bench/webhooks.ts`): a 10k-event backlog drained to a receiver in another process, and single events from commit to receipt.",
  "- **Widget** (`bench/widget.ts`): the first view (the drop-in module and every file it imports statically) built by the widget's Vite configuration, gzip -9, vs `bench/lib/floor-element.ts` (a minimal Lit element doing one fetch) built with the same options, with each package's and module's share from Rolldown's bundle metadata (its code minified alone, as a share of the file's gzip size); in headless Chromium, from `append()` of the element (module already loaded) to the intro's primary button rendered plus one frame, against relink in its own process, alternating with the floor element fetching the same flow from the same server; then, on fresh pages, when the later views' chunk arrives after the intro and a click on Get started the moment the intro is interactive.",
  "- **Dashboard** (`bench/dashboard.ts`): server time of the list's first page and counts over HTTP, and Chromium from the click to 50 rows and the counts rendered, with 100k integrations (quick: 10k).",
  "- **Sessions and records** (`bench/sessions-records.ts`): the demo HR system (the tool, its auth check answered at once over 127.0.0.1), a seeding process, relink (`startServer` with the demo's connectors) and the load generator (`bench/lib/paths-load.ts`), each in its own process. Sessions/s: `POST /v1/integrations/{id}/sync-sessions` with `max_check_age` \"15m\" (a first session made the check; key with scope `credentials:read`) against `GET /v1/integrations/:id` on the same integration, same relink process, autocannon, 16 connections: five rounds of the two in turn (the order turned each round), each a warm-up then 3 s, each figure the median of its rounds (quick: one round of 1 s); target ≥ 0.5x. A session with a fresh check (`max_check_age` \"0s\", one auth check at the demo HR system each): p50/p99 over 500 sessions (quick: 30) on one connection, reported. Sessions are left to expire (relink stops before, the database is removed); each writes one `sync_sessions` row, bounded by the run. Records page: 1,000,000 employees (quick: 10,000) sealed by the server's own `sealFields` in a seeding process, one `synced_at` per integration as a sync writes them, 200,000 (quick: 2,000) in one integration and 100 in each of the others; after 1,000 pages of warm-up (quick: 30; the server's CPU per page settles over the first thousand), 2,000 pages of 100 (quick: 150) at random cursors across the big one, half with an `updated_after` before its sync, on one kept-alive connection (no queueing; `node:http`, not `fetch`, so that the client's own work is not counted as the server's), each timed from the request sent to the body read; targets p50 ≤ 5 ms, p99 ≤ 20 ms; the server's CPU per page from /proc and the empty incremental poll (`updated_after` after the sync) reported beside them.",
  "- **Memory** (`bench/memory.ts`): RSS from /proc of the relink process on the run's database, idle (after start-up and a first request) and the peak sampled every 50 ms under the connect API load; the same for the floor process.",
].join("\n");

/**
 * The Markdown summary: the table, each figure's notes, how each is measured, the analysis of each
 * missed target (`analyse`) and the targets met with little to spare (`narrowPasses`).
 */
export function markdown(report: Report, analysis: string, narrow: string): string {
  const m = report.machine;
  const misses = report.figures.filter((f) => f.status === "miss");
  return [
    `# relink benchmarks${report.quick ? " (quick)" : ""}`,
    "",
    `Produced by \`pnpm bench${report.quick ? " --quick" : ""}\` on ${report.date} in ${Math.round(report.durationSeconds)} s.`,
    "",
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.platform}`,
    `- Node ${m.node}; every server, load generator and floor in its own process over 127.0.0.1`,
    `- Load average (1 min) at start / end: ${m.loadAverage.start} / ${m.loadAverage.end} on ${m.cores} cores` +
      (m.loadAverage.start > m.cores / 2 || m.loadAverage.end > m.cores / 2
        ? " — the machine was busy with other work: absolute figures are low and noisy, ratios (same run, same load) are the figures to read"
        : ""),
    ...(m.memoryReclaim
      ? [
          `- Memory: ${m.memoryReclaim}: files a run touches less often than that are read from the disk again`,
        ]
      : []),
    ...(report.merged ?? []).map(
      (x) =>
        `- The ${x.group} rows come from a run of that section alone: \`${x.command}\` on ${x.date}, load average ${x.loadAverage.start} / ${x.loadAverage.end} at start / end (their ratios are of that run)`,
    ),
    "",
    "Ratio = value / baseline. The baseline is measured in the same run on the same machine: a floor",
    "(the least any implementation pays: a bare Hono route, a minimal Lit element) or the reference",
    "the issue names. pass/miss is against the target; — means reported only.",
    "",
    markdownTable(report.figures),
    "",
    ...(report.figures.some((f) => f.note)
      ? [
          "Notes:",
          "",
          ...report.figures.filter((f) => f.note).map((f) => `- ${f.group}: ${f.name}: ${f.note}`),
          "",
        ]
      : []),
    ...(report.errors.length
      ? ["## Sections that failed", "", ...report.errors.map((e) => `- **${e.group}**: ${e.error}`), ""]
      : []),
    "## How each figure is measured",
    "",
    METHODS,
    "",
    `## Targets missed (${misses.length}) and what bounds them`,
    "",
    analysis.trim(),
    "",
    "## Targets met with little to spare",
    "",
    narrow.trim(),
    "",
  ].join("\n");
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(samples: number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}
