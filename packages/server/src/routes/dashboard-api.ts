import { createRoute } from "@hono/zod-openapi";
import {
  IntegrationPausesQuerySchema,
  IntegrationPausesSchema,
  IntegrationStatsSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { integrationStats, pauseMoments } from "../domain/dashboard-views.ts";
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
    async (c) => c.json(await integrationStats(ctx.db, c.var.workspaceId), 200),
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
    async (c) =>
      c.json({ data: await pauseMoments(ctx.db, c.var.workspaceId, c.req.valid("query").ids) }, 200),
  );

  return app;
}
