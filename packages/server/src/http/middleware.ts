import { randomUUID } from "node:crypto";
import { type ErrorCode, UNSTORABLE_TEXT_MESSAGE, unstorableTextPaths } from "@relink/sdk/contract";
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import { assertScope, requiredScope } from "../domain/api-key-scopes.ts";
import { lazyChild } from "../logging.ts";
import { hashToken } from "../secrets.ts";
import type { AppEnv } from "./env.ts";
import { ApiError, DomainError, httpErrorOf } from "./errors.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The security headers of every answer (hono's `secureHeaders` defaults, without
 * `Cross-Origin-Resource-Policy`: the widget's script and the API are loaded cross-origin). A handler
 * may set its own value of any of them (the hosted page and the OAuth callback set their own CSP
 * and opener policy): its value is kept.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

export interface RequestContextOptions {
  /** Called once the answer is final, with its duration in seconds (the HTTP latency metric). */
  observe?: (c: Context<AppEnv>, seconds: number) => void;
  /**
   * hono's `methodNotAllowed` middleware of the app, run on a 404 only (it turns the 404 of a known
   * path into a 405), without a layer of its own for every other request.
   */
  methodNotAllowed?: MiddlewareHandler<AppEnv>;
}

const nothingNext = async () => {};

/** `SECURITY_HEADERS` as the names a plain header object carries (lower case). */
const SECURITY_PLAIN: Record<string, string> = {};
for (const [name, value] of SECURITY_HEADERS) SECURITY_PLAIN[name.toLowerCase()] = value;

/**
 * The frame's headers of an answer, as a plain object: the security headers, the answer's content
 * type, `cache-control: no-store` on API answers (unless the answer set its own: see
 * `framedPlain`), `vary: Origin` when the answer depends on it, and the request id.
 */
function frameHeaders(
  requestId: string,
  api: boolean,
  contentType: string,
  vary: boolean,
): Record<string, string> {
  // Object.assign, not a spread: a spread followed by more keys takes V8's slow path (about 10 µs
  // here against 0.8 µs).
  const headers: Record<string, string> = Object.assign({}, SECURITY_PLAIN);
  if (api) headers["cache-control"] = "no-store";
  headers["content-type"] = contentType;
  if (vary) headers.vary = "Origin";
  headers["x-request-id"] = requestId;
  return headers;
}

/**
 * The symbol under which `@hono/node-server`'s Response keeps what it was built from
 * (`[status, body, headers init]`) until something reads it as a web Response, by Response class:
 * the adapter writes such an answer straight from it. Looked up once per class; `null` when the
 * class keeps nothing (the web Response of `app.request()`, of other runtimes).
 */
const builtFromKey = new WeakMap<object, symbol | null>();

type BuiltFrom = [status: number, body: unknown, init: unknown];

function builtFrom(res: Response): BuiltFrom | undefined {
  const type = res.constructor;
  let key = builtFromKey.get(type);
  if (key === undefined) {
    key = null;
    for (const symbol of Object.getOwnPropertySymbols(res)) {
      const value = (res as unknown as Record<symbol, unknown>)[symbol];
      if (symbol.description === "cache" && Array.isArray(value) && value.length === 3) key = symbol;
    }
    // Only a class seen keeping something is remembered: an answer that was already read (the
    // cache is gone) says nothing about its class.
    if (key !== null) builtFromKey.set(type, key);
  }
  if (key === null) return undefined;
  const value = (res as unknown as Record<symbol, unknown>)[key];
  return Array.isArray(value) && value.length === 3 ? (value as BuiltFrom) : undefined;
}

/**
 * The answer with the frame's headers, built as a plain object when the answer is a body and
 * plain headers not yet turned into a `Headers` object (what `c.json`, `c.text` and `c.body` make
 * when the handler set no header of its own), so that neither hono nor the adapter builds and
 * validates a `Headers` object for them (about a tenth of a small answer's CPU). The answer's own
 * headers are kept (its value wins), `x-request-id` is the frame's.
 */
function framedPlain(res: Response, requestId: string, api: boolean, vary: boolean): Response | undefined {
  const parts = builtFrom(res);
  if (!parts) return undefined;
  const [status, body, init] = parts;
  if (typeof status !== "number" || !(body === null || typeof body === "string")) return undefined;
  if (init === null || typeof init !== "object" || Object.getPrototypeOf(init) !== Object.prototype)
    return undefined;
  const own = init as Record<string, unknown>;
  let contentType: string | undefined;
  for (const name in own) {
    const value = own[name];
    if (typeof value !== "string") return undefined;
    if (name.toLowerCase() === "content-type") contentType = value;
  }
  // Without a content type the adapter and the web Response each add their own default: keep theirs.
  if (contentType === undefined) return undefined;
  const headers = frameHeaders(requestId, api, contentType, vary);
  for (const name in own) {
    const lower = name.toLowerCase();
    if (lower === "x-request-id" || lower === "x-powered-by") continue;
    headers[lower] = vary && lower === "vary" ? `${own[name]}, Origin` : (own[name] as string);
  }
  return new Response(body, { status, headers });
}

