import { dirname, join } from "node:path";
import type { Context } from "hono";
import { HOSTED_PAGE_CSP, HOSTED_PAGE_SCRIPT, hostedPage, widgetMissingPage } from "../connect/pages.ts";
import { WIDGET_FILE, WIDGET_VERSION } from "../connect/widget.ts";
import type { RelinkContext } from "../context.ts";
import type { AppEnv } from "../http/env.ts";
import { router } from "../http/openapi.ts";
import { assetCache, serveAsset } from "../http/static-asset.ts";

/** Where the built widget is, through its package's export `@relink/widget/relink-widget.js`. */
export const DEFAULT_WIDGET_FILE = WIDGET_FILE;

const PAGE_HEADERS = {
  "Content-Security-Policy": HOSTED_PAGE_CSP,
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  // The OAuth popup must keep its opener (the default `same-origin` would sever it).
  "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
};

const JAVASCRIPT = "text/javascript; charset=utf-8";
const IMMUTABLE = "public, max-age=31536000, immutable";
/** The unversioned URL may change with an upgrade: cached briefly, then revalidated by ETag. */
const SHORT = "public, max-age=300";

/**
 * The hosted flow for links sent by email or chat: `GET /link#token=…` (the token stays in the
 * fragment, so it never reaches the server or its logs), `/link.js`, and the widget itself:
 * `/widget/v<version>/relink-widget.js` cached for good, `/widget/relink-widget.js` for five
 * minutes, both compressed (gzip, brotli) once and with an ETag; the chunks it loads on demand
 * (`chunks/`: the views after the first paint, `locales/`) beside them, cached for good.
 */
export function hostedPageRoutes(
  _ctx: RelinkContext,
  options: { widgetFile?: string; widgetVersion?: string } = {},
) {
  const app = router();
  const widgetFile = options.widgetFile ?? DEFAULT_WIDGET_FILE;
  const version = options.widgetVersion ?? WIDGET_VERSION;
  const assets = assetCache();
  const widget = () => assets(widgetFile);

  app.get("/link", async (c) => {
    const available = (await widget()) !== null;
    return c.html(available ? hostedPage() : widgetMissingPage(), available ? 200 : 503, PAGE_HEADERS);
  });

  app.get("/link.js", (c) =>
    c.body(HOSTED_PAGE_SCRIPT, 200, {
      "Content-Type": JAVASCRIPT,
      "Cache-Control": "no-cache",
    }),
  );

  const serveWidget = async (c: Context<AppEnv>, cacheControl: string) => {
    const asset = await widget();
    if (asset === null) {
      return c.text("// The relink widget is not built: run `pnpm --filter @relink/widget build`.\n", 503, {
        "Content-Type": JAVASCRIPT,
        "Cache-Control": "no-store",
      });
    }
    return serveAsset(c, asset, { contentType: JAVASCRIPT, cacheControl, cors: true });
  };

  // The widget's views after the first paint (`chunks/`) and its other languages (`locales/`)
  // are separate files (content-hashed names) it loads on demand, relative to its own URL.
  const CHUNK_NAME = {
    locales: /^[a-z]{2}-[A-Za-z0-9_-]{1,32}\.js$/,
    chunks: /^[a-z]{1,16}-[A-Za-z0-9_-]{1,32}\.js$/,
  };
  const serveChunk = (dir: keyof typeof CHUNK_NAME) => async (c: Context<AppEnv>) => {
    const file = c.req.param("file") ?? "";
    const asset = CHUNK_NAME[dir].test(file) ? await assets(join(dirname(widgetFile), dir, file)) : null;
    if (asset === null) return c.text("// No such widget file.\n", 404, { "Content-Type": JAVASCRIPT });
    return serveAsset(c, asset, { contentType: JAVASCRIPT, cacheControl: IMMUTABLE, cors: true });
  };
  const noSuchVersion = (c: Context<AppEnv>) =>
    c.text(`// This server serves the widget version ${version} only.\n`, 404, {
      "Content-Type": JAVASCRIPT,
    });

  app.get("/widget/relink-widget.js", (c) => serveWidget(c, SHORT));
  app.get("/widget/:version/relink-widget.js", (c) =>
    c.req.param("version") === `v${version}` ? serveWidget(c, IMMUTABLE) : noSuchVersion(c),
  );
  for (const dir of ["locales", "chunks"] as const) {
    const serve = serveChunk(dir);
    app.get(`/widget/${dir}/:file`, serve);
    app.get(`/widget/:version/${dir}/:file`, (c) =>
      c.req.param("version") === `v${version}` ? serve(c) : noSuchVersion(c),
    );
  }

  return app;
}
