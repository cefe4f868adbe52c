import { randomBytes } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createRoute, z } from "@hono/zod-openapi";
import {
  ConnectFlowSchema,
  ConnectToolListSchema,
  ConnectToolQuerySchema,
  CredentialsSubmissionSchema,
  FlowCompletedSchema,
  FlowExitSchema,
  LOCALES,
  type Locale,
  OAuthStartedSchema,
  OAuthStartSchema,
  type Tool,
} from "@relink/sdk/contract";
import type { Context } from "hono";
import { connectCors, isOwnOrigin, markOrigin, originPolicy } from "../connect/origins.ts";
import { callbackCsp, oauthCallbackPage } from "../connect/pages.ts";
import { RateLimiter, SUBMISSION_LIMITS } from "../connect/rate-limit.ts";
import type { RelinkContext } from "../context.ts";
import { DomainError, refusalOf } from "../domain/errors.ts";
import { failureOf, recordFlowFailure, recordRefusedToken } from "../domain/flow-failures.ts";
import { handoffOf } from "../domain/handoff.ts";
import { completeOAuthSignIn, OAUTH_CALLBACK_PATH, startOAuthSignIn } from "../domain/oauth-callback.ts";
import {
  checkedOptOuts,
  flowJson,
  permissionsToRequest,
  resolveFlow,
  submitCredentials,
  toConnectTool,
} from "../domain/relink.ts";
import { assertCredentialFields } from "../domain/tool-checks.ts";
import { type VerifiedFlowToken, verifyFlowToken } from "../flow-tokens/verify.ts";
import type { AppEnv } from "../http/env.ts";
import { ApiError } from "../http/errors.ts";
import { jsonText } from "../http/json-text.ts";
import { errorResponse, requestBodyLimit } from "../http/middleware.ts";
import { errors, flowTokenSecurity, json, jsonBody, publicSecurity, router } from "../http/openapi.ts";
import { handoffRoute } from "./handoff.ts";

const tags = ["Connect API"];

/** Largest body the connect API accepts. */
export const CONNECT_BODY_LIMIT = 64 * 1024;

/**
 * The connect API (`/connect/v1/*`), called by `<relink-connect>` with a flow token: what the flow
 * needs, the credential submission that completes it, OAuth sign-in, and leaving the flow.
 */
