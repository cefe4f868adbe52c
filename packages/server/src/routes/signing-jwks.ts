import { createRoute } from "@hono/zod-openapi";
import { SigningJwksSchema, SigningJwksSetSchema } from "@relink/sdk/contract";
import type { RelinkContext } from "../context.ts";
import { deleteSigningJwks, getSigningJwks, setSigningJwks } from "../flow-tokens/jwks.ts";
import { notFound } from "../http/errors.ts";
import { bearerSecurity, errors, json, jsonBody, router } from "../http/openapi.ts";

const tags = ["Signing keys"];

/** The workspace's JWKS URL: its backend's public keys, fetched by relink (flow-tokens/jwks.ts). */
export function signingJwksRoutes(ctx: RelinkContext) {
  const app = router();

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/signing-keys/jwks",
      operationId: "setSigningJwks",
      tags,
      security: bearerSecurity,
      summary:
        "Register (or replace) the URL of your backend's JWKS: flow tokens signed by its Ed25519/P-256 keys are accepted, and rotation needs no API call",
      request: jsonBody(SigningJwksSetSchema),
      responses: { 200: json(SigningJwksSchema, "The JWKS URL and the keys read from it"), ...errors() },
    }),
    async (c) => {
      const set = await setSigningJwks(ctx, c.var.workspaceId, c.req.valid("json").url);
      c.var.log.info({ keys: set.keys.length }, "signing JWKS URL set");
      return c.json(set, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/signing-keys/jwks",
      operationId: "getSigningJwks",
      tags,
      security: bearerSecurity,
      summary: "The workspace's JWKS URL and the keys relink read from it",
      responses: { 200: json(SigningJwksSchema, "The JWKS URL"), ...errors(404) },
    }),
    async (c) => {
      const set = await getSigningJwks(ctx, c.var.workspaceId);
      if (!set) throw notFound("JWKS URL");
      return c.json(set, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/signing-keys/jwks",
      operationId: "deleteSigningJwks",
      tags,
      security: bearerSecurity,
      summary: "Forget the JWKS URL: tokens signed by its keys are refused at once",
      responses: { 204: { description: "Forgotten" }, ...errors(404) },
    }),
    async (c) => {
      if (!(await deleteSigningJwks(ctx, c.var.workspaceId))) throw notFound("JWKS URL");
      return c.body(null, 204);
    },
  );

  return app;
}
