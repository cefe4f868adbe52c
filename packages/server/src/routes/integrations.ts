import { createRoute, z } from "@hono/zod-openapi";
import {
  EnabledBodySchema,
  IntegrationImportSchema,
  IntegrationListQuerySchema,
  IntegrationSchema,
  idSchema,
  pageSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { listIntegrations } from "../domain/integration-list.ts";
import { findIntegration, loadIntegrationView, loadIntegrationViews } from "../domain/integrations.ts";
import { createIntegration, deleteIntegration, setEnabled } from "../domain/lifecycle.ts";
import { findDefaultScopeConfig, findScopeConfig } from "../domain/scope-configs.ts";
import { assertCredentialFields, verifyCredentials } from "../domain/tool-checks.ts";
import { parseDuration } from "../duration.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Integrations"];
const IdParam = z.object({ id: idSchema("int") });

export function integrationRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations",
      operationId: "listIntegrations",
      tags,
      security: bearerSecurity,
      summary: "List integrations, newest first",
      request: { query: IntegrationListQuerySchema },
      responses: { 200: json(pageSchema(IntegrationSchema), "Integrations"), ...errors() },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const after = decodeCursor(q.cursor, "int");
      const { limit, cursor: _cursor, ...filter } = q;
      const found = await listIntegrations(ctx.db, c.var.workspaceId, { limit, after }, filter);
      const { rows, next_cursor } = page(found, limit);
      const data = await loadIntegrationViews(ctx, rows);
      return c.json({ data, next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations",
      operationId: "importIntegration",
      tags,
      security: bearerSecurity,
      summary: "Import an integration with credentials (checked with the tool first); it syncs at once",
      request: jsonBody(IntegrationImportSchema),
      responses: { 201: json(IntegrationSchema, "Created"), ...errors(404, 422, 503) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const workspaceId = c.var.workspaceId;
      const connector = ctx.connectors.get(body.tool);
      if (!connector) {
        throw new ApiError(
          422,
          "UNKNOWN_TOOL",
          `Unknown tool "${body.tool}"; GET /v1/tools lists the tools.`,
        );
      }
      assertCredentialFields(connector.tool, body.credentials);
      const scopeConfig = body.scope_config_id
        ? await findScopeConfig(ctx.db, workspaceId, body.scope_config_id)
        : await findDefaultScopeConfig(ctx.db, workspaceId, connector.tool.category);
      if (body.scope_config_id && !scopeConfig) throw notFound("Scope config");
      if (scopeConfig && scopeConfig.category !== connector.tool.category) {
        throw new ApiError(
          422,
          "SCOPE_CONFIG_INVALID",
          `Scope config ${scopeConfig.id} is for ${scopeConfig.category}, not ${connector.tool.category}.`,
        );
      }
      const syncIntervalMs = body.sync_interval ? (parseDuration(body.sync_interval) ?? null) : null;
      const verified = await verifyCredentials(ctx, connector, body.credentials, c.req.raw.signal);
      const row = await createIntegration(ctx, {
        workspaceId,
        tool: connector.tool,
        endUser: body.end_user,
        verified,
        scopeConfig: scopeConfig ? { id: scopeConfig.id, models: scopeConfig.models } : null,
        syncIntervalMs,
      });
      c.var.log.info({ integration_id: row.id, tool: row.tool }, "integration imported");
      return c.json(await loadIntegrationView(ctx, row), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}",
      operationId: "getIntegration",
      tags,
      security: bearerSecurity,
      summary:
        "One integration: state, auth health, scope, missing permissions, schedule, last sync. Never credentials",
      request: { params: IdParam },
      responses: { 200: json(IntegrationSchema, "The integration"), ...errors(404) },
    }),
    async (c) => {
      const row = await findIntegration(ctx.db, c.get("workspaceId"), c.req.valid("param").id);
      if (!row) throw notFound("Integration");
      return c.json(await loadIntegrationView(ctx, row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/integrations/{id}",
      operationId: "deleteIntegration",
      tags,
      security: bearerSecurity,
      summary: "Delete an integration; its credentials are destroyed",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...errors(404) },
    }),
    async (c) => {
      if (!(await deleteIntegration(ctx, c.var.workspaceId, c.req.valid("param").id)))
        throw notFound("Integration");
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/integrations/{id}/enabled",
      operationId: "setIntegrationEnabled",
      tags,
      security: bearerSecurity,
      summary: "Disable (INACTIVE) or re-enable an integration",
      request: { params: IdParam, ...jsonBody(EnabledBodySchema) },
      responses: { 200: json(IntegrationSchema, "The integration"), ...errors(404) },
    }),
    async (c) => {
      const row = await setEnabled(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        c.req.valid("json").value,
      );
      if (!row) throw notFound("Integration");
      return c.json(await loadIntegrationView(ctx, row), 200);
    },
  );

  return app;
}
