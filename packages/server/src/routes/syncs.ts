import { createRoute, z } from "@hono/zod-openapi";
import {
  AuthCheckListQuerySchema,
  AuthCheckSchema,
  CheckAuthResultSchema,
  GrantRevocationListQuerySchema,
  GrantRevocationSchema,
  ID_PREFIXES,
  idSchema,
  ManualSyncResultSchema,
  pageSchema,
  SyncRunListQuerySchema,
  SyncRunSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { integrationHistory, toGrantRevocation } from "../domain/history.ts";
import { loadIntegrationView, toSyncRun } from "../domain/integrations.ts";
import { checkAuthNow, requestManualSync, toAuthCheck } from "../domain/sync-runs.ts";
import { ApiError, notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Syncs and auth checks"];

/** The id prefix of each history table's rows (its cursors are ids of its own). */
const HISTORY_PREFIX = {
  sync_runs: ID_PREFIXES.syncRun,
  auth_checks: ID_PREFIXES.authCheck,
  grant_revocations: ID_PREFIXES.grantRevocation,
} as const;

/** A page of an integration's history, newest first; 404 for another workspace's id. */
async function historyPage<T extends keyof typeof HISTORY_PREFIX>(
  ctx: RelinkContext,
  workspaceId: string,
  integrationId: string,
  table: T,
  q: { limit: number; cursor?: string | undefined },
) {
  const after = decodeCursor(q.cursor, HISTORY_PREFIX[table]);
  return page(
    await integrationHistory(ctx.db, workspaceId, integrationId, table, { limit: q.limit, after }),
    q.limit,
  );
}
const IdParam = z.object({ id: idSchema("int") });

const invalid = () =>
  new ApiError(
    409,
    "INTEGRATION_INVALID",
    "The integration is paused (INVALID) after failing authentication: relink it, or run POST /v1/integrations/{id}/check-auth once the credentials work again.",
  );
const inactive = () =>
  new ApiError(
    409,
    "INTEGRATION_INACTIVE",
    "The integration is disabled (INACTIVE): enable it first with PUT /v1/integrations/{id}/enabled.",
  );

/** Manual syncs and auth checks, and the history of both. */
export function syncRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/sync",
      operationId: "syncIntegration",
      tags,
      security: bearerSecurity,
      summary: "Queue a manual sync (auth check first); at most one queued or running per integration",
      request: { params: IdParam },
      responses: {
        202: json(ManualSyncResultSchema, "Queued, or already queued or running"),
        ...errors(404, 409),
      },
    }),
    async (c) => {
      const answer = await requestManualSync(ctx, c.var.workspaceId, c.req.valid("param").id);
      if (answer.kind === "not-found") throw notFound("Integration");
      if (answer.kind === "refused") throw answer.state === "INVALID" ? invalid() : inactive();
      return c.json({ sync_id: answer.syncId, already_queued: answer.alreadyQueued }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/check-auth",
      operationId: "checkIntegrationAuth",
      tags,
      security: bearerSecurity,
      summary:
        "Check the credentials with the tool now; from INVALID, an OK resumes scheduling. Refused while INACTIVE",
      request: { params: IdParam },
      responses: {
        200: json(CheckAuthResultSchema, "The check and the integration after it"),
        ...errors(404, 409, 503),
      },
    }),
    async (c) => {
      const answer = await checkAuthNow(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(30_000)]),
      );
      switch (answer.kind) {
        case "not-found":
          throw notFound("Integration");
        case "refused":
          throw inactive();
        case "no-connector":
          throw new ApiError(
            503,
            "SERVICE_UNAVAILABLE",
            "This server cannot check the integration's credentials: its tool's connector is not installed, or the credentials cannot be decrypted.",
          );
        case "changed":
          throw new ApiError(
            409,
            "CONFLICT",
            "The integration's credentials changed while they were being checked; check again.",
          );
      }
      c.var.log.info(
        { integration_id: answer.row.id, outcome: answer.outcome, state: answer.row.state },
        "manual auth check",
      );
      return c.json(
        {
          outcome: answer.outcome,
          auth_check: toAuthCheck(answer.check),
          integration: await loadIntegrationView(ctx, answer.row),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/syncs",
      operationId: "listIntegrationSyncs",
      tags,
      security: bearerSecurity,
      summary: "The integration's sync runs, newest first",
      request: { params: IdParam, query: SyncRunListQuerySchema },
      responses: { 200: json(pageSchema(SyncRunSchema), "Sync runs"), ...errors(404) },
    }),
    async (c) => {
      const { rows, next_cursor } = await historyPage(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        "sync_runs",
        c.req.valid("query"),
      );
      return c.json({ data: rows.map(toSyncRun), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/auth-checks",
      operationId: "listIntegrationAuthChecks",
      tags,
      security: bearerSecurity,
      summary: "The integration's auth checks, newest first (the last 500 are kept)",
      request: { params: IdParam, query: AuthCheckListQuerySchema },
      responses: { 200: json(pageSchema(AuthCheckSchema), "Auth checks"), ...errors(404) },
    }),
    async (c) => {
      const { rows, next_cursor } = await historyPage(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        "auth_checks",
        c.req.valid("query"),
      );
      return c.json({ data: rows.map(toAuthCheck), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/grant-revocations",
      operationId: "listIntegrationGrantRevocations",
      tags,
      security: bearerSecurity,
      summary:
        "What became of the OAuth grants the integration's relinks replaced, newest first: revoked at the tool, or FAILED (still valid there until revoked)",
      request: { params: IdParam, query: GrantRevocationListQuerySchema },
      responses: { 200: json(pageSchema(GrantRevocationSchema), "Grant revocations"), ...errors(404) },
    }),
    async (c) => {
      const { rows, next_cursor } = await historyPage(
        ctx,
        c.var.workspaceId,
        c.req.valid("param").id,
        "grant_revocations",
        c.req.valid("query"),
      );
      return c.json({ data: rows.map(toGrantRevocation), next_cursor }, 200);
    },
  );

  return app;
}
