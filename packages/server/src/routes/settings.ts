import { createRoute } from "@hono/zod-openapi";
import { AllowedOriginsSchema, AllowedOriginsUpdateSchema } from "@relink/sdk/contract";
import { originPolicy } from "../connect/origins.ts";
import type { RelinkContext } from "../context.ts";
import { toJson } from "../db/schema.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";

const tags = ["Settings"];

/** Workspace settings: the origins allowed to run the connect flow. */
export function settingsRoutes(ctx: RelinkContext) {
  const app = router();

  const read = async (workspaceId: string) => {
    const row = await ctx.db
      .selectFrom("workspaces")
      .select("allowed_origins")
      .where("id", "=", workspaceId)
      .executeTakeFirstOrThrow();
    return { allowed_origins: row.allowed_origins ?? [] };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/settings/allowed-origins",
      operationId: "getAllowedOrigins",
      tags,
      security: bearerSecurity,
      summary: "The origins whose pages may run the connect flow (`<relink-connect>`)",
      responses: { 200: json(AllowedOriginsSchema, "Allowed origins"), ...errors() },
    }),
    async (c) => c.json(await read(c.var.workspaceId), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/settings/allowed-origins",
      operationId: "setAllowedOrigins",
      tags,
      security: bearerSecurity,
      summary:
        "Replace the allowed origins: the connect API answers CORS and the OAuth callback reports only to them (and to this server's own origin)",
      request: jsonBody(AllowedOriginsUpdateSchema),
      responses: { 200: json(AllowedOriginsSchema, "Allowed origins"), ...errors() },
    }),
    async (c) => {
      const origins = [...new Set(c.req.valid("json").allowed_origins)];
      await ctx.db
        .updateTable("workspaces")
        .set({ allowed_origins: toJson(origins) })
        .where("id", "=", c.var.workspaceId)
        .execute();
      originPolicy(ctx).invalidate();
      c.var.log.info({ allowed_origins: origins }, "allowed origins changed");
      return c.json(await read(c.var.workspaceId), 200);
    },
  );

  return app;
}
