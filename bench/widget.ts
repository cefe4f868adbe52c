/**
 * Widget benchmark.
 *
 * - Size: gzip -9 of what the first view needs — the drop-in module `relink-widget.js` (Lit, the
 *   frame, the intro and its English) and every file it imports statically — built by the widget's
 *   own Vite configuration into a temporary directory, vs a minimal Lit element that does one fetch
 *   (`bench/lib/floor-element.ts`) bundled with the same options (the floor: what Lit itself
 *   costs). Target: at most 12 KiB. Beside it, what each package and part of the widget weighs in
 *   it (its share of the gzip size, by its code minified alone, from Rolldown's bundle metadata:
 *   `moduleTable` in `packages/widget/scripts/bundle-size.ts`; the modules of each in the row's
 *   note), the later views' chunk and all files together (reported, no target).
 * - Time to interactive: in headless Chromium, from the element attached to the document (module
 *   already loaded) to the intro step's primary button rendered (and one animation frame), against
 *   relink in its own process on 127.0.0.1; vs the floor element fetching the same flow and
 *   rendering a button. Target: within 1.5x of the floor.
 * - The later views' chunk, fetched once the intro rendered: on a fresh page (nothing cached), the
 *   time from the intro interactive to the chunk in, and from a click on "Get started" the moment
 *   the intro is interactive to the next step rendered, vs the same click on a page that already
 *   has the chunk (reported).
 *
 *   pnpm exec tsx bench/widget.ts [--quick]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { build } from "vite";
import { buildAndMeasure, groupModules, moduleTable } from "../packages/widget/scripts/bundle-size.ts";
import { chromiumArgs, chromiumPath } from "../packages/widget/scripts/chromium.ts";
import { minifyTemplates } from "../packages/widget/scripts/minify-templates.ts";
import { removeFixtures, startRelink } from "./lib/fixture.ts";
import { evaluate, type Figure, median, textTable } from "./lib/report.ts";

const KIB = 1024;

/** The floor element, bundled like the drop-in module (same plugin, conditions, target, minifier). */
async function buildFloor(outDir: string): Promise<number> {
  await build({
    configFile: false,
    root: import.meta.dirname,
    logLevel: "warn",
    plugins: [minifyTemplates()],
    resolve: { conditions: ["module", "browser", "production"] },
    build: {
      outDir,
      emptyOutDir: true,
      reportCompressedSize: false,
      lib: {
        entry: join(import.meta.dirname, "lib/floor-element.ts"),
        formats: ["es"],
        fileName: () => "floor.js",
      },
      target: "es2022",
      minify: "oxc",
      rolldownOptions: { output: { minify: true } },
    },
  });
  return gzipSync(readFileSync(join(outDir, "floor.js")), { level: 9 }).length;
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="/widget/relink-widget.js"></script>
<script type="module" src="/floor/floor.js"></script>
<script type="module">
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  window.measure = async (kind, server, token) => {
    await customElements.whenDefined(kind === "relink" ? "relink-connect" : "floor-connect");
    const el = document.createElement(kind === "relink" ? "relink-connect" : "floor-connect");
    el.setAttribute("server", server);
    el.setAttribute("token", token);
    if (kind === "relink") { el.setAttribute("mode", "inline"); el.setAttribute("locale", "en"); }
    const ready = new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error(kind + ": not interactive in 10 s: " + (el.shadowRoot?.innerHTML ?? "").slice(0, 500))), 10000);
      if (kind === "relink") {
        el.addEventListener("relink-error", (e) => reject(new Error(JSON.stringify(e.detail))));
        el.addEventListener("relink-step", async (e) => {
          if (e.detail.step !== "intro") return;
          await el.updateComplete;
          while (!el.shadowRoot.querySelector("button.primary:not([disabled])")) await frame();
          resolve();
        });
      } else el.addEventListener("floor-ready", () => resolve());
    });
    performance.clearResourceTimings();
    const started = performance.now();
    document.body.append(el);
    await ready;
    await frame();
    const ms = performance.now() - started;
    const flow = performance.getEntriesByType("resource").find((e) => e.name.includes("/connect/v1/flow"));
    el.remove();
    return [ms, flow ? flow.responseEnd - started : NaN];
  };
  // A fresh page: the intro, then "Get started" clicked the moment it is interactive. Returns the
  // ms from that click to the next step rendered, and when the later views' chunk had arrived
  // (ms after the intro was interactive; NaN when it was already in: no request).
  window.transition = async (server, token) => {
    await customElements.whenDefined("relink-connect");
    const el = document.createElement("relink-connect");
    el.setAttribute("server", server);
    el.setAttribute("token", token);
    el.setAttribute("mode", "inline");
    el.setAttribute("locale", "en");
    const steps = [];
    const moved = new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("no step after the intro in 10 s: " + steps.join())), 10000);
      el.addEventListener("relink-error", (e) => reject(new Error(JSON.stringify(e.detail))));
      el.addEventListener("relink-step", (e) => {
        steps.push(e.detail.step);
        if (e.detail.step !== "intro") resolve();
      });
    });
    performance.clearResourceTimings();
    document.body.append(el);
    while (!(steps.includes("intro") && el.shadowRoot?.querySelector("button.primary:not([disabled])"))) {
      await frame();
    }
    const interactive = performance.now();
    el.shadowRoot.querySelector("button.primary").click();
    await moved;
    await el.updateComplete;
    await frame();
    const next = performance.now() - interactive;
    const chunk = performance.getEntriesByType("resource").find((e) => e.name.includes("/chunks/steps-"));
    el.remove();
    return [next, chunk ? chunk.responseEnd - interactive : NaN];
  };
