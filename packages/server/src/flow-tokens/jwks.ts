import { createPublicKey, type JsonWebKey as NodeJwk } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { urlToHttpOptions } from "node:url";
import type { SigningAlgorithm, SigningJwks } from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { DomainError } from "../domain/errors.ts";
import {
  checkWebhookUrl,
  guardedLookup,
  type WebhookTargetPolicy,
  WebhookUrlError,
} from "../webhooks/url-guard.ts";
import { VerificationKey } from "./keys.ts";

/**
 * Signing keys read from a workspace's JWKS URL (`PUT /v1/signing-keys/jwks`), so that the product
 * rotates its keys without calling relink.
 *
 * - The URL is held to the webhooks' rules (webhooks/url-guard.ts): https, public addresses only
 *   (each connection's addresses checked as it is made: no DNS rebinding), unless the operator
 *   allows more for local development (`RELINK_ALLOW_HTTP_WEBHOOK_URLS`,
 *   `RELINK_ALLOW_PRIVATE_WEBHOOK_URLS`). No redirect is followed; one deadline; 64 KiB at most.
 * - Only public Ed25519 (`EdDSA`) and P-256 (`ES256`) keys with a `kid` are used; any other key of
 *   the set (RSA, an `oct` secret, a private key, `use` other than `sig`) is ignored: an HMAC
 *   secret never comes from a URL, so an HS256 token is never checked against a JWKS.
 * - The set is kept per server process for as long as its `Cache-Control: max-age` says (5 minutes
 *   without one; at most a day), and fetched again when a token names a `kid` the set lacks — at
 *   most once a minute per workspace, so forged tokens cannot make relink hammer the URL.
 */

/** Longest time a fetched set is kept without `max-age`, and the bound of any `max-age`. */
const DEFAULT_MAX_AGE_MS = 5 * 60_000;
const MAX_MAX_AGE_MS = 24 * 3_600_000;
/** At most one fetch for an unknown `kid` per workspace in this time. */
export const UNKNOWN_KID_REFETCH_MS = 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;

export interface JwksKey {
  kid: string;
  algorithm: SigningAlgorithm;
  key: VerificationKey;
}

interface CachedSet {
  url: string;
  keys: Map<string, JwksKey>;
  fetchedAt: number;
  expiresAt: number;
  /** When an unknown kid last caused a fetch. */
  unknownFetchAt: number;
  pending?: Promise<void>;
}

// Per database handle (one per server): the sets fetched, by workspace.
const caches = new WeakMap<object, Map<string, CachedSet>>();
const cacheOf = (ctx: Pick<RelinkContext, "db">) => {
  let cache = caches.get(ctx.db);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.db, cache);
  }
  return cache;
};

/** Why a JWKS URL cannot be used (said to whoever registers it). */
export class JwksError extends Error {
  override name = "JwksError";
}

type JwksContext = Pick<RelinkContext, "db" | "clock" | "config" | "log">;

const policyOf = (ctx: Pick<RelinkContext, "config">): WebhookTargetPolicy => ({
  allowHttp: ctx.config.allowHttpWebhookUrls,
  allowPrivate: ctx.config.allowPrivateWebhookUrls,
});

/** Fetches and reads a JWKS document; throws a `JwksError` saying what is wrong. */
export async function fetchJwks(
  url: URL,
  policy: WebhookTargetPolicy,
): Promise<{ keys: JwksKey[]; maxAgeMs: number }> {
  const { status, body, cacheControl } = await get(url, policy.allowPrivate ? undefined : guardedLookup());
  if (status !== 200) throw new JwksError(`the JWKS URL answered HTTP ${status}, not 200`);
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new JwksError("the JWKS URL did not answer JSON");
  }
  const listed = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(listed)) throw new JwksError('the JWKS document has no "keys" array');
  const keys = listed.flatMap((jwk) => usableKey(jwk) ?? []);
  if (keys.length === 0) {
    throw new JwksError(
      "the JWKS document has no usable key: relink uses public Ed25519 (EdDSA) and P-256 (ES256) keys with a kid",
    );
  }
  return { keys, maxAgeMs: maxAgeOf(cacheControl) };
}

