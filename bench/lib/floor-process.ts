/**
 * The floor of the connect API benchmark, in its own process: a bare Hono app on
 * `@hono/node-server` with no middleware, whose routes answer the same JSON documents relink
 * answered (same size, serialised per request like relink's), with no token, no database.
 *
 *   floor-process.ts <bodies.json>   bodies: { "/path": <json document>, … }; reports `{ url }` over IPC
 */
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const file = process.argv[2];
if (!file) throw new Error("usage: floor-process.ts <bodies.json>");
const bodies = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
const app = new Hono();
for (const [path, body] of Object.entries(bodies)) app.get(path, (c) => c.json(body as object));

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
  process.send?.({ url: `http://127.0.0.1:${info.port}` }),
);
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("disconnect", stop);