/** The frame's headers added to an answer that has a `Headers` object (its own values kept). */
function frameInto(c: Context<AppEnv>, requestId: string, api: boolean, vary: boolean): void {
  let headers = c.res.headers;
  try {
    headers.set("x-request-id", requestId);
  } catch {
    // Immutable headers (a fetched or redirect Response): the frame's own copy of the answer.
    const copy = new Response(c.res.body, c.res);
    c.res = undefined;
    c.res = copy;
    headers = copy.headers;
    headers.set("x-request-id", requestId);
  }
  for (const [name, value] of SECURITY_HEADERS) if (!headers.has(name)) headers.set(name, value);
  headers.delete("X-Powered-By");
  if (api && !headers.has("cache-control")) headers.set("Cache-Control", "no-store");
  if (vary) headers.append("Vary", "Origin");
}

const variesByOrigin = new WeakSet<Context>();

/**
 * The answer to this request varies by its `Origin` (CORS): the frame appends `Vary: Origin` with
 * its own headers, to whatever answer the request gets (its own `Vary` kept, `Origin` appended).
 */
export function varyByOrigin(c: Context): void {
  variesByOrigin.add(c);
}

/**
 * The frame of every request, in one middleware (each middleware layer costs a promise and a
 * microtask per request): an id (kept from `x-request-id` when well-formed), a logger carrying it,
 * the security headers, `Cache-Control: no-store` on API answers, the 405 of a known path asked
 * with another method (`options.methodNotAllowed`), one log line, and the latency metric
 * (`options.observe`). The logger's child is created only if something is logged. The headers
 * are added to the final answer, a value the handler set itself kept: as a plain object when the
 * answer has no `Headers` object yet (`framedPlain`), else into its `Headers`.
 */
export function requestContext(
  ctx: RelinkContext,
  options: RequestContextOptions = {},
): MiddlewareHandler<AppEnv> {
  const { observe, methodNotAllowed } = options;
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID().replaceAll("-", "")}`;
    c.set("requestId", requestId);
    c.set("log", lazyChild(ctx.log, { request_id: requestId }));
    // API answers carry personal data and secrets shown once: never stored by a browser or proxy.
    const path = c.req.path;
    const api = path.startsWith("/v1/") || path.startsWith("/connect/");
    await next();
    if (methodNotAllowed && c.res.status === 404) await methodNotAllowed(c, nothingNext);
    const vary = variesByOrigin.has(c);
    const framed = framedPlain(c.res, requestId, api, vary);
    if (framed) {
      // Replaced, not merged: hono's `res` setter copies the old answer's headers into the new one.
      c.res = undefined;
      c.res = framed;
    } else frameInto(c, requestId, api, vary);
    if (observe) observe(c, (performance.now() - started) / 1000);
    const log = c.get("log");
    if (!log.isLevelEnabled("info")) return;
    // The path only: query strings may carry OAuth codes and states.
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      },
      "request",
    );
  };
}

/**
 * `bodyLimit` for requests that can have a body: a GET or HEAD request never has one (the fetch
 * standard forbids it), and asking for it would make the Node adapter build a full `Request`.
 * A refusal says `Connection: close` and the server closes the connection after it: the rest of
 * the body is never read (it may be large), so the connection cannot carry another request, and
 * the client must know not to send one on it.
 */
export function requestBodyLimit(options: {
  maxSize: number;
  onError: (c: Context<AppEnv>) => Response | Promise<Response>;
}): MiddlewareHandler<AppEnv> {
  const refuse = async (c: Context<AppEnv>) => {
    const response = await options.onError(c);
    response.headers.set("Connection", "close");
    return response;
  };
  const limit = bodyLimit({ maxSize: options.maxSize, onError: (c) => refuse(c as Context<AppEnv>) });
  return (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    // A declared length (Node's parser reads exactly that many bytes) decides from the header,
    // as `bodyLimit` does, but without first asking for `body`: that would make the Node adapter
    // build a full `Request` and read the body through a web stream (a third of a small POST's
    // CPU: the sync sessions route).
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length !== null && !headers.has("transfer-encoding")) {
      return Number.parseInt(length, 10) > options.maxSize ? refuse(c) : next();
    }
    return limit(c, next);
  };
}

export function errorBody(c: Context<AppEnv>, code: ErrorCode, message: string, details?: unknown) {
  return {
    error: {
      code,
      message,
      ...(details === undefined ? {} : { details }),
      request_id: c.get("requestId") ?? "unknown",
    },
  };
}

export function errorResponse(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details?: unknown,
) {
  return c.json(errorBody(c, code, message, details), status);
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: "INVALID_REQUEST",
  401: "UNAUTHORIZED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

/** The one place errors become responses: every failure leaves in the error envelope. */
export const onError: ErrorHandler<AppEnv> = (thrown, c) => {
  const error = thrown instanceof DomainError ? httpErrorOf(thrown) : thrown;
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return errorResponse(c, error.status as ContentfulStatusCode, error.code, error.message, error.details);
  }
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message)) {
      return errorResponse(c, 400, "INVALID_JSON", "The request body is not valid JSON.");
    }
    if (error.status === 415) {
      return errorResponse(
        c,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Send the body as JSON with `Content-Type: application/json`.",
      );
    }
    const status = error.status as ContentfulStatusCode;
    return errorResponse(
      c,
      status,
      STATUS_CODES[status] ?? "INVALID_REQUEST",
      error.message || "Request refused.",
    );
  }
  (c.get("log") ?? console).error({ err: error }, "unhandled error");
  return errorResponse(
    c,
    500,
    "INTERNAL_ERROR",
    `Something went wrong on our side. Quote request id ${c.get("requestId") ?? "unknown"} when reporting it.`,
  );
};

/** Unknown paths answer 404 in the envelope (`methodNotAllowed` turns known paths into 405). */
export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`);

