import { createRoute, z } from "@hono/zod-openapi";
import {
  idSchema,
  pageSchema,
  RelinkCampaignCreateSchema,
  RelinkCampaignMemberQuerySchema,
  RelinkCampaignMemberSchema,
  RelinkCampaignPreviewSchema,
  RelinkCampaignSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import {
  createCampaign,
  findCampaign,
  listCampaigns,
  listMembers,
  previewCampaign,
} from "../domain/campaigns.ts";
import { findScopeConfig } from "../domain/scope-configs.ts";
import { notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, encodeCursor } from "../http/pagination.ts";

const tags = ["Relink campaigns"];
const IdParam = z.object({ id: idSchema("sc") });
const CampaignParams = z.object({ id: idSchema("sc"), campaign_id: idSchema("rc") });

/** Relink campaigns of a scope config: preview, create, progress, members. */
export function campaignRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/scope-configs/{id}/relink-campaigns/preview",
      operationId: "previewRelinkCampaign",
      tags,
      security: bearerSecurity,
      summary:
        "Before saving a scope-config edit (`models`) or asking every integration of a `tool` to relink onto this scope config: how many integrations' granted permissions lack what the target requires (exact; nothing is written)",
      request: { params: IdParam, ...jsonBody(RelinkCampaignCreateSchema) },
      responses: { 200: json(RelinkCampaignPreviewSchema, "The count"), ...errors(404, 422) },
    }),
    async (c) => {
      const preview = await previewCampaign(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      return c.json(preview, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/scope-configs/{id}/relink-campaigns",
      operationId: "createRelinkCampaign",
      tags,
      security: bearerSecurity,
      summary:
        "Start a relink campaign: the integrations whose credentials lack the target's permissions become its members (each then relinks with a token or link naming the campaign's `scope_config_id`; until then it keeps syncing on its old scope config); those already granting it are moved onto the target. With `models`, the edit is saved as a new scope config, the target",
      request: { params: IdParam, ...jsonBody(RelinkCampaignCreateSchema) },
      responses: { 201: json(RelinkCampaignSchema, "The campaign"), ...errors(404, 422) },
    }),
    async (c) => {
      const campaign = await createCampaign(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        c.req.valid("json"),
      );
      c.var.log.info(
        {
          campaign_id: campaign.id,
          scope_config_id: campaign.scope_config_id,
          total: campaign.progress.total,
        },
        "relink campaign started",
      );
      return c.json(campaign, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scope-configs/{id}/relink-campaigns",
      operationId: "listRelinkCampaigns",
      tags,
      security: bearerSecurity,
      summary: "The campaigns started from or targeting this scope config, newest first, with their progress",
      request: { params: IdParam },
      responses: {
        200: json(z.object({ data: z.array(RelinkCampaignSchema) }), "Campaigns"),
        ...errors(404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await findScopeConfig(ctx.db, c.var.workspaceId, id))) throw notFound("Scope config");
      return c.json({ data: await listCampaigns(ctx, c.var.workspaceId, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scope-configs/{id}/relink-campaigns/{campaign_id}",
      operationId: "getRelinkCampaign",
      tags,
      security: bearerSecurity,
      summary: "A campaign's progress: how many relinked, pending, paused",
      request: { params: CampaignParams },
      responses: { 200: json(RelinkCampaignSchema, "The campaign"), ...errors(404) },
    }),
    async (c) => {
      const { id, campaign_id } = c.req.valid("param");
      const campaign = await findCampaign(ctx, c.var.workspaceId, id, campaign_id);
      if (!campaign) throw notFound("Relink campaign");
      return c.json(campaign, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/scope-configs/{id}/relink-campaigns/{campaign_id}/members",
      operationId: "listRelinkCampaignMembers",
      tags,
      security: bearerSecurity,
      summary:
        "A campaign's integrations and where each stands (`PENDING`, `PAUSED`, `RELINKED`), by integration id",
      request: { params: CampaignParams, query: RelinkCampaignMemberQuerySchema },
      responses: { 200: json(pageSchema(RelinkCampaignMemberSchema), "Members"), ...errors(404) },
    }),
    async (c) => {
      const { id, campaign_id } = c.req.valid("param");
      const q = c.req.valid("query");
      const campaign = await findCampaign(ctx, c.var.workspaceId, id, campaign_id);
      if (!campaign) throw notFound("Relink campaign");
      const rows = await listMembers(ctx, campaign_id, {
        limit: q.limit,
        after: decodeCursor(q.cursor, "int"),
        status: q.status,
      });
      const more = rows.length > q.limit;
      const data = more ? rows.slice(0, q.limit) : rows;
      const last = data.at(-1);
      return c.json({ data, next_cursor: more && last ? encodeCursor(last.integration_id) : null }, 200);
    },
  );

  return app;
}
