import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

/** The budget of the drop-in module (Lit and English included), gzip: 16 KiB. */
export const BUDGET_BYTES = 16 * 1024;

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

export interface BundleReport {
  /** gzip -9 size of `relink-widget.js`. */
  gzipBytes: number;
  rawBytes: number;
  /** The locale chunks loaded on demand, gzip size each. */
  chunks: Record<string, number>;
}

/** Builds the widget into `outDir` (offline, deterministic) and measures what a browser downloads. */
export async function buildAndMeasure(outDir = join(packageDir, "dist")): Promise<BundleReport> {
  await build({
    configFile: join(packageDir, "vite.config.ts"),
    root: packageDir,
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, reportCompressedSize: false },
  });
  const main = readFileSync(join(outDir, "relink-widget.js"));
  const chunks: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".js") && entry.name !== "relink-widget.js") {
        chunks[relative(outDir, path)] = gzipSync(readFileSync(path), { level: 9 }).length;
      }
    }
  };
  walk(outDir);
  return { gzipBytes: gzipSync(main, { level: 9 }).length, rawBytes: main.length, chunks };
}