export const methodNotAllowedResponse = (c: Context<AppEnv>, methods: string[]) => {
  c.header("Allow", methods.join(", "));
  return errorResponse(
    c,
    405,
    "METHOD_NOT_ALLOWED",
    `${c.req.method} is not allowed here; use ${methods.join(" or ")}.`,
  );
};

/**
 * Maps a failed zod validation to `400 INVALID_REQUEST` listing each issue. A request that passed
 * its schema is refused the same way when any of its text (a value or a key, at any depth) holds a
 * NUL character or an unpaired surrogate: PostgreSQL cannot store it as sent and SQLite could, so
 * it is refused here, once for every route, before it reaches a query. Issues name the field, never
 * the value.
 */
export function validationHook(
  result:
    | { success: true; data?: unknown; target?: string }
    | { success: false; error: ZodError; target?: string },
  _c: Context,
): undefined {
  if (!result.success) throw invalidRequest(result.error, result.target);
  const unstorable = unstorableTextPaths(result.data);
  if (unstorable.length > 0) {
    throw invalidRequestAt(
      result.target,
      unstorable.map((path) => ({ path, code: "invalid_format", message: UNSTORABLE_TEXT_MESSAGE })),
    );
  }
}

export function invalidRequest(error: ZodError, target?: string): ApiError {
  return invalidRequestAt(
    target,
    error.issues.map((issue) => ({ path: issue.path, code: issue.code, message: issue.message })),
  );
}

function invalidRequestAt(
  target: string | undefined,
  found: Array<{ path: readonly PropertyKey[]; code: string; message: string }>,
): ApiError {
  const where = target === "json" ? "body" : target;
  const issues = found.map((issue) => ({
    path: [...(where ? [where] : []), ...issue.path.map(String)].join("."),
    code: issue.code,
    message: issue.message,
  }));
  const first = issues[0];
  return new ApiError(
    400,
    "INVALID_REQUEST",
    first ? `Invalid request: ${first.path ? `${first.path}: ` : ""}${first.message}` : "Invalid request.",
    { issues },
  );
}

const activeApiKeyByHash = prepared((db, keyHash: PreparedParam) =>
  db
    .selectFrom("api_keys")
    .select(["id", "workspace_id", "scopes"])
    .where("key_hash", "=", keyHash)
    .where("revoked_at", "is", null),
);

/** `Authorization: Bearer <api key>` on every `/v1` route; sets the workspace; refuses a key without the route's scope. */
export function apiKeyAuth(ctx: RelinkContext): MiddlewareHandler<AppEnv> {
  const lastTouched = new Map<string, number>();
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError(
        401,
        "UNAUTHORIZED",
        "Send an API key as `Authorization: Bearer <api key>`.",
        undefined,
        {
          "WWW-Authenticate": 'Bearer realm="relink"',
        },
      );
    }
    // Read on every request (one unique-index lookup, compiled once): a revocation counts at once,
    // on every replica.
    const [key] = await activeApiKeyByHash(ctx.db, hashToken(match[1]));
    if (!key) {
      throw new ApiError(401, "UNAUTHORIZED", "This API key is unknown or was revoked.", undefined, {
        "WWW-Authenticate": 'Bearer realm="relink", error="invalid_token"',
      });
    }
    c.set("workspaceId", key.workspace_id);
    c.set("apiKeyId", key.id);
    const log = c.get("log").child({ workspace_id: key.workspace_id });
    c.set("log", log);
    assertScope(key.scopes, requiredScope(c.req.method, c.req.path));
    // Record use at most once a minute per key, off the request's path.
    const now = ctx.clock.now();
    if (now.getTime() - (lastTouched.get(key.id) ?? 0) > 60_000) {
      lastTouched.set(key.id, now.getTime());
      ctx.db
        .updateTable("api_keys")
        .set({ last_used_at: iso(now) })
        .where("id", "=", key.id)
        .execute()
        .catch((err) => log.warn({ err }, "could not record API key use"));
    }
    await next();
  };
}
