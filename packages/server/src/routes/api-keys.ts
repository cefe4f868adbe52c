import { createRoute, z } from "@hono/zod-openapi";
import {
  ApiKeyCreatedSchema,
  ApiKeyCreateSchema,
  ApiKeySchema,
  idSchema,
  PageQuerySchema,
  pageSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { listApiKeys, revokeApiKey } from "../domain/api-keys.ts";
import { createApiKey } from "../domain/workspaces.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["API keys"];
const IdParam = z.object({ id: idSchema("key") });

export function apiKeyRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/api-keys",
      operationId: "listApiKeys",
      tags,
      security: bearerSecurity,
      summary: "List the workspace's API keys (never the keys themselves)",
      request: { query: PageQuerySchema },
      responses: { 200: json(pageSchema(ApiKeySchema), "API keys"), ...errors() },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, "key");
      const { rows, next_cursor } = page(
        await listApiKeys(ctx.db, c.var.workspaceId, { limit, after }),
        limit,
      );
      return c.json({ data: rows, next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/api-keys",
      operationId: "createApiKey",
      tags,
      security: bearerSecurity,
      summary: "Create an API key (the key is shown in this answer only)",
      request: jsonBody(ApiKeyCreateSchema),
      responses: { 201: json(ApiKeyCreatedSchema, "The new key"), ...errors() },
    }),
    async (c) => {
      const { name, scopes } = c.req.valid("json");
      return c.json(await createApiKey(ctx, c.var.workspaceId, name, scopes), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/api-keys/{id}",
      operationId: "revokeApiKey",
      tags,
      security: bearerSecurity,
      summary: "Revoke an API key; it is refused at once",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errors(404, 409) },
    }),
    async (c) => {
      await revokeApiKey(ctx, c.var.workspaceId, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
