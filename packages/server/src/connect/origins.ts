import type { Context, MiddlewareHandler } from "hono";
import type { RelinkContext } from "../context.ts";
import type { AppEnv } from "../http/env.ts";
import { varyByOrigin } from "../http/middleware.ts";

/**
 * Which web origins may run a workspace's connect flow. A workspace lists its own
 * (`PUT /v1/settings/allowed-origins`); the server's own origin (the hosted `/link` page) is
 * always allowed.
 *
 * CORS for `/connect/v1/*`: a preflight carries no token, so it cannot name the workspace; it is
 * answered for an origin that some workspace allows (a cached union). The actual request carries
 * the token: its origin must be allowed by that token's workspace, or the request is refused with
 * `403 ORIGIN_NOT_ALLOWED` before anything happens, and a successful answer is readable only by the
 * workspace's origins. An error answer is readable by any origin that passes the preflight, so the
 * widget can show why a token was refused.
 */
export interface OriginPolicy {
  /** True when `origin` may run flows of `workspaceId` (exact match, read now). */
  allowedFor(workspaceId: string, origin: string): Promise<boolean>;
  /** True when any workspace allows `origin` (cached for a few seconds). */
  allowedByAny(origin: string): Promise<boolean>;
  /** Drops the cache after a change of a workspace's list. */
  invalidate(): void;
}

const UNION_TTL_MS = 5_000;
const policies = new WeakMap<RelinkContext, OriginPolicy>();

/** The origin policy of a server (one per context). */
export function originPolicy(ctx: RelinkContext): OriginPolicy {
  let policy = policies.get(ctx);
  if (policy) return policy;
  let union: { origins: Set<string>; loadedAt: number } | null = null;
  policy = {
    async allowedFor(workspaceId, origin) {
      const row = await ctx.db
        .selectFrom("workspaces")
        .select("allowed_origins")
        .where("id", "=", workspaceId)
        .executeTakeFirst();
      return (row?.allowed_origins ?? []).includes(origin);
    },
    async allowedByAny(origin) {
      if (!union || performance.now() - union.loadedAt > UNION_TTL_MS) {
        const rows = await ctx.db.selectFrom("workspaces").select("allowed_origins").execute();
        union = {
          origins: new Set(rows.flatMap((r) => r.allowed_origins ?? [])),
          loadedAt: performance.now(),
        };
      }
      return union.origins.has(origin);
    },
    invalidate() {
      union = null;
    },
  };
  policies.set(ctx, policy);
  return policy;
}

/**
 * The server's own origin: its public URL's (`RELINK_PUBLIC_URL`). Never the origin the request
 * says it was addressed to: the `Host` header is the client's to choose, so trusting it would let
 * any page pass as this server by sending `Host` to match its own `Origin`.
 */
export function isOwnOrigin(ctx: RelinkContext, origin: string): boolean {
  return origin === ownOrigin(ctx.config.publicUrl);
}

/** The origin of a public URL, parsed once per URL (a server has one). */
let parsedOrigin: { url: string; origin: string } | undefined;
function ownOrigin(publicUrl: string): string {
  if (parsedOrigin?.url !== publicUrl) parsedOrigin = { url: publicUrl, origin: new URL(publicUrl).origin };
  return parsedOrigin.origin;
}

/** Whether the request's origin was checked against its token's workspace. */
const decisions = new WeakMap<Request, "allowed" | "refused">();

export function markOrigin(c: Context, decision: "allowed" | "refused"): void {
  decisions.set(c.req.raw, decision);
}

const ALLOWED_METHODS = "GET, POST";
const ALLOWED_HEADERS = "authorization, content-type, x-request-id";
const EXPOSED_HEADERS = "retry-after, x-request-id";

/** CORS of the connect API (see `OriginPolicy`). */
export function connectCors(ctx: RelinkContext): MiddlewareHandler<AppEnv> {
  const policy = originPolicy(ctx);
  const passesPreflight = async (origin: string) =>
    isOwnOrigin(ctx, origin) || (await policy.allowedByAny(origin));
  const withOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    const origin = c.req.header("origin");
    if (c.req.method === "OPTIONS") {
      c.header("Vary", "Origin");
      if (origin && (await passesPreflight(origin))) {
        c.header("Access-Control-Allow-Origin", origin);
        c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        c.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        c.header("Access-Control-Max-Age", "600");
      }
      return c.body(null, 204);
    }
    await next();
    c.res.headers.append("Vary", "Origin");
    if (!origin) return;
    const decision = decisions.get(c.req.raw);
    const readable = decision === "allowed" || (c.res.status >= 400 && (await passesPreflight(origin)));
    if (readable) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
  };
  return (c, next) => {
    if (c.req.method === "OPTIONS" || c.req.header("origin")) return withOrigin(c, next);
    // No page origin (a server, a same-origin request): nothing to allow, and no layer of its own
    // (a promise and a microtask per request). The request frame appends `Vary: Origin` with its
    // own headers, so that the answer is built once, with plain headers where it can be.
    varyByOrigin(c);
    return next();
  };
}