function usableKey(jwk: unknown): JwksKey | null {
  if (jwk === null || typeof jwk !== "object") return null;
  const k = jwk as Record<string, unknown>;
  // The kid a token may name (verify.ts checks a token's kid against the same pattern).
  if (typeof k.kid !== "string" || !/^[A-Za-z0-9_-]{1,100}$/.test(k.kid)) return null;
  if (k.d !== undefined || (k.use !== undefined && k.use !== "sig")) return null;
  let algorithm: SigningAlgorithm;
  if (k.kty === "OKP" && k.crv === "Ed25519") algorithm = "EdDSA";
  else if (k.kty === "EC" && k.crv === "P-256") algorithm = "ES256";
  else return null; // RSA, oct (an HMAC secret: never from a URL), other curves
  if (k.alg !== undefined && k.alg !== algorithm && !(algorithm === "EdDSA" && k.alg === "Ed25519"))
    return null;
  try {
    const publicJwk =
      algorithm === "EdDSA"
        ? { kty: "OKP", crv: "Ed25519", x: k.x }
        : { kty: "EC", crv: "P-256", x: k.x, y: k.y };
    const pem = createPublicKey({ key: publicJwk as NodeJwk, format: "jwk" }).export({
      type: "spki",
      format: "pem",
    });
    return { kid: k.kid, algorithm, key: new VerificationKey(algorithm, String(pem)) };
  } catch {
    return null; // not a point on the curve
  }
}

function maxAgeOf(cacheControl: string | undefined): number {
  const directives = (cacheControl ?? "").toLowerCase();
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/.test(directives)) return 0;
  const match = /(^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(directives);
  if (!match?.[2]) return DEFAULT_MAX_AGE_MS;
  return Math.min(Number(match[2]) * 1000, MAX_MAX_AGE_MS);
}

function get(
  url: URL,
  lookup: LookupFunction | undefined,
): Promise<{ status: number; body: string; cacheControl: string | undefined }> {
  const { protocol, hostname, port, path } = urlToHttpOptions(url);
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(
      {
        protocol,
        hostname,
        ...(port !== undefined ? { port } : {}),
        path,
        method: "GET",
        headers: { accept: "application/jwk-set+json, application/json" },
        timeout: FETCH_TIMEOUT_MS,
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) {
            request.destroy(new JwksError(`the JWKS document is larger than ${MAX_BYTES / 1024} KiB`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            cacheControl: response.headers["cache-control"],
          }),
        );
        response.on("error", reject);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new JwksError(`the JWKS URL did not answer within ${FETCH_TIMEOUT_MS / 1000} s`)),
      FETCH_TIMEOUT_MS,
    );
    request.on("close", () => clearTimeout(deadline));
    request.on("error", (error) => {
      if (error instanceof JwksError || error instanceof WebhookUrlError) reject(error);
      else {
        const code = (error as NodeJS.ErrnoException).code;
        reject(new JwksError(`the JWKS URL is unreachable (${code ?? error.message})`));
      }
    });
    request.end();
  });
}

const invalidUrl = (message: string) =>
  new DomainError("INVALID_REQUEST", `Invalid request: body.url: ${message}`, {
    details: { issues: [{ path: "body.url", code: "invalid_jwks_url", message }] },
  });

/**
 * Registers (or replaces) the workspace's JWKS URL: refused unless the URL passes the webhooks'
 * address rules and serves a usable JWKS now.
 */
