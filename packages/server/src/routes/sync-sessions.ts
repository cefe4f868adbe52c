import { createRoute, z } from "@hono/zod-openapi";
import {
  idSchema,
  PageQuerySchema,
  pageSchema,
  SyncSessionCreateSchema,
  SyncSessionFinishedSchema,
  SyncSessionFinishSchema,
  SyncSessionOpenedSchema,
  SyncSessionSchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { findIntegration } from "../domain/integrations.ts";
import { finishSyncSession, listSyncSessions } from "../domain/sync-session-finish.ts";
import { openSyncSession, parseMaxCheckAge, toSyncSession } from "../domain/sync-sessions.ts";
import { notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Sync sessions"];
const IdParam = z.object({ id: idSchema("int") });
const SessionParam = z.object({ id: idSchema("int"), session_id: idSchema("ss") });

/** Sync sessions: the gate in front of a sync the product runs itself (`domain/sync-sessions.ts`). */
export function syncSessionRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/sync-sessions",
      operationId: "openSyncSession",
      tags,
      security: bearerSecurity,
      summary: "Open a sync session: check the credentials now and hand them to the product's own sync",
      description:
        "Needs the `credentials:read` scope. Runs an auth check (or reuses an `OK` one no older than `max_check_age`) through the pause engine: an `AUTH_FAILED` counts towards the streak and may pause, an `INCONCLUSIVE` never does. Only an `OK` check opens a session; it expires after at most 15 minutes. Refusals: `409 INTEGRATION_PAUSED`, `409 INTEGRATION_INACTIVE`, `409 AUTHENTICATION_FAILED` (details carry `auth` with `failing_since` and `pauses_at`), `503 TOOL_UNREACHABLE` with `Retry-After`.",
      request: { params: IdParam, body: { ...jsonBody(SyncSessionCreateSchema).body, required: false } },
      responses: {
        201: json(SyncSessionOpenedSchema, "The session, with the credentials to sync with"),
        ...errors(403, 404, 409, 503),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") ?? {};
      const request = c.req.raw;
      // `c.get`, not `c.var` (which copies every variable into a new object at each read); the
      // signal only when a check needs it (on the Node server, reading it makes an AbortController).
      const opened = await openSyncSession(ctx, {
        workspaceId: c.get("workspaceId"),
        integrationId: id,
        apiKeyId: c.get("apiKeyId"),
        maxCheckAgeMs: parseMaxCheckAge(body.max_check_age),
        get signal() {
          return request.signal;
        },
      });
      return c.json(opened, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/integrations/{id}/sync-sessions/{session_id}/finish",
      operationId: "finishSyncSession",
      tags,
      security: bearerSecurity,
      summary: "Finish a sync session: record the product's sync as a run (trigger EXTERNAL)",
      description:
        "Needs the `credentials:read` scope. Records a sync run with trigger `EXTERNAL` and announces `sync-finished`. A reported `AUTHENTICATION_FAILED` makes relink check the credentials at once; only that check's outcome counts. `409 SESSION_EXPIRED` after `expires_at`, `409 SESSION_FINISHED` when already finished.",
      request: { params: SessionParam, ...jsonBody(SyncSessionFinishSchema) },
      responses: {
        200: json(SyncSessionFinishedSchema, "The closed session and its sync run"),
        ...errors(403, 404, 409),
      },
    }),
    async (c) => {
      const { id, session_id } = c.req.valid("param");
      const finished = await finishSyncSession(ctx, {
        workspaceId: c.var.workspaceId,
        integrationId: id,
        sessionId: session_id,
        report: c.req.valid("json"),
        signal: c.req.raw.signal,
      });
      return c.json(finished, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/sync-sessions",
      operationId: "listSyncSessions",
      tags,
      security: bearerSecurity,
      summary: "List an integration's sync sessions (who took its credentials, and when), newest first",
      request: { params: IdParam, query: PageQuerySchema },
      responses: { 200: json(pageSchema(SyncSessionSchema), "Sync sessions"), ...errors(404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor } = c.req.valid("query");
      if (!(await findIntegration(ctx.db, c.var.workspaceId, id))) throw notFound("Integration");
      const rows = await listSyncSessions(
        ctx,
        c.var.workspaceId,
        id,
        limit + 1,
        decodeCursor(cursor, "ss") ?? null,
      );
      const { rows: kept, next_cursor } = page(rows, limit);
      return c.json({ data: kept.map(toSyncSession), next_cursor }, 200);
    },
  );

  return app;
}
