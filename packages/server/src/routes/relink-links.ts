import { createRoute, z } from "@hono/zod-openapi";
import {
  EMBEDDED_LINK_LIFETIME,
  idSchema,
  type LinkType,
  MAGIC_LINK_LIFETIME,
  MAX_LINK_LIFETIME,
  pageSchema,
  type RelinkLink,
  RelinkLinkCreatedSchema,
  RelinkLinkCreateSchema,
  RelinkLinkListQuerySchema,
  RelinkLinkSchema,
} from "@relink/sdk/contract";
import type { Selectable } from "kysely";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import type { RelinkLinkTable } from "../db/schema.ts";
import { findIntegration } from "../domain/integrations.ts";
import { findScopeConfig } from "../domain/scope-configs.ts";
import { parseDuration } from "../duration.ts";
import { signFlowToken } from "../flow-tokens/sign.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";
import { newId } from "../ids.ts";

const tags = ["Relink links"];
const IdParam = z.object({ id: idSchema("int") });
const LinkParams = z.object({ id: idSchema("int"), link_id: idSchema("lnk") });

const DEFAULT_LIFETIME: Record<LinkType, number> = {
  EMBEDDED: EMBEDDED_LINK_LIFETIME,
  MAGIC_LINK: MAGIC_LINK_LIFETIME,
};

/** Longest lifetime of each link type: an `EMBEDDED` token is for a page open now, so at most 1 hour. */
const MAX_LIFETIME: Record<LinkType, number> = {
  EMBEDDED: EMBEDDED_LINK_LIFETIME,
  MAGIC_LINK: MAX_LINK_LIFETIME,
};

const lifetimeRefused = (message: string) =>
  new ApiError(400, "INVALID_REQUEST", `Invalid request: body.expires_in: ${message}`, {
    issues: [{ path: "body.expires_in", code: "too_big", message }],
  });

function lifetimeSeconds(linkType: LinkType, expiresIn: number | string | undefined): number {
  if (expiresIn === undefined) return DEFAULT_LIFETIME[linkType];
  const seconds =
    typeof expiresIn === "number" ? expiresIn : Math.floor((parseDuration(expiresIn) ?? 0) / 1000);
  if (seconds < 60 || seconds > MAX_LINK_LIFETIME)
    throw lifetimeRefused("must be from 60 seconds to 30 days");
  if (seconds > MAX_LIFETIME[linkType]) {
    throw lifetimeRefused(
      "EMBEDDED links live at most 1 hour (3600 seconds); use a MAGIC_LINK for a link that must last longer",
    );
  }
  return seconds;
}

