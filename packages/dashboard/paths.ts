import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * Node side, for whoever serves the dashboard (the relink server): where this package's build is
 * (`index.html` and `assets/`), written by `pnpm --filter @relink/dashboard build` (or `./build`).
 * The package's folder is found by its own name, so this works from the sources in the workspace
 * and from the compiled `lib/paths.js` of an installed package alike.
 */
const packageJson = createRequire(import.meta.url).resolve("@relink/dashboard/package.json");

export const dashboardDistDir = new URL("dist/", pathToFileURL(packageJson));
