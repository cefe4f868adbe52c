import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * Node side, for whoever serves the widget (the relink server): where this package's build is,
 * and its version. `dist/` is written by `pnpm --filter @relink/widget build` (or `./build`).
 * The package's folder is found by its own name, so this works from the sources in the workspace
 * and from the compiled `lib/node/paths.js` of an installed package alike.
 */
const packageJson = createRequire(import.meta.url).resolve("@relink/widget/package.json");

/** The package's folder. */
const packageRoot = new URL(".", pathToFileURL(packageJson));

export const widgetDistDir = new URL("dist/", packageRoot);

/** The drop-in module; its locale chunks are in `locales/` beside it. */
export const widgetFile = new URL("dist/relink-widget.js", packageRoot);

/** This package's version: it names the server's immutable URL `/widget/v<version>/relink-widget.js`. */
export const widgetVersion: string = JSON.parse(readFileSync(packageJson, "utf8")).version;
