import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildOnce } from "@relink/build-once";

/**
 * Node side, for tests and scripts: builds `dist/` when it is missing or older than the sources.
 * Whoever serves the dashboard finds it through the package's export `@relink/dashboard/paths`.
 */
export async function ensureDashboardBuilt(): Promise<{ built: boolean }> {
  const root = fileURLToPath(new URL(".", import.meta.url));
  // The SDK's sources the build bundles (its names, client and scope rules).
  const sdk = dirname(createRequire(import.meta.url).resolve("@relink/sdk/names"));
  return buildOnce({
    root,
    configFile: `${root}vite.config.ts`,
    outDir: `${root}dist`,
    inputs: [`${root}src`, `${root}index.html`, `${root}vite.config.ts`, `${root}package.json`, sdk],
  });
}
