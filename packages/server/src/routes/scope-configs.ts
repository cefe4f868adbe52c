import { createRoute, z } from "@hono/zod-openapi";
import {
  idSchema,
  PageQuerySchema,
  pageSchema,
  ScopeConfigCreateSchema,
  ScopeConfigSchema,
  ScopeConfigUpdateSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import {
  createScopeConfig,
  deleteScopeConfig,
  findScopeConfig,
  listScopeConfigs,
  toScopeConfig,
  updateScopeConfig,
} from "../domain/scope-configs.ts";
import { notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Scope configs"];
const IdParam = z.object({ id: idSchema("sc") });

export function scopeConfigRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scope-configs",
      operationId: "listScopeConfigs",
      tags,
      security: bearerSecurity,
      summary: "List scope configs",
      request: { query: PageQuerySchema },
      responses: { 200: json(pageSchema(ScopeConfigSchema), "Scope configs"), ...errors() },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, "sc");
      const { rows, next_cursor } = page(
        await listScopeConfigs(ctx.db, c.var.workspaceId, { limit, after }),
        limit,
      );
      return c.json({ data: rows.map((row) => toScopeConfig(row, ctx.connectors)), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/scope-configs",
      operationId: "createScopeConfig",
      tags,
      security: bearerSecurity,
      summary: "Create a scope config (validated against the catalog)",
      request: jsonBody(ScopeConfigCreateSchema),
      responses: { 201: json(ScopeConfigSchema, "Created"), ...errors(422) },
    }),
    async (c) => {
      const row = await createScopeConfig(ctx, c.var.workspaceId, c.req.valid("json"));
      return c.json(toScopeConfig(row, ctx.connectors), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scope-configs/{id}",
      operationId: "getScopeConfig",
      tags,
      security: bearerSecurity,
      summary: "One scope config, with the permissions it requires per tool",
      request: { params: IdParam },
      responses: { 200: json(ScopeConfigSchema, "The scope config"), ...errors(404) },
    }),
    async (c) => {
      const row = await findScopeConfig(ctx.db, c.var.workspaceId, c.req.valid("param").id);
      if (!row) throw notFound("Scope config");
      return c.json(toScopeConfig(row, ctx.connectors), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/v1/scope-configs/{id}",
      operationId: "updateScopeConfig",
      tags,
      security: bearerSecurity,
      summary: "Change a scope config; integrations using it read the new scope from their next sync",
      request: { params: IdParam, ...jsonBody(ScopeConfigUpdateSchema) },
      responses: { 200: json(ScopeConfigSchema, "Updated"), ...errors(404, 422) },
    }),
    async (c) => {
      const row = await updateScopeConfig(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      if (!row) throw notFound("Scope config");
      return c.json(toScopeConfig(row, ctx.connectors), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/scope-configs/{id}",
      operationId: "deleteScopeConfig",
      tags,
      security: bearerSecurity,
      summary: "Delete a scope config no integration uses",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...errors(404, 409) },
    }),
    async (c) => {
      await deleteScopeConfig(ctx, c.var.workspaceId, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
