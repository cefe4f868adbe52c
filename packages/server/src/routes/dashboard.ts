import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { dashboardDistDir } from "@relink/dashboard/paths";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { errorResponse } from "../http/middleware.ts";

/** The dashboard loads only its own files and talks only to this server. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The built dashboard, through its package's export `@relink/dashboard/paths`. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(dashboardDistDir);

export interface DashboardRoutesOptions {
  /** The built dashboard (`index.html` and `assets/`); default: the `@relink/dashboard` package's build. */
  distDir?: string;
}

/**
 * Serves the operator dashboard at `/dashboard`: its files from the build folder, and
 * `index.html` for every other path under it (the app routes in the browser). Paths are resolved
 * and must stay inside the build folder.
 */
export function dashboardRoutes(options: DashboardRoutesOptions = {}) {
  const root = resolve(options.distDir ?? DEFAULT_DASHBOARD_DIR);
  const app = new Hono<AppEnv>();

  app.get("/dashboard", (c) => c.redirect("/dashboard/", 308));

  app.get("/dashboard/*", async (c) => {
    c.header("Content-Security-Policy", DASHBOARD_CSP);
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");

    const rawPath = new URL(c.req.url).pathname.slice("/dashboard/".length);
    let relative: string;
    try {
      relative = decodeURIComponent(rawPath);
    } catch {
      return errorResponse(c, 404, "NOT_FOUND", "No such dashboard file.");
    }
    if (relative.includes("\0") || relative.includes("\\")) {
      return errorResponse(c, 404, "NOT_FOUND", "No such dashboard file.");
    }
    // Leading slashes would make `resolve` treat the rest as an absolute path.
    const file = resolve(root, `./${relative.replace(/^\/+/, "")}`);
    if (file !== root && !file.startsWith(root + sep)) {
      return errorResponse(c, 404, "NOT_FOUND", "No such dashboard file.");
    }

    const index = resolve(root, "index.html");
    if (!(await isFile(index))) return missingBuild(c);

    if (file !== root && (await isFile(file))) {
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
      const hashed = relative.startsWith("assets/");
      c.header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
      c.header("Content-Type", type);
      return c.body(await readFile(file));
    }
    // A missing file with an extension is a broken asset reference, not a page of the app.
    if (extname(relative) !== "" && extname(relative) !== ".html") {
      return errorResponse(c, 404, "NOT_FOUND", "No such dashboard file.");
    }
    c.header("Cache-Control", "no-cache");
    return c.html(await readFile(index, "utf8"));
  });

  return app;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function missingBuild(c: Context<AppEnv>) {
  c.header("Cache-Control", "no-store");
  return c.html(
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>relink dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<main>
<h1>The dashboard is not built</h1>
<p>This server serves the operator dashboard from <code>packages/dashboard/dist</code>, which does not exist yet. Build it once with:</p>
<pre><code>pnpm --filter @relink/dashboard build</code></pre>
<p>then reload this page. The API itself works without it: see <a href="/docs">the API reference</a>.</p>
</main>
</body>
</html>`,
    503,
  );
}
