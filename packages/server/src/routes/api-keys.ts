import { createRoute, z } from "@hono/zod-openapi";
import {
  ApiKeyCreatedSchema,
  ApiKeyCreateSchema,
  ApiKeySchema,
  idSchema,
  PageQuerySchema,
  pageSchema,
} from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { createApiKey } from "../domain/workspaces.ts";
import { ApiError, notFound } from "../http/errors.ts";
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
      let query = ctx.db
        .selectFrom("api_keys")
        .select(["id", "name", "prefix", "scopes", "created_at", "last_used_at"])
        .where("workspace_id", "=", c.var.workspaceId)
        .where("revoked_at", "is", null)
        .orderBy("id", "desc")
        .limit(limit + 1);
      if (after) query = query.where("id", "<", after);
      const { rows, next_cursor } = page(await query.execute(), limit);
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
      const { id } = c.req.valid("param");
      const workspaceId = c.var.workspaceId;
      const revoked = await ctx.db.transaction().execute(async (trx) => {
        const active = await trx
          .selectFrom("api_keys")
          .select(["id", "scopes"])
          .where("workspace_id", "=", workspaceId)
          .where("revoked_at", "is", null)
          .execute();
        const revoking = active.find((k) => k.id === id);
        if (!revoking) throw notFound("API key");
        // The last key able to manage the workspace stays: without it nobody could make another.
        const managing = active.filter((k) => k.scopes.includes("management"));
        if (revoking.scopes.includes("management") && managing.length === 1) {
          throw new ApiError(
            409,
            "LAST_API_KEY",
            "This is the workspace's last API key with the management scope; create another one first.",
          );
        }
        return trx
          .updateTable("api_keys")
          .set({ revoked_at: iso(ctx.clock.now()) })
          .where("id", "=", id)
          .where("workspace_id", "=", workspaceId)
          .executeTakeFirst();
      });
      if (!revoked.numUpdatedRows) throw notFound("API key");
      return c.body(null, 204);
    },
  );

  return app;
}
