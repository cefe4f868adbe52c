import type { HttpBindings } from "@hono/node-server";
import type { Credential } from "./credentials.ts";

/**
 * The Hono environment of the demo HR system. The Node bindings are there when served by
 * @hono/node-server and missing under `app.request()`.
 */
export type DemoHrisEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: { credential: Credential };
};