</script></head><body></body></html>`;

export async function runWidgetBench({ quick }: { quick: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), "relink-bench-widget-"));
  const widgetDir = join(dir, "widget");
  const floorDir = join(dir, "floor");
  const figures: Figure[] = [];
  const report = await buildAndMeasure(widgetDir);
  const floorBytes = await buildFloor(floorDir);
  const first = report.firstView;
  figures.push({
    group: "Widget",
    name: "first view (drop-in module + its static imports), gzip",
    value: first.gzipBytes / KIB,
    unit: "KiB",
    baseline: { name: "minimal Lit element", value: floorBytes / KIB },
    target: { on: "value", direction: "lower", limit: 12 },
    note: `${first.files.join(" + ")}: ${first.rawBytes} B raw; the later views in one chunk fetched once the intro rendered, locales on demand`,
  });
  // What the first view is made of: Lit, the frame, the controllers, the intro.
  process.stderr.write(`first view by package and module:\n${moduleTable(report)}\n`);
  for (const g of groupModules(report, first.files)) {
    figures.push({
      group: "Widget",
      name: `  in it: ${g.group}`,
      value: g.gzipShare / KIB,
      unit: "KiB",
      note: `${g.minifiedBytes} B minified: ${g.modules
        .map((m) => `${m.module.replace(/^widget\/src\//, "")} ≈ ${m.gzipShare} B`)
        .join(", ")}`,
    });
  }
  const [views, viewsBytes] =
    Object.entries(report.chunks).find(([file]) => file.startsWith("chunks/")) ?? [];
  if (views) {
    process.stderr.write(`${views} by package and module:\n${moduleTable(report, [views])}\n`);
    figures.push({
      group: "Widget",
      name: "later views chunk, gzip",
      value: (viewsBytes ?? 0) / KIB,
      unit: "KiB",
      note: `${views}: every view after the intro, their styles and English, fetched once the intro rendered`,
    });
  }
  figures.push({
    group: "Widget",
    name: "all files, gzip",
    value: report.totalGzipBytes / KIB,
    unit: "KiB",
    note: `the first view, the later views and ${Object.keys(report.chunks).filter((f) => f.startsWith("locales/")).length} other locales, each file gzipped alone, summed`,
  });

  // Static page server (this process): the page, the widget with its chunks, the floor.
  const pages = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const [, root, ...rest] = path.split("/");
    if (root === "widget" || root === "floor") {
      try {
        const body = readFileSync(join(root === "widget" ? widgetDir : floorDir, ...rest));
        // Never cached: each fresh page fetches the chunks again, as a first visit does.
        res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  });
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(pages.address() as { port: number }).port}`;
  const relink = await startRelink(quick ? 2_000 : 100_000, origin);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const runs = quick ? 3 : 30;
  const samples = { relink: [] as number[], floor: [] as number[] };
  /** Click on "Get started" → next step rendered: on a fresh page, and with the chunk already in. */
  const clicks = { fresh: [] as number[], warm: [] as number[], chunkIn: [] as number[] };
  /** When the flow's answer had arrived (ms after attach): the rest is the element's own work. */
  const fetched = { relink: [] as number[], floor: [] as number[] };
  try {
    const token = await relink.token();
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const once = async (kind: "relink" | "floor") => {
      const [ms, fetchMs] = await page.evaluate(
        ([k, s, t]) =>
          (window as unknown as { measure: (...a: string[]) => Promise<[number, number]> }).measure(
            k as string,
            s as string,
            t as string,
          ),
        [kind, relink.url, token],
      );
      samples[kind].push(ms);
      fetched[kind].push(fetchMs);
    };
    for (let i = 0; i < 3; i++) {
      await once("relink");
      await once("floor");
    }
    for (const list of [...Object.values(samples), ...Object.values(fetched)]) list.length = 0; // warm-up
    for (let i = 0; i < runs; i++) {
      // Alternate so that drift of a loaded machine hits both alike.
      await once("relink");
      await once("floor");
    }
    // The later views: a fresh page each time (nothing of the widget's chunks loaded), then the
    // same click again on that page (the chunk in).
    const transition = () =>
      page.evaluate(
        ([s, t]) =>
          (window as unknown as { transition: (...a: string[]) => Promise<[number, number]> }).transition(
            s as string,
            t as string,
          ),
        [relink.url, token],
      );
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      await page.goto(`${origin}/?fresh=${i}`);
      const [fresh, chunkIn] = await transition();
      const [warm] = await transition();
      if (i === 0) continue; // warm-up
      clicks.fresh.push(fresh);
      clicks.chunkIn.push(chunkIn);
      clicks.warm.push(warm);
    }
  } finally {
    await browser.close();
    await relink.child.stop();
    pages.close();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.push({
    group: "Widget",
    name: "attached → interactive intro (median)",
    value: median(samples.relink),
    unit: "ms",
    baseline: { name: "Lit element + one fetch", value: median(samples.floor) },
    target: { on: "ratio", direction: "lower", limit: 1.5 },
    note: `${runs} runs each, alternating, headless Chromium`,
  });
  figures.push({
    group: "Widget",
    name: "attached → flow answer received (median)",
    value: median(fetched.relink),
    unit: "ms",
    baseline: { name: "Lit element + one fetch", value: median(fetched.floor) },
    note: "the same request to the same server: the rest of the time to interactive is the element's own work",
  });
  figures.push({
    group: "Widget",
    name: "later views chunk in, after the intro interactive (median)",
    value: median(clicks.chunkIn),
    unit: "ms",
    note: `fresh page, ${clicks.fresh.length} runs: fetched once the intro rendered (negative: in before the intro was interactive)`,
  });
  figures.push({
    group: "Widget",
    name: "click on Get started → next step (median)",
    value: median(clicks.fresh),
    unit: "ms",
    baseline: { name: "the chunk already in", value: median(clicks.warm) },
    note: "fresh page, clicked the moment the intro is interactive (the worst case: the chunk may still be on its way)",
  });
  return {
    figures,
    details: {
      gzipBytes: report.gzipBytes,
      rawBytes: report.rawBytes,
      chunks: report.chunks,
      modules: report.modules,
      floorBytes,
      samples,
      fetched,
      clicks,
      firstView: report.firstView,
      totalGzipBytes: report.totalGzipBytes,
    },
  };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  try {
    const { figures } = await runWidgetBench({ quick: values.quick });
    console.log(textTable(figures.map(evaluate)));
  } finally {
    removeFixtures();
  }
}
