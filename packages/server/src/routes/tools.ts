import { createRoute, z } from "@hono/zod-openapi";
import { ToolListSchema, ToolQuerySchema, ToolWithRequirementsSchema } from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { neededPermissions } from "../domain/scope.ts";
import { findScopeConfig } from "../domain/scope-configs.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, router } from "../http/openapi.ts";

const tags = ["Tools"];

export function toolRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tools",
      operationId: "listTools",
      tags,
      security: bearerSecurity,
      summary: "The tool catalog",
      responses: {
        200: json(ToolListSchema, "Every tool this server knows: ready ones, then those lacking settings"),
        ...errors(),
      },
    }),
    (c) =>
      c.json(
        { data: ctx.connectors.statuses().map(({ tool, ready, missing }) => ({ ...tool, ready, missing })) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/tools/{tool}",
      operationId: "getTool",
      tags,
      security: bearerSecurity,
      summary:
        "One tool: auth, models, fields, permissions; with `scope_config_id`, the permissions that config requires",
      request: { params: z.object({ tool: z.string().max(100) }), query: ToolQuerySchema },
      responses: { 200: json(ToolWithRequirementsSchema, "The tool"), ...errors(404, 422) },
    }),
    async (c) => {
      const connector = ctx.connectors.get(c.req.valid("param").tool);
      if (!connector) throw notFound("Tool");
      const { scope_config_id } = c.req.valid("query");
      if (scope_config_id === undefined) return c.json(connector.tool, 200);
      const config = await findScopeConfig(ctx.db, c.var.workspaceId, scope_config_id);
      if (!config) throw notFound("Scope config");
      if (config.category !== connector.tool.category) {
        throw new ApiError(
          422,
          "SCOPE_CONFIG_INVALID",
          `Scope config ${config.id} is for ${config.category}, not ${connector.tool.category}.`,
        );
      }
      return c.json(
        { ...connector.tool, required_permissions: neededPermissions(connector.tool, config.models) },
        200,
      );
    },
  );

  return app;
}
