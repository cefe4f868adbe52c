import { readFileSync } from "node:fs";

/**
 * Node side, for whoever serves the widget (the relink server): where this package's build is,
 * and its version. `dist/` is written by `pnpm --filter @relink/widget build` (or `./build`).
 */
export const widgetDistDir = new URL("./dist/", import.meta.url);

/** The drop-in module; its locale chunks are in `locales/` beside it. */
export const widgetFile = new URL("./dist/relink-widget.js", import.meta.url);

/** This package's version: it names the server's immutable URL `/widget/v<version>/relink-widget.js`. */
export const widgetVersion: string = JSON.parse(
  readFileSync(new URL("./package.json", import.meta.url), "utf8"),
).version;
