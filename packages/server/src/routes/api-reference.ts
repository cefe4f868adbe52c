import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { assetCache, serveAsset } from "../http/static-asset.ts";

/**
 * `/docs`: the API reference (Scalar), its script served by this server from the installed
 * `@scalar/api-reference` (pinned in the catalog), never from a CDN: nothing loads from another
 * origin, it works offline, and the page runs under a CSP that allows only this origin's scripts.
 */

/** Scalar's self-contained browser build, from the installed package. */
export const API_REFERENCE_SCRIPT_FILE = join(
  dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")),
  "browser",
  "standalone.js",
);

/** Scalar injects its styles at run time, hence `'unsafe-inline'` for styles (never for scripts). */
export const API_REFERENCE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; " +
  "base-uri 'none'; form-action 'none'; object-src 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>relink API reference</title>
</head>
<body>
<div id="api-reference" data-url="/openapi.json"></div>
<script src="/docs/api-reference.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/**
 * Starts the reference on the page's document (`/openapi.json`): system fonts (Scalar's web fonts
 * are on its own origin), no telemetry, no AI agent (it calls Scalar's service).
 */
const INIT = `const element = document.getElementById("api-reference");
Scalar.createApiReference(element, {
  url: element.dataset.url,
  withDefaultFonts: false,
  customCss: ":root, :host { --scalar-font: system-ui, sans-serif; --scalar-font-code: ui-monospace, monospace; }",
  telemetry: false,
  hideClientButton: true,
  agent: { disabled: true },
});
`;

const JAVASCRIPT = "text/javascript; charset=utf-8";

export function apiReferenceRoutes() {
  const app = new Hono<AppEnv>();
  const assets = assetCache();

  app.get("/docs", (c) =>
    c.html(PAGE, 200, {
      "Content-Security-Policy": API_REFERENCE_CSP,
      "Cache-Control": "no-cache",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
    }),
  );
  app.get("/docs/init.js", (c) =>
    c.body(INIT, 200, { "Content-Type": JAVASCRIPT, "Cache-Control": "no-cache" }),
  );
  app.get("/docs/api-reference.js", async (c) => {
    const asset = await assets(API_REFERENCE_SCRIPT_FILE);
    if (asset === null) {
      return c.text("// @scalar/api-reference is not installed.\n", 503, {
        "Content-Type": JAVASCRIPT,
        "Cache-Control": "no-store",
      });
    }
    // Revalidated by ETag: an upgrade of the package changes it.
    return serveAsset(c, asset, { contentType: JAVASCRIPT, cacheControl: "no-cache" });
  });
  return app;
}
