import { createRoute } from "@hono/zod-openapi";
import {
  IntegrationPausesQuerySchema,
  IntegrationPausesSchema,
  IntegrationStatsSchema,
} from "@relink/sdk/contract";
import { sql } from "kysely";
import type { RelinkContext } from "../context.ts";
import { bearerSecurity, errors, json, router } from "../http/openapi.ts";

const tags = ["Integrations"];

/**
 * Read models for the operator dashboard. Mounted before `integrationRoutes`, whose
 * `/v1/integrations/{id}` would otherwise take `stats` for an id.
 */
export function dashboardApiRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/stats",
      operationId: "getIntegrationStats",
      tags,
      security: bearerSecurity,
      summary: "Integrations counted per state, and how many active ones are failing auth",
      responses: { 200: json(IntegrationStatsSchema, "Counts"), ...errors() },
    }),
    async (c) => {
      const workspaceId = c.var.workspaceId;
      // Both counts read the (workspace_id, state, id) index; only the failing count visits rows.
      const [perState, failing] = await Promise.all([
        ctx.db
          .selectFrom("integrations")
          .select(["state", sql<number | string>`count(*)`.as("n")])
          .where("workspace_id", "=", workspaceId)
          .groupBy("state")
          .execute(),
        ctx.db
          .selectFrom("integrations")
          .select(sql<number | string>`count(*)`.as("n"))
          .where("workspace_id", "=", workspaceId)
          .where("state", "=", "ACTIVE")
          .where("failing_since", "is not", null)
          .executeTakeFirstOrThrow(),
      ]);
      const stats = { ACTIVE: 0, INVALID: 0, INACTIVE: 0, failing: Number(failing.n), total: 0 };
      for (const row of perState) {
        const n = Number(row.n);
        stats.total += n;
        if (row.state === "ACTIVE" || row.state === "INVALID" || row.state === "INACTIVE")
          stats[row.state] = n;
      }
      return c.json(stats, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/pauses",
      operationId: "listIntegrationPauses",
      tags,
      security: bearerSecurity,
      summary: "When each of the given paused (INVALID) integrations was paused, from the event log",
      request: { query: IntegrationPausesQuerySchema },
      responses: { 200: json(IntegrationPausesSchema, "Pause moments"), ...errors() },
    }),
    async (c) => {
      const { ids } = c.req.valid("query");
      const workspaceId = c.var.workspaceId;
      const paused = await ctx.db
        .selectFrom("integrations")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("state", "=", "INVALID")
        .where("id", "in", ids)
        .execute();
      if (paused.length === 0) return c.json({ data: [] }, 200);
      const events = await ctx.db
        .selectFrom("events")
        .select(["integration_id", "data", "created_at"])
        .where("workspace_id", "=", workspaceId)
        .where("type", "=", "integration-state-changed")
        .where(
          "integration_id",
          "in",
          paused.map((row) => row.id),
        )
        .orderBy("seq", "desc")
        .execute();
      const pausedAt = new Map<string, string>();
      for (const event of events) {
        if (!event.integration_id || pausedAt.has(event.integration_id)) continue;
        if (event.data.state === "INVALID") pausedAt.set(event.integration_id, event.created_at);
      }
      return c.json(
        { data: [...pausedAt].map(([integration_id, paused_at]) => ({ integration_id, paused_at })) },
        200,
      );
    },
  );

  return app;
}
