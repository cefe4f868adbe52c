import type { MiddlewareHandler } from "hono";
import type { DemoHrisEnv } from "../env.ts";
import { DemoHrisError } from "../errors.ts";
import type { OutageControl } from "../outage.ts";

/** What a broken upstream might send: a 200 whose JSON is cut off half way. */
const MALFORMED_BODY = '{"data":[{"id":"emp_';

/**
 * Makes every request it guards fail the way the current outage says, and lets it through when
 * there is none. Put it before authentication: a down service checks no credentials.
 */
export function simulateOutage(outage: OutageControl): MiddlewareHandler<DemoHrisEnv> {
  return async (c, next) => {
    const current = outage.current();
    if (!current) return next();
    switch (current.status) {
      case 429:
        throw new DemoHrisError(
          429,
          "RATE_LIMITED",
          "Too many requests (simulated outage)",
          {},
          { "Retry-After": "1" },
        );
      case 500:
        throw new DemoHrisError(500, "INTERNAL_ERROR", "Internal server error (simulated outage)");
      case 502:
        throw new DemoHrisError(502, "BAD_GATEWAY", "Bad gateway (simulated outage)");
      case 503:
        throw new DemoHrisError(503, "SERVICE_UNAVAILABLE", "Service unavailable (simulated outage)");
      case "timeout":
        await outage.waitForEnd(c.req.raw.signal);
        throw new DemoHrisError(504, "GATEWAY_TIMEOUT", "Gateway timeout (simulated outage)");
      case "malformed":
        return c.body(MALFORMED_BODY, 200, { "Content-Type": "application/json" });
      case "reset": {
        const socket = c.env?.incoming?.socket;
        // Under app.request() there is no socket to cut: the closest answer is a bad gateway.
        if (!socket) throw new DemoHrisError(502, "BAD_GATEWAY", "Connection reset (simulated outage)");
        socket.destroy();
        return c.body(null, 502);
      }
    }
  };
}
