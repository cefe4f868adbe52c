import { createRoute, z } from "@hono/zod-openapi";
import {
  idSchema,
  PageQuerySchema,
  pageSchema,
  SigningKeyCreatedSchema,
  SigningKeyCreateSchema,
  SigningKeySchema,
} from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { listSigningKeys } from "../domain/signing-keys-store.ts";
import { createSigningKey, revokeSigningKey, toSigningKey } from "../flow-tokens/keys.ts";
import { notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";
import { decodeCursor, page } from "../http/pagination.ts";

const tags = ["Signing keys"];
const IdParam = z.object({ id: idSchema("sk") });

export function signingKeyRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/signing-keys",
      operationId: "listSigningKeys",
      tags,
      security: bearerSecurity,
      summary: "List the workspace's flow-token signing keys (never their secrets)",
      request: { query: PageQuerySchema },
      responses: { 200: json(pageSchema(SigningKeySchema), "Signing keys"), ...errors() },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const after = decodeCursor(cursor, "sk");
      const { rows, next_cursor } = page(
        await listSigningKeys(ctx.db, c.var.workspaceId, { limit, after }),
        limit,
      );
      return c.json({ data: rows.map(toSigningKey), next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/signing-keys",
      operationId: "createSigningKey",
      tags,
      security: bearerSecurity,
      summary:
        "Create a signing key: an HS256 secret (shown in this answer only) or a public Ed25519/P-256 JWK",
      request: jsonBody(SigningKeyCreateSchema),
      responses: { 201: json(SigningKeyCreatedSchema, "The new key"), ...errors() },
    }),
    async (c) => {
      const created = await createSigningKey(ctx, c.var.workspaceId, c.req.valid("json"));
      c.var.log.info({ signing_key_id: created.id, algorithm: created.algorithm }, "signing key created");
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/signing-keys/{id}",
      operationId: "revokeSigningKey",
      tags,
      security: bearerSecurity,
      summary: "Revoke a signing key; tokens it signed are refused at once",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errors(404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await revokeSigningKey(ctx, c.var.workspaceId, id))) throw notFound("Signing key");
      c.var.log.info({ signing_key_id: id }, "signing key revoked");
      return c.body(null, 204);
    },
  );

  return app;
}
