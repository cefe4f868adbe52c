import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "vite";

/** The budget of the drop-in module (Lit, the shell, the intro and English included), gzip: 12 KiB. */
export const BUDGET_BYTES = 12 * 1024;

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** One module's share of a built file. */
export interface ModuleSize {
  /** The file it ended up in (`relink-widget.js` or a chunk). */
  file: string;
  /** Its path: `lit-html/…` for dependencies, `src/…` for the widget's own. */
  module: string;
  /** Its code as rendered into the file, before the whole file is minified. */
  renderedBytes: number;
  /** That code minified on its own (as the build minifies it, comments and all). */
  minifiedBytes: number;
  /**
   * Its share of the file's gzip size, by its share of the minified code (gzip of a module alone
   * would count the dictionary every module shares once per module).
   */
  gzipShare: number;
}

export interface BundleReport {
  /** gzip -9 size of `relink-widget.js`. */
  gzipBytes: number;
  rawBytes: number;
  /** The chunks loaded on demand (locales, the later views), gzip size each. */
  chunks: Record<string, number>;
  /** Every module of every file, largest first within each file. */
  modules: ModuleSize[];
}

const shortName = (id: string) => {
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+\/.*)$/.exec(id);
  if (dep) return dep[1]!;
  const own = id.indexOf("/packages/");
  return own >= 0 ? id.slice(own + "/packages/".length) : id;
};

/** Records which module went into which file, and how much code it rendered there. */
type Rendered = { module: string; renderedBytes: number; minifiedBytes: number };

/** Rolldown's own minifier (Vite's bundler), to size each module as the build minifies it. */
const { minifySync } = (await import(
  createRequire(import.meta.resolve("vite")).resolve("rolldown/utils")
)) as { minifySync: (file: string, code: string, options?: object) => { code: string } };

function moduleReport(into: Map<string, Rendered[]>): Plugin {
  return {
    name: "relink:module-report",
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== "chunk") continue;
        into.set(
          output.fileName,
          Object.entries(output.modules)
            .filter(([, m]) => m.renderedLength > 0)
            .map(([id, m]) => ({
              module: shortName(id),
              renderedBytes: m.renderedLength,
              minifiedBytes: Buffer.byteLength(
                minifySync("m.js", m.code ?? "", {
                  module: true,
                  compress: false,
                  mangle: { toplevel: false },
                }).code,
              ),
            })),
        );
      }
    },
  };
}

/** Builds the widget into `outDir` (offline, deterministic) and measures what a browser downloads. */
export async function buildAndMeasure(outDir = join(packageDir, "dist")): Promise<BundleReport> {
  const rendered = new Map<string, Rendered[]>();
  await build({
    configFile: join(packageDir, "vite.config.ts"),
    root: packageDir,
    logLevel: "warn",
    plugins: [moduleReport(rendered)],
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
  const main = readFileSync(join(outDir, "relink-widget.js"));
  const chunks: Record<string, number> = {};
  const gzipOf: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".js")) {
        const file = relative(outDir, path);
        gzipOf[file] = gzipSync(readFileSync(path), { level: 9 }).length;
        if (entry.name !== "relink-widget.js") chunks[file] = gzipOf[file];
      }
    }
  };
  walk(outDir);
  const modules: ModuleSize[] = [];
  for (const [file, list] of rendered) {
    const total = list.reduce((sum, m) => sum + m.minifiedBytes, 0);
    for (const m of list.sort((a, b) => b.minifiedBytes - a.minifiedBytes)) {
      modules.push({ file, ...m, gzipShare: Math.round(((gzipOf[file] ?? 0) * m.minifiedBytes) / total) });
    }
  }
  return { gzipBytes: gzipOf["relink-widget.js"]!, rawBytes: main.length, chunks, modules };
}

/** The per-module table, as the bench and `pnpm --filter @relink/widget size` print it. */
export function moduleTable(report: BundleReport, file = "relink-widget.js"): string {
  const rows = report.modules.filter((m) => m.file === file);
  const width = Math.max(...rows.map((m) => m.module.length), 6);
  return [
    `${"module".padEnd(width)}  minified B  ≈ gzip B`,
    ...rows.map(
      (m) =>
        `${m.module.padEnd(width)}  ${String(m.minifiedBytes).padStart(10)}  ${String(m.gzipShare).padStart(8)}`,
    ),
    `${"total".padEnd(width)}  ${String(rows.reduce((s, m) => s + m.minifiedBytes, 0)).padStart(10)}  ${String(report.gzipBytes).padStart(8)}`,
  ].join("\n");
}