export function connectRoutes(ctx: RelinkContext) {
  const app = router();
  const origins = originPolicy(ctx);
  const perToken = new RateLimiter(
    "with this link",
    SUBMISSION_LIMITS.perToken.limit,
    SUBMISSION_LIMITS.perToken.windowMs,
    ctx.clock,
  );
  const perIp = new RateLimiter(
    "from this address",
    SUBMISSION_LIMITS.perIp.limit,
    SUBMISSION_LIMITS.perIp.windowMs,
    ctx.clock,
  );

  app.use("/connect/v1/*", connectCors(ctx));
  app.use(
    "/connect/v1/*",
    requestBodyLimit({
      maxSize: CONNECT_BODY_LIMIT,
      onError: (c) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", "The request body is over 64 KiB."),
    }),
  );

  /** Verifies the flow token and the page's origin against its workspace. */
  async function authorize(
    c: Context<AppEnv>,
    options: { recordRefusal?: (error: unknown) => boolean } = {},
  ): Promise<VerifiedFlowToken> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    const token = match?.[1];
    let verified: VerifiedFlowToken;
    try {
      verified = await verifyFlowToken(ctx, token);
    } catch (error) {
      if (token && (options.recordRefusal?.(error) ?? true)) await recordRefusedToken(ctx, token, error);
      throw error;
    }
    const origin = c.req.header("origin");
    // The workspace's origins were read with the token's key, in this request.
    if (origin && !isOwnOrigin(ctx, origin) && !verified.allowedOrigins.includes(origin)) {
      markOrigin(c, "refused");
      throw new ApiError(
        403,
        "ORIGIN_NOT_ALLOWED",
        `${origin} may not run this workspace's flows: add it with PUT /v1/settings/allowed-origins.`,
      );
    }
    markOrigin(c, "allowed");
    c.set("log", c.get("log").child({ workspace_id: verified.workspaceId }));
    return verified;
  }

  const clientIp = (c: Context<AppEnv>) => {
    if (ctx.config.trustProxy) {
      const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address ?? "unknown";
    } catch {
      return "unknown"; // not served by @hono/node-server (in-process requests)
    }
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/connect/v1/flow",
      operationId: "getConnectFlow",
      tags,
      security: flowTokenSecurity,
      summary:
        "What the flow needs: tool and its auth fields, organisation, current and target scope, permissions to grant",
      request: { query: ConnectToolQuerySchema },
      responses: { 200: json(ConnectFlowSchema, "The flow"), ...errors(403, 409, 410, 422) },
    }),
    async (c) => {
      const token = await authorize(c);
      const query = c.req.valid("query");
      const subject = await resolveFlow(ctx, token, query.tool);
      const locale = query.locale ?? token.claims.locale ?? acceptedLocale(c.req.header("accept-language"));
      const handoff = await handoffOf(ctx.db, token);
      // The branding was read with the token's key.
      return jsonText(c, flowJson(subject, locale, token.branding, handoff), 200);
    },
  );

  handoffRoute(app, ctx, { authorize, clientIp });

  app.openapi(
    createRoute({
      method: "get",
      path: "/connect/v1/tools",
      operationId: "listConnectTools",
      tags,
      security: flowTokenSecurity,
      summary: "The tools the end user may choose from (connect flows without a preselected tool)",
      responses: { 200: json(ConnectToolListSchema, "Tools"), ...errors(403, 409, 410) },
    }),
    async (c) => {
      const token = await authorize(c);
      const subject = await resolveFlow(ctx, token);
      const tools = subject.connector
        ? [subject.connector.tool]
        : ctx.connectors.list().map((connector) => connector.tool);
      return c.json({ data: tools.map(toConnectTool) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/connect/v1/credentials",
      operationId: "submitConnectCredentials",
      tags,
      security: flowTokenSecurity,
      summary:
        "Submit credentials: checked with the tool (validity, permissions, same account), then the flow completes",
      request: jsonBody(CredentialsSubmissionSchema),
      responses: {
        200: json(FlowCompletedSchema, "Completed"),
        ...errors(403, 409, 410, 413, 422, 429, 503),
      },
    }),
    async (c) => {
      perIp.hit(clientIp(c));
      const token = await authorize(c);
      perToken.hit(`${token.workspaceId}:${token.claims.jti}`);
      const body = c.req.valid("json");
      const subject = await resolveFlow(ctx, token, body.tool);
      const tool = subject.connector?.tool;
      if (!tool) throw toolRequired();
      if (tool.auth.method !== "API_KEY") {
        throw new ApiError(
          400,
          "INVALID_REQUEST",
          `${tool.name} connects with OAuth: start with POST /connect/v1/oauth/start.`,
        );
      }
      assertValues(tool, body.values);
      const optedOut = checkedOptOuts(subject, tool, body.opted_out);
      const completed = await submitCredentials(ctx, subject, body.values, optedOut, c.req.raw.signal);
      c.var.log.info(
        { flow: completed.flow, integration_id: completed.integration_id, tool: tool.id },
        "flow completed",
      );
      return c.json(completed, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/connect/v1/oauth/start",
      operationId: "startConnectOAuth",
      tags,
      security: flowTokenSecurity,
      summary:
        "Start an OAuth 2 sign-in (authorization code + PKCE) in a popup; the callback reports to `origin`",
      request: jsonBody(OAuthStartSchema),
      responses: {
        200: json(OAuthStartedSchema, "Where to send the popup"),
        ...errors(403, 409, 410, 422, 429),
      },
    }),
    async (c) => {
      perIp.hit(clientIp(c));
      const token = await authorize(c);
      perToken.hit(`${token.workspaceId}:${token.claims.jti}`);
      const body = c.req.valid("json");
      const subject = await resolveFlow(ctx, token, body.tool);
      const connector = subject.connector;
      if (!connector) throw toolRequired();
      if (connector.tool.auth.method !== "OAUTH2" || !connector.oauth) {
        throw new ApiError(
          400,
          "INVALID_REQUEST",
          `${connector.tool.name} does not use OAuth: submit its credentials with POST /connect/v1/credentials.`,
        );
      }
      const openerOrigin = new URL(body.origin).origin;
      if (!isOwnOrigin(ctx, openerOrigin) && !(await origins.allowedFor(subject.workspaceId, openerOrigin))) {
        throw new ApiError(
          403,
          "ORIGIN_NOT_ALLOWED",
          `${openerOrigin} may not run this workspace's flows: add it with PUT /v1/settings/allowed-origins.`,
        );
      }
      const optedOut = checkedOptOuts(subject, connector.tool, body.opted_out);
      const needed = permissionsToRequest(subject, connector.tool, optedOut);
      const scopes = needed.length > 0 ? needed : connector.tool.permissions.map((p) => p.id);

      const authorizeUrl = await startOAuthSignIn(ctx, {
        subject,
        token,
        compactToken: bearer(c),
        toolId: connector.tool.id,
        oauth: connector.oauth,
        openerOrigin,
        optedOut,
        scopes,
      });
      return c.json({ authorize_url: authorizeUrl }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: OAUTH_CALLBACK_PATH,
      operationId: "connectOAuthCallback",
      tags,
      security: publicSecurity,
      summary:
        "The OAuth redirect URI: exchanges the code, completes the flow, and reports to the opener window by postMessage",
      request: {
        query: z.object({
          state: z.string().max(200).optional(),
          code: z.string().max(2000).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(1000).optional(),
        }),
      },
      responses: {
        200: {
          description: "A page that posts an OAuthCallbackMessage to the opener and closes",
          content: { "text/html": { schema: z.string() } },
        },
        400: {
          description: "The same page, reporting an error",
          content: { "text/html": { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const outcome = await completeOAuthSignIn(ctx, q, c.req.raw.signal);
      const nonce = randomBytes(16).toString("base64");
      c.header("Content-Security-Policy", callbackCsp(nonce));
      // The opener must stay reachable from this page (the default `same-origin` would sever it).
      c.header("Cross-Origin-Opener-Policy", "unsafe-none");
      c.header("Cache-Control", "no-store");
      c.header("Referrer-Policy", "no-referrer");
      return c.html(
        oauthCallbackPage(outcome.message, outcome.origin, nonce),
        outcome.message.status === "COMPLETED" ? 200 : 400,
      ) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/connect/v1/exit",
      operationId: "exitConnectFlow",
      tags,
      security: flowTokenSecurity,
      summary:
        "The end user left the flow: a `connection-flow-failed` event (once per token) and a log entry",
      request: jsonBody(FlowExitSchema),
      responses: { 204: { description: "Recorded" }, ...errors(403) },
    }),
    async (c) => {
      const token = await authorizeForExit(c);
      const body = c.req.valid("json");
      if (token) {
        const failure = await failureOf(ctx, token, "USER_EXITED", { step: body.step, detail: body.reason });
        if (failure) await recordFlowFailure(ctx, failure);
      }
      return c.body(null, 204);
    },
  );

  /** Leaving after completing is no failure: a used token is accepted here and recorded as nothing. */
  async function authorizeForExit(c: Context<AppEnv>): Promise<VerifiedFlowToken | null> {
    const used = (error: unknown) => refusalOf(error)?.code === "TOKEN_ALREADY_USED";
    try {
      return await authorize(c, { recordRefusal: (error) => !used(error) });
    } catch (error) {
      if (used(error)) return null;
      throw error;
    }
  }

  return app;
}

const bearer = (c: Context) => /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";

const toolRequired = () =>
  new ApiError(
    400,
    "INVALID_REQUEST",
    "Invalid request: tool: choose a tool; GET /connect/v1/tools lists them",
    {
      issues: [
        { path: "tool", code: "invalid_value", message: "choose a tool; GET /connect/v1/tools lists them" },
      ],
    },
  );

/** The tool's auth fields checked, with each issue at its place in this body (`values.<field>`). */
function assertValues(tool: Tool, values: Record<string, string>): void {
  try {
    assertCredentialFields(tool, values);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== "INVALID_REQUEST") throw error;
    const issues = (
      (error.details as { issues?: Array<{ path: string; message: string }> })?.issues ?? []
    ).map((issue) => ({ ...issue, path: issue.path.replace(/^credentials\./, "values.") }));
    const first = issues[0];
    throw new DomainError(
      "INVALID_REQUEST",
      first ? `Invalid request: ${first.path}: ${first.message}` : error.message,
      { details: { issues } },
    );
  }
}

/** The first language of an `Accept-Language` header that relink has (`de-CH` counts as `de`). */
export function acceptedLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined; // most calls: a server's or a script's request names none
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { lang: tag.trim().toLowerCase().split("-")[0], q: Number.isNaN(q) ? 0 : q, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang).find((lang): lang is Locale => LOCALES.includes(lang as Locale));
}
