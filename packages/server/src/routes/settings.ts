import { createRoute } from "@hono/zod-openapi";
import {
  AllowedOriginsSchema,
  AllowedOriginsUpdateSchema,
  BrandingSchema,
  BrandingUpdateSchema,
} from "@relink/sdk/contract";
import { originPolicy } from "../connect/origins.ts";
import type { RelinkContext } from "../context.ts";
import { readBranding, writeBranding } from "../domain/branding.ts";
import { readAllowedOrigins, writeAllowedOrigins } from "../domain/workspaces.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";

const tags = ["Settings"];

/** Workspace settings: the origins allowed to run the connect flow, and the brand end users see. */
export function settingsRoutes(ctx: RelinkContext) {
  const app = router();

  const read = async (workspaceId: string) => {
    return { allowed_origins: await readAllowedOrigins(ctx.db, workspaceId) };
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
      const origins = await writeAllowedOrigins(
        ctx.db,
        c.var.workspaceId,
        c.req.valid("json").allowed_origins,
      );
      originPolicy(ctx).invalidate();
      c.var.log.info({ allowed_origins: origins }, "allowed origins changed");
      return c.json(await read(c.var.workspaceId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/settings/branding",
      operationId: "getBranding",
      tags,
      security: bearerSecurity,
      summary: "The brand end users see on the hosted page: product name, logo URL, accent colour",
      responses: { 200: json(BrandingSchema, "Branding"), ...errors() },
    }),
    async (c) => c.json(await readBranding(ctx.db, c.var.workspaceId), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/settings/branding",
      operationId: "setBranding",
      tags,
      security: bearerSecurity,
      summary:
        "Replace the brand: the hosted page (`/link`) then says who asks the end user to reconnect, and the connect API's flow carries it for the widget. A field left out or null is unset; the logo must be an https URL, the colour a hex colour",
      request: jsonBody(BrandingUpdateSchema),
      responses: { 200: json(BrandingSchema, "Branding"), ...errors() },
    }),
    async (c) => {
      const branding = await writeBranding(ctx.db, c.var.workspaceId, c.req.valid("json"));
      c.var.log.info({ branding }, "branding changed");
      return c.json(branding, 200);
    },
  );

  return app;
}