export async function setSigningJwks(
  ctx: JwksContext,
  workspaceId: string,
  raw: string,
): Promise<SigningJwks> {
  const policy = policyOf(ctx);
  let fetched: Awaited<ReturnType<typeof fetchJwks>>;
  try {
    const url = await checkWebhookUrl(raw, policy);
    fetched = await fetchJwks(url, policy);
  } catch (error) {
    if (error instanceof JwksError || error instanceof WebhookUrlError) {
      throw invalidUrl(error.message.replace(/^webhooks go/, "JWKS URLs, like webhooks, go"));
    }
    throw error;
  }
  const now = ctx.clock.now();
  const at = iso(now);
  await ctx.db
    .insertInto("signing_jwks")
    .values({ workspace_id: workspaceId, url: raw, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column("workspace_id").doUpdateSet({ url: raw, updated_at: at }))
    .execute();
  const row = await ctx.db
    .selectFrom("signing_jwks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  const set = remember(ctx, workspaceId, raw, fetched, now.getTime());
  return view(row, set);
}

/** The workspace's JWKS URL with the keys read from it (fetched if not cached), or null. */
export async function getSigningJwks(ctx: JwksContext, workspaceId: string): Promise<SigningJwks | null> {
  const row = await ctx.db
    .selectFrom("signing_jwks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  if (!row) return null;
  const set = await currentSet(ctx, workspaceId, row.url);
  return view(row, set);
}

/** Forgets the workspace's JWKS URL: tokens signed by its keys are refused from now on. */
export async function deleteSigningJwks(ctx: JwksContext, workspaceId: string): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom("signing_jwks")
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  cacheOf(ctx).delete(workspaceId);
  return Number(result.numDeletedRows) > 0;
}

function view(row: { url: string; created_at: string }, set: CachedSet | null): SigningJwks {
  return {
    url: row.url,
    keys: set ? [...set.keys.values()].map(({ kid, algorithm }) => ({ kid, algorithm })) : [],
    fetched_at: set ? new Date(set.fetchedAt).toISOString() : row.created_at,
    created_at: row.created_at,
  };
}

function remember(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  url: string,
  fetched: { keys: JwksKey[]; maxAgeMs: number },
  now: number,
): CachedSet {
  const cache = cacheOf(ctx);
  const previous = cache.get(workspaceId);
  const set: CachedSet = {
    url,
    keys: new Map(fetched.keys.map((k) => [k.kid, k])),
    fetchedAt: now,
    expiresAt: now + fetched.maxAgeMs,
    unknownFetchAt: previous?.url === url ? previous.unknownFetchAt : Number.NEGATIVE_INFINITY,
  };
  cache.set(workspaceId, set);
  return set;
}

/** Fetches the set again (one fetch at a time per workspace); keeps the old keys if it fails. */
async function refresh(ctx: JwksContext, workspaceId: string, url: string): Promise<CachedSet | null> {
  const cache = cacheOf(ctx);
  const existing = cache.get(workspaceId);
  if (existing?.pending && existing.url === url) {
    await existing.pending;
    return cache.get(workspaceId) ?? null;
  }
  const pending = (async () => {
    try {
      const policy = policyOf(ctx);
      const checked = await checkWebhookUrl(url, policy);
      remember(ctx, workspaceId, url, await fetchJwks(checked, policy), ctx.clock.now().getTime());
    } catch (error) {
      ctx.log.warn({ workspace_id: workspaceId, err: error }, "could not fetch the workspace's JWKS");
      if (!cache.get(workspaceId)) {
        // Nothing to fall back on: an empty set, tried again in a minute (not on every token).
        const now = ctx.clock.now().getTime();
        cache.set(workspaceId, {
          url,
          keys: new Map(),
          fetchedAt: now,
          expiresAt: now + UNKNOWN_KID_REFETCH_MS,
          unknownFetchAt: now,
        });
      }
    }
  })();
  if (existing && existing.url === url) existing.pending = pending;
  await pending;
  const after = cache.get(workspaceId) ?? null;
  if (after) after.pending = undefined;
  return after;
}

async function currentSet(ctx: JwksContext, workspaceId: string, url: string): Promise<CachedSet | null> {
  const set = cacheOf(ctx).get(workspaceId);
  if (set && set.url === url && ctx.clock.now().getTime() < set.expiresAt) return set;
  return (await refresh(ctx, workspaceId, url)) ?? (set?.url === url ? set : null);
}

const jwksByWorkspace = (db: RelinkContext["db"], workspaceId: string) =>
  db
    .selectFrom("signing_jwks as j")
    .innerJoin("workspaces as w", "w.id", "j.workspace_id")
    .select([
      "j.url",
      "w.allowed_origins",
      "w.brand_product_name",
      "w.brand_logo_url",
      "w.brand_accent_color",
    ])
    .where("j.workspace_id", "=", workspaceId)
    .executeTakeFirst();

/**
 * The key `kid` of the workspace's JWKS, with the workspace's allowed origins; undefined when the
 * workspace has no JWKS URL or its set has no such key (after at most one fetch a minute).
 */
export async function jwksKey(
  ctx: JwksContext,
  workspaceId: string,
  kid: string,
): Promise<
  | {
      key: JwksKey;
      allowedOrigins: string[] | null;
      branding: {
        brand_product_name: string | null;
        brand_logo_url: string | null;
        brand_accent_color: string | null;
      };
    }
  | undefined
> {
  const row = await jwksByWorkspace(ctx.db, workspaceId);
  if (!row) return undefined;
  let set = await currentSet(ctx, workspaceId, row.url);
  let found = set?.keys.get(kid);
  const now = ctx.clock.now().getTime();
  if (!found && set && now - set.unknownFetchAt >= UNKNOWN_KID_REFETCH_MS) {
    set.unknownFetchAt = now;
    set = await refresh(ctx, workspaceId, row.url);
    if (set) set.unknownFetchAt = now;
    found = set?.keys.get(kid);
  }
  return found
    ? { key: found, allowedOrigins: row.allowed_origins as string[] | null, branding: row }
    : undefined;
}
