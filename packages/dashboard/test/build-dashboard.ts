import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/**
 * Vitest global setup: builds the dashboard (and the widget, for the hosted link page) so that the
 * end-to-end tests drive what the server really serves. No network needed.
 */
export default async function setup(): Promise<void> {
  const dashboard = fileURLToPath(new URL("..", import.meta.url));
  await build({ root: dashboard, configFile: `${dashboard}vite.config.ts`, logLevel: "warn" });
  const widget = fileURLToPath(new URL("../../widget/", import.meta.url));
  if (!existsSync(`${widget}dist/relink-widget.js`) && existsSync(`${widget}vite.config.ts`)) {
    await build({ root: widget, configFile: `${widget}vite.config.ts`, logLevel: "warn" });
  }
}
