import { createRoute, z } from "@hono/zod-openapi";
import {
  idSchema,
  pageSchema,
  RelinkLinkCreatedSchema,
  RelinkLinkCreateSchema,
  RelinkLinkListQuerySchema,
  RelinkLinkSchema,
} from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { listRelinkLinks, makeRelinkLink, revokeRelinkLink, toRelinkLink } from "../domain/relink-links.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Relink links"];
const IdParam = z.object({ id: idSchema("int") });
const LinkParams = z.object({ id: idSchema("int"), link_id: idSchema("lnk") });

/** Relink links: a flow token made by the server, for the widget or the hosted page `/link`. */
export function relinkLinkRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/relink",
      operationId: "createRelinkLink",
      tags,
      security: bearerSecurity,
      summary:
        "Make a relink link: a flow token (EMBEDDED: 1 hour, at most 1 hour; MAGIC_LINK: 7 days, at most 30 days) and the hosted page's URL",
      request: { params: IdParam, ...jsonBody(RelinkLinkCreateSchema) },
      responses: {
        201: json(RelinkLinkCreatedSchema, "The link (its token is shown here only)"),
        ...errors(404, 422),
      },
    }),
    async (c) => {
      const made = await makeRelinkLink(ctx, c.var.workspaceId, c.req.valid("param").id, c.req.valid("json"));
      const { id, token, linkType, expiresAt } = made;
      c.var.log.info(
        { integration_id: made.integrationId, link_id: id, link_type: linkType },
        "relink link made",
      );
      return c.json(
        {
          id,
          link: `${ctx.config.publicUrl}/link#token=${token}`,
          token,
          link_type: linkType,
          expires_at: expiresAt,
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/relink-links",
      operationId: "listRelinkLinks",
      tags,
      security: bearerSecurity,
      summary: "The integration's relink links, newest first (never their tokens); filter by status",
      request: { params: IdParam, query: RelinkLinkListQuerySchema },
      responses: { 200: json(pageSchema(RelinkLinkSchema), "Links"), ...errors(404) },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const now = iso(ctx.clock.now());
      const after = decodeCursor(q.cursor, "lnk");
      const links = await listRelinkLinks(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        { limit: q.limit, after, status: q.status },
        now,
      );
      const { rows, next_cursor } = page(links, q.limit);
      return c.json({ data: rows.map((row) => toRelinkLink(row, now)), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/integrations/{id}/relink-links/{link_id}",
      operationId: "revokeRelinkLink",
      tags,
      security: bearerSecurity,
      summary:
        "Revoke a relink link: its token then answers `410 LINK_REVOKED` on the connect API, and the hosted page says so. Idempotent: revoking a revoked link answers it unchanged; a completed link cannot be revoked (`409 CONFLICT`)",
      request: { params: LinkParams },
      responses: { 200: json(RelinkLinkSchema, "The revoked link"), ...errors(404, 409) },
    }),
    async (c) => {
      const { id, link_id: linkId } = c.req.valid("param");
      const { link, revokedNow } = await revokeRelinkLink(ctx, c.var.workspaceId, id, linkId);
      if (revokedNow) c.var.log.info({ integration_id: id, link_id: linkId }, "relink link revoked");
      return c.json(link, 200);
    },
  );

  return app;
}
