import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { sql } from "kysely";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { iso } from "./clock.ts";
import type { RelinkContext } from "./context.ts";
import type { ClaimOutcome } from "./domain/sync-runs.ts";
import type { AppEnv } from "./http/env.ts";

/** What became of one webhook delivery attempt. */
export type DeliveryOutcome = "succeeded" | "retrying" | "failed";

/**
 * Prometheus metrics of one server (one registry each, so that several servers in one process do
 * not mix): counters of what this replica did since it started (syncs, auth-check outcomes, pauses,
 * webhook deliveries), queue depths read from the database when scraped, and HTTP latency by route
 * pattern. Served by `serveMetrics()` on `RELINK_METRICS_PORT`, never on the API's port.
 */
export interface Metrics {
  readonly registry: Registry;
  /** A sync run's result, as the scheduler applied it. */
  recordSync(outcome: ClaimOutcome): void;
  recordDelivery(outcome: DeliveryOutcome): void;
  /** Times every request by its route pattern (`/v1/integrations/:id`), never its raw path. */
  http(): MiddlewareHandler<AppEnv>;
  /**
   * Records one answered request (what `http()` does, for a middleware that times the request
   * itself: `requestContext`'s `observe`).
   */
  observeHttp(c: Context<AppEnv>, seconds: number): void;
}

export function createMetrics(ctx: Pick<RelinkContext, "db" | "clock">): Metrics {
  const registry = new Registry();
  const syncs = new Counter({
    name: "relink_syncs_total",
    help: "Sync runs this replica finished, by outcome: succeeded, failed (the run was recorded as failed or not synced).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const authChecks = new Counter({
    name: "relink_auth_checks_total",
    help: "Auth checks of scheduled and manual syncs this replica ran, by outcome (OK, AUTH_FAILED, …).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const pauses = new Counter({
    name: "relink_pauses_total",
    help: "Integrations this replica's syncs paused (authentication failing for longer than RELINK_PAUSE_AFTER).",
    registers: [registry],
  });
  const deliveries = new Counter({
    name: "relink_webhook_deliveries_total",
    help: "Webhook delivery attempts this replica made, by outcome: succeeded, retrying (failed, retried later), failed (for good).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "relink_webhook_deliveries_pending",
    help: "Webhook deliveries waiting to be delivered (all replicas), read when scraped.",
    registers: [registry],
    async collect() {
      const row = await ctx.db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
        // A literal, so that the partial index on pending deliveries serves the count.
        .where(sql<boolean>`status = 'PENDING'`)
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: "relink_syncs_due",
    help: "Integrations whose next sync is due now (all replicas), read when scraped.",
    registers: [registry],
    async collect() {
      const row = await ctx.db
        .selectFrom("integrations")
        .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
        .where("next_sync_at", "<=", iso(ctx.clock.now()))
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  const latency = new Histogram({
    name: "relink_http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status.",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const observeHttp = (c: Context<AppEnv>, seconds: number) =>
    latency.observe({ method: c.req.method, route: routePattern(c), status: String(c.res.status) }, seconds);

  return {
    registry,
    recordSync(outcome) {
      if (outcome.kind === "skipped") return;
      syncs.inc({ outcome: outcome.kind === "synced" ? "succeeded" : "failed" });
      authChecks.inc({ outcome: outcome.kind === "synced" ? "OK" : outcome.outcome });
      if (outcome.paused) pauses.inc();
    },
    recordDelivery(outcome) {
      deliveries.inc({ outcome });
    },
    observeHttp,
    http() {
      return async (c, next) => {
        const started = performance.now();
        await next();
        observeHttp(c, (performance.now() - started) / 1000);
      };
    },
  };
}

/** The pattern of the handler that answered (not middleware), or `unmatched`: labels stay few. */
function routePattern(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return "unmatched";
}
