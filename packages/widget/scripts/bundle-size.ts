import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "vite";

/**
 * The budget of the first view, gzip: 12 KiB for what a page downloads before the intro is
 * interactive — the drop-in module (Lit, the frame, the controllers, the intro and its English) and
 * every file it imports statically. The later views and the other locales come on demand.
 */
export const BUDGET_BYTES = 12 * 1024;

/** The drop-in module: the entry of the build. */
export const ENTRY = "relink-widget.js";

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** One module's share of a built file. */
export interface ModuleSize {
  /** The file it ended up in (`relink-widget.js` or a chunk). */
  file: string;
  /** Its path: `lit-html/…` for dependencies, `widget/src/…` for the widget's own. */
  module: string;
  /** What it belongs to: a package (`lit-html`, `@lit/reactive-element`, `@relink/sdk`…) or a part of the widget. */
  group: string;
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
  /**
   * What the first view needs: the drop-in module and the files it imports statically (the
   * closure of Rolldown's `imports`), each gzipped as a browser downloads it, summed.
   */
  firstView: { files: string[]; gzipBytes: number; rawBytes: number };
  /** Every file of the build, gzip, summed: the first view, the later views and every locale. */
  totalGzipBytes: number;
  /** The files loaded on demand (locales, the later views), gzip size each. */
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

/**
 * What a module belongs to: its package for dependencies (`lit-html`, `@lit/reactive-element`,
 * `lit-element`, `lit`, `zod`…) and the SDK (`@relink/sdk`); for the widget's own modules, the
 * part of it: `styles`, `locales`, `view: <name>`, `controller: <name>`, or `element`.
 */
export function groupOf(module: string): string {
  if (module.startsWith("sdk/")) return "@relink/sdk";
  if (!module.startsWith("widget/")) {
    const parts = module.split("/");
    return module.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const file = module.slice(module.lastIndexOf("/") + 1).replace(/\.ts$/, "");
  if (file.endsWith(".styles")) return "widget: styles";
  if (module.includes("/locales/")) return "widget: locales";
  if (module.includes("/views/")) return `widget: view ${file}`;
  if (/controller$|^localize$|^requests$/.test(file)) return `widget: controller ${file}`;
  return "widget: element and API";
}

/** Records which module went into which file, how much code it rendered there, and what each file imports. */
type Rendered = { module: string; renderedBytes: number; minifiedBytes: number };

/** Rolldown's own minifier (Vite's bundler), to size each module as the build minifies it. */
const { minifySync } = (await import(
  createRequire(import.meta.resolve("vite")).resolve("rolldown/utils")
)) as { minifySync: (file: string, code: string, options?: object) => { code: string } };

/** Reads Rolldown's bundle metadata: each chunk's modules (`renderedLength`, code) and static imports. */
function moduleReport(into: Map<string, Rendered[]>, imports: Map<string, string[]>): Plugin {
  return {
    name: "relink:module-report",
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== "chunk") continue;
        imports.set(output.fileName, output.imports);
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
  const imports = new Map<string, string[]>();
  await build({
    configFile: join(packageDir, "vite.config.ts"),
    root: packageDir,
    logLevel: "warn",
    plugins: [moduleReport(rendered, imports)],
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
  const main = readFileSync(join(outDir, ENTRY));
  const chunks: Record<string, number> = {};
  const gzipOf: Record<string, number> = {};
  const rawOf: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".js")) {
        const file = relative(outDir, path);
        const body = readFileSync(path);
        rawOf[file] = body.length;
        gzipOf[file] = gzipSync(body, { level: 9 }).length;
        if (file !== ENTRY) chunks[file] = gzipOf[file];
      }
    }
  };
  walk(outDir);
  // The first view: the entry and, recursively, what it imports statically.
  const firstFiles = [ENTRY];
  for (let i = 0; i < firstFiles.length; i++) {
    for (const file of imports.get(firstFiles[i]!) ?? [])
      if (!firstFiles.includes(file)) firstFiles.push(file);
  }
  const modules: ModuleSize[] = [];
  for (const [file, list] of rendered) {
    const total = list.reduce((sum, m) => sum + m.minifiedBytes, 0);
    for (const m of list.sort((a, b) => b.minifiedBytes - a.minifiedBytes)) {
      modules.push({
        file,
        ...m,
        group: groupOf(m.module),
        gzipShare: Math.round(((gzipOf[file] ?? 0) * m.minifiedBytes) / total),
      });
    }
  }
  const sum = (files: string[], of: Record<string, number>) => files.reduce((s, f) => s + (of[f] ?? 0), 0);
  return {
    gzipBytes: gzipOf[ENTRY]!,
    rawBytes: main.length,
    firstView: { files: firstFiles, gzipBytes: sum(firstFiles, gzipOf), rawBytes: sum(firstFiles, rawOf) },
    totalGzipBytes: sum(Object.keys(gzipOf), gzipOf),
    chunks,
    modules,
  };
}

/** One group of a file: its modules and what they weigh together. */
export interface ModuleGroup {
  group: string;
  minifiedBytes: number;
  gzipShare: number;
  modules: ModuleSize[];
}

/** The modules of the given files by group, heaviest group first. */
export function groupModules(report: BundleReport, files: readonly string[]): ModuleGroup[] {
  const groups = new Map<string, ModuleGroup>();
  for (const m of report.modules.filter((x) => files.includes(x.file))) {
    const g = groups.get(m.group) ?? { group: m.group, minifiedBytes: 0, gzipShare: 0, modules: [] };
    g.minifiedBytes += m.minifiedBytes;
    g.gzipShare += m.gzipShare;
    g.modules.push(m);
    groups.set(m.group, g);
  }
  return [...groups.values()].sort((a, b) => b.gzipShare - a.gzipShare);
}

/**
 * The per-module table of the given files (default: the first view), grouped by package or part
 * of the widget, as the bench and `pnpm --filter @relink/widget size` print it.
 */
export function moduleTable(report: BundleReport, files: readonly string[] = report.firstView.files): string {
  const groups = groupModules(report, files);
  const names = groups.flatMap((g) => [
    `${g.group} (${g.modules[0]!.module})`,
    ...g.modules.map((m) => `  ${m.module}`),
  ]);
  const width = Math.max(...names.map((n) => n.length), 6);
  const row = (name: string, minified: number, gzip: number) =>
    `${name.padEnd(width)}  ${String(minified).padStart(10)}  ${String(gzip).padStart(8)}`;
  const gzipTotal = files.reduce((s, f) => s + (f === ENTRY ? report.gzipBytes : (report.chunks[f] ?? 0)), 0);
  return [
    `${files.join(" + ")}`,
    `${"group / module".padEnd(width)}  minified B  ≈ gzip B`,
    // A group of one module is one row; a larger group lists its modules under its total.
    ...groups.flatMap((g) =>
      g.modules.length === 1
        ? [row(`${g.group} (${g.modules[0]!.module})`, g.minifiedBytes, g.gzipShare)]
        : [
            row(g.group, g.minifiedBytes, g.gzipShare),
            ...g.modules.map((m) => row(`  ${m.module}`, m.minifiedBytes, m.gzipShare)),
          ],
    ),
    row(
      "total",
      groups.reduce((s, g) => s + g.minifiedBytes, 0),
      gzipTotal,
    ),
  ].join("\n");
}
