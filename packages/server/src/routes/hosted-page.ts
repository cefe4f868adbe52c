import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HOSTED_PAGE_CSP, HOSTED_PAGE_SCRIPT, hostedPage, widgetMissingPage } from "../connect/pages.ts";
import type { RelinkContext } from "../context.ts";
import { router } from "../http/openapi.ts";

/** Where the built widget is: `pnpm --filter @relink/widget build` writes it. */
export const DEFAULT_WIDGET_FILE = fileURLToPath(
  new URL("../../../widget/dist/relink-widget.js", import.meta.url),
);

const PAGE_HEADERS = {
  "Content-Security-Policy": HOSTED_PAGE_CSP,
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  // The OAuth popup must keep its opener (the default `same-origin` would sever it).
  "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
};

/**
 * The hosted flow for links sent by email or chat: `GET /link#token=…` (the token stays in the
 * fragment, so it never reaches the server or its logs), `/link.js`, and the widget itself.
 */
export function hostedPageRoutes(_ctx: RelinkContext, options: { widgetFile?: string } = {}) {
  const app = router();
  const widgetFile = options.widgetFile ?? DEFAULT_WIDGET_FILE;
  const widget = () => readFile(widgetFile, "utf8").catch(() => null);

  app.get("/link", async (c) => {
    const available = (await widget()) !== null;
    return c.html(available ? hostedPage() : widgetMissingPage(), available ? 200 : 503, PAGE_HEADERS);
  });

  app.get("/link.js", (c) =>
    c.body(HOSTED_PAGE_SCRIPT, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
    }),
  );

  app.get("/widget/relink-widget.js", async (c) => {
    const source = await widget();
    if (source === null) {
      return c.text("// The relink widget is not built: run `pnpm --filter @relink/widget build`.\n", 503, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "no-store",
      });
    }
    return c.body(source, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
      "Access-Control-Allow-Origin": "*",
    });
  });

  // Other languages than English are separate chunks the widget loads on demand.
  app.get("/widget/locales/:file", async (c) => {
    const file = c.req.param("file");
    const source = /^[a-z]{2}-[A-Za-z0-9_-]{1,32}\.js$/.test(file)
      ? await readFile(join(dirname(widgetFile), "locales", file), "utf8").catch(() => null)
      : null;
    if (source === null)
      return c.text("// No such widget file.\n", 404, { "Content-Type": "text/javascript; charset=utf-8" });
    return c.body(source, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      "Access-Control-Allow-Origin": "*",
    });
  });

  return app;
}
