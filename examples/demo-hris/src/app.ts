import { Hono } from "hono";
import type { DemoHrisEnv } from "./env.ts";
import { DemoHrisError, OAuthError } from "./errors.ts";
import { simulateOutage } from "./middleware/simulate-outage.ts";
import { createOutageControl, type OutageControl } from "./outage.ts";
import { adminRoutes } from "./routes/admin.ts";
import { apiRoutes } from "./routes/api.ts";
import { oauthRoutes } from "./routes/oauth.ts";
import { createState, type DemoHrisState } from "./state.ts";

export interface DemoHrisOptions {
  /** The clock, in epoch milliseconds; tests pass a fake one to expire tokens without waiting. */
  now?: () => number;
}

export interface DemoHris {
  app: Hono<DemoHrisEnv>;
  state: DemoHrisState;
  /** Starts and ends simulated outages from code; the same as `/admin/outage`. */
  outage: OutageControl;
}

/**
 * Builds the demo HR system; opens no port.
 *
 * @example
 * const { app } = createDemoHris();
 * const res = await app.request("/admin/companies");
 */
export function createDemoHris(options: DemoHrisOptions = {}): DemoHris {
  const now = options.now ?? Date.now;
  const state = createState();
  const outage = createOutageControl(state, now);
  const app = new Hono<DemoHrisEnv>();

  // Registered before the routes so an outage hits before authentication and handlers.
  app.use("/api/*", simulateOutage(outage));
  app.use("/oauth/token", simulateOutage(outage));

  app.get("/health", (c) => c.json({ ok: true }));
  app.route("/api", apiRoutes(state, now));
  app.route("/admin", adminRoutes(state, outage, now));
  app.route("/oauth", oauthRoutes(state, now));

  app.notFound((c) =>
    c.json(new DemoHrisError(404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`).toBody(), 404),
  );

  app.onError((err, c) => {
    if (err instanceof DemoHrisError) return c.json(err.toBody(), err.status, err.headers);
    if (err instanceof OAuthError) {
      return c.json({ error: err.code, error_description: err.description }, 400, {
        "Cache-Control": "no-store",
      });
    }
    console.error(`demo-hris: unexpected error on ${c.req.method} ${c.req.path}`, err);
    return c.json(new DemoHrisError(500, "INTERNAL_ERROR", "Internal server error").toBody(), 500);
  });

  return { app, state, outage };
}