function toRelinkLink(row: Selectable<RelinkLinkTable>, now: string): RelinkLink {
  return {
    id: row.id,
    integration_id: row.integration_id ?? "",
    link_type: row.link_type as LinkType,
    scope_config_id: row.scope_config_id,
    language: row.language as RelinkLink["language"],
    status: row.completed_at
      ? "COMPLETED"
      : row.revoked_at
        ? "REVOKED"
        : row.superseded_at
          ? "SUPERSEDED"
          : row.expires_at <= now
            ? "EXPIRED"
            : "OUTSTANDING",
    created_at: row.created_at,
    expires_at: row.expires_at,
    completed_at: row.completed_at,
    exited_at: row.exited_at,
    revoked_at: row.revoked_at,
    superseded_at: row.superseded_at ?? null,
    handoff_requested_by: row.handoff_requested_by ?? null,
  };
}

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
      const workspaceId = c.var.workspaceId;
      const body = c.req.valid("json");
      const integration = await findIntegration(ctx.db, workspaceId, c.req.valid("param").id);
      if (!integration) throw notFound("Integration");
      if (body.scope_config_id !== undefined) {
        const scope = await findScopeConfig(ctx.db, workspaceId, body.scope_config_id);
        if (!scope) throw notFound("Scope config");
        if (scope.category !== integration.category) {
          throw new ApiError(
            422,
            "SCOPE_CONFIG_INVALID",
            `Scope config ${scope.id} is for ${scope.category}, not ${integration.category}.`,
          );
        }
      }
      const linkType = body.link_type ?? "EMBEDDED";
      const signed = await signFlowToken(ctx, {
        workspaceId,
        claims: {
          flow: "relink",
          sub: integration.id,
          scope_config_id: body.scope_config_id,
          locale: body.language,
        },
        lifetime: lifetimeSeconds(linkType, body.expires_in),
      });
      const now = ctx.clock.now();
      const id = newId("lnk", now.getTime());
      const expiresAt = iso(signed.expiresAt);
      await ctx.db
        .insertInto("relink_links")
        .values({
          id,
          workspace_id: workspaceId,
          integration_id: integration.id,
          jti: signed.jti,
          flow: "relink",
          link_type: linkType,
          scope_config_id: body.scope_config_id ?? null,
          language: body.language ?? null,
          expires_at: expiresAt,
          created_at: iso(now),
          completed_at: null,
          exited_at: null,
          revoked_at: null,
          superseded_at: null,
        })
        .execute();
      c.var.log.info(
        { integration_id: integration.id, link_id: id, link_type: linkType },
        "relink link made",
      );
      return c.json(
        {
          id,
          link: `${ctx.config.publicUrl}/link#token=${signed.token}`,
          token: signed.token,
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
      const workspaceId = c.var.workspaceId;
      const q = c.req.valid("query");
      const integration = await findIntegration(ctx.db, workspaceId, c.req.valid("param").id);
      if (!integration) throw notFound("Integration");
      const now = iso(ctx.clock.now());
      const after = decodeCursor(q.cursor, "lnk");
      let query = ctx.db
        .selectFrom("relink_links")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("integration_id", "=", integration.id)
        .orderBy("id", "desc")
        .limit(q.limit + 1);
      if (after) query = query.where("id", "<", after);
      if (q.status === "COMPLETED") query = query.where("completed_at", "is not", null);
      if (q.status === "REVOKED")
        query = query.where("completed_at", "is", null).where("revoked_at", "is not", null);
      if (q.status === "SUPERSEDED")
        query = query
          .where("completed_at", "is", null)
          .where("revoked_at", "is", null)
          .where("superseded_at", "is not", null);
      if (q.status === "EXPIRED")
        query = query
          .where("completed_at", "is", null)
          .where("revoked_at", "is", null)
          .where("superseded_at", "is", null)
          .where("expires_at", "<=", now);
      if (q.status === "OUTSTANDING")
        query = query
          .where("completed_at", "is", null)
          .where("revoked_at", "is", null)
          .where("superseded_at", "is", null)
          .where("expires_at", ">", now);
      const { rows, next_cursor } = page(await query.execute(), q.limit);
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
      const workspaceId = c.var.workspaceId;
      const { id, link_id: linkId } = c.req.valid("param");
      const at = iso(ctx.clock.now());
      // Only a link not completed: the completion does the opposite check in its transaction,
      // so of a revocation and a completion racing, exactly one wins.
      const revoked = await ctx.db
        .updateTable("relink_links")
        .set({ revoked_at: at })
        .where("id", "=", linkId)
        .where("workspace_id", "=", workspaceId)
        .where("integration_id", "=", id)
        .where("completed_at", "is", null)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      const row = await ctx.db
        .selectFrom("relink_links")
        .selectAll()
        .where("id", "=", linkId)
        .where("workspace_id", "=", workspaceId)
        .where("integration_id", "=", id)
        .executeTakeFirst();
      if (!row) throw notFound("Relink link");
      if (row.completed_at !== null) {
        throw new ApiError(
          409,
          "CONFLICT",
          `Relink link ${row.id} already completed a relink at ${row.completed_at}: there is nothing left to revoke.`,
        );
      }
      if (Number(revoked.numUpdatedRows) > 0) {
        c.var.log.info({ integration_id: id, link_id: linkId }, "relink link revoked");
      }
      return c.json(toRelinkLink(row, at), 200);
    },
  );

  return app;
}
