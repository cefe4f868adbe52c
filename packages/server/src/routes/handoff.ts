import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { HandoffCreatedSchema, HandoffRequestSchema } from "@relink/sdk/contract";
import type { Context } from "hono";
import { RateLimiter } from "../connect/rate-limit.ts";
import type { RelinkContext } from "../context.ts";
import { createHandoff, HANDOFF_LIMITS } from "../domain/handoff.ts";
import { resolveFlow } from "../domain/relink.ts";
import type { VerifiedFlowToken } from "../flow-tokens/verify.ts";
import type { AppEnv } from "../http/env.ts";
import { errors, flowTokenSecurity, json, jsonBody } from "../http/openapi.ts";

/**
 * `POST /connect/v1/flow/handoff`, on the connect API's app (its CORS, body limit and the flow
 * token's authorisation): a link for the tool's admin to finish this flow.
 */
export function handoffRoute(
  app: OpenAPIHono<AppEnv>,
  ctx: RelinkContext,
  deps: {
    authorize: (c: Context<AppEnv>) => Promise<VerifiedFlowToken>;
    clientIp: (c: Context<AppEnv>) => string;
  },
): void {
  const perToken = new RateLimiter(
    "for this flow",
    HANDOFF_LIMITS.perToken.limit,
    HANDOFF_LIMITS.perToken.windowMs,
    ctx.clock,
  );
  const perIp = new RateLimiter(
    "from this address",
    HANDOFF_LIMITS.perIp.limit,
    HANDOFF_LIMITS.perIp.windowMs,
    ctx.clock,
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/connect/v1/flow/handoff",
      operationId: "handOffConnectFlow",
      tags: ["Connect API"],
      security: flowTokenSecurity,
      summary:
        "Hand the flow to someone else (the tool's admin): a magic link (3 days) for the same flow and target scope, to copy and forward; the flow read through it says who asked (`handoff`). Announced as `relink-link-handed-off`; at most 5 per flow token and 30 per address an hour",
      request: jsonBody(HandoffRequestSchema),
      responses: {
        201: json(HandoffCreatedSchema, "The link to forward"),
        ...errors(403, 409, 410, 429),
      },
    }),
    async (c) => {
      perIp.hit(deps.clientIp(c));
      const token = await deps.authorize(c);
      perToken.hit(`${token.workspaceId}:${token.claims.jti}`);
      const body = c.req.valid("json");
      const subject = await resolveFlow(ctx, token);
      const created = await createHandoff(ctx, subject, body.requested_by ?? null);
      c.var.log.info(
        { flow: subject.flow, integration_id: subject.integration?.id ?? null, link_id: created.linkId },
        "flow handed off",
      );
      return c.json({ url: created.url, expires_at: created.expires_at }, 201);
    },
  );
}
