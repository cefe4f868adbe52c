import { createRoute, z } from "@hono/zod-openapi";
import { idSchema, pageSchema, RecordListQuerySchema, SyncedRecordSchema } from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { decodeRecordCursor, listRecordsJson } from "../domain/record-pages.ts";
import { jsonText } from "../http/json-text.ts";
import { bearerSecurity, errors, json, router } from "../http/openapi.ts";

const tags = ["Records"];
const Params = z.object({ id: idSchema("int"), model: z.string().min(1).max(100) });

/** Synced records, for the product (`records:read`). */
export function recordRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/integrations/{id}/records/{model}",
      operationId: "listRecords",
      tags,
      security: bearerSecurity,
      summary: "Read an integration's synced records of one model, a page at a time",
      description:
        "Needs the `records:read` scope. Records in remote-id order, each with only the fields the integration's current scope config enables. `404 MODEL_NOT_IN_SCOPE` for a model outside it. `updated_after` keeps the records stored after that time.",
      request: { params: Params, query: RecordListQuerySchema },
      responses: { 200: json(pageSchema(SyncedRecordSchema), "Records"), ...errors(403, 404) },
    }),
    async (c) => {
      const { id, model } = c.req.valid("param");
      const { limit, cursor, updated_after } = c.req.valid("query");
      // The page as JSON text (what `c.json` of the page would send, built without the objects).
      const page = await listRecordsJson(ctx, c.var.workspaceId, id, model, {
        limit,
        after: decodeRecordCursor(cursor),
        updatedAfter: updated_after ?? null,
      });
      return jsonText(c, page, 200);
    },
  );

  return app;
}
