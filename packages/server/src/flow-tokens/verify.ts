import {
  type Branding,
  CLOCK_SKEW,
  type FlowTokenClaims,
  FlowTokenClaimsSchema,
  ID_PREFIXES,
  isRelinkAudience,
  MAX_LINK_LIFETIME,
  MAX_SDK_TOKEN_LIFETIME,
  MAX_TOKEN_BYTES,
  type SigningAlgorithm,
} from "@relink/sdk/contract";
import { sql } from "kysely";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { IntegrationRow, ScopeConfigRow } from "../db/schema.ts";
import { jwksKey } from "./jwks.ts";
import { verifyJwt } from "./jwt.ts";
import { isServerKeyId, verificationKey } from "./keys.ts";
import { refuse, refuseClaim } from "./refusals.ts";

export { type SignedFlowToken, type SignFlowTokenInput, signFlowToken } from "./sign.ts";

/** A flow token that passed every check. */
export interface VerifiedFlowToken {
  claims: FlowTokenClaims;
  /** The workspace the token belongs to (its `iss`, the signing key's workspace). */
  workspaceId: string;
  /** The signing key (`kid`). */
  keyId: string;
  /** True for a link made by the server (`POST /v1/integrations/:id/relink`). */
  serverIssued: boolean;
  expiresAt: Date;
  /** The workspace's allowed origins (`PUT /v1/settings/allowed-origins`), read with the key. */
  allowedOrigins: readonly string[];
  /** The workspace's branding, read with the key (the flow's description shows it). */
  branding: Branding;
  /**
   * What the token names, as read to check it (so that the flow reads none of it again): the
   * integration of a relink flow, its current scope config, and the target scope config
   * (`scope_config_id`); null when the token names none (or the integration has no scope config,
   * or it was deleted).
   */
  named: NamedRows;
}

export interface NamedRows {
  integration: IntegrationRow | null;
  currentScope: ScopeConfigRow | null;
  targetScope: ScopeConfigRow | null;
}

export interface VerifyFlowTokenOptions {
  /** Longest accepted `exp - iat` of tokens the server did not make, in seconds; default and maximum 1 hour. */
  maxLifetimeSeconds?: number;
}

const KID = /^[A-Za-z0-9_-]{1,100}$/;
const WORKSPACE_ID = new RegExp(`^${ID_PREFIXES.workspace}_[0-9a-z]{10,40}$`);

/**
 * Checks a flow token (DESIGN section 3) and returns its typed claims, or throws a `DomainError`
 * (answered 401, or 409 for `TOKEN_ALREADY_USED`) whose code names the one check that failed.
 *
 * The checks, in order: presence, size (before any parsing), form, `alg` (in the list), `typ`,
 * `crit`, `kid` (known, not revoked), `alg` pinned to the key's algorithm (so an HMAC can never be checked
 * with a public key), signature, `exp` and `nbf`, `aud`, `iss` (the key's workspace), `iat` not in
 * the future, the claims' shape, lifetime, `sub` and `scope_config_id` in the workspace, `jti` not
 * spent. Times allow 60 s of clock skew and come from `ctx.clock`.
 *
 * @example
 * ```ts
 * const { claims, workspaceId } = await verifyFlowToken(ctx, bearerToken);
 * if (claims.flow === "relink") await loadIntegration(workspaceId, claims.sub);
 * ```
 */
export async function verifyFlowToken(
  ctx: Pick<RelinkContext, "db" | "clock" | "secrets" | "connectors" | "config" | "log">,
  token: string | null | undefined,
  options: VerifyFlowTokenOptions = {},
): Promise<VerifiedFlowToken> {
  if (token === null || token === undefined || token.trim() === "") throw refuse("TOKEN_MISSING");
  // Length in UTF-16 units bounds the UTF-8 size from below, and three times it from above; a
  // well-formed token is ASCII anyway. (`Buffer.byteLength` counts the UTF-8 bytes, a lone
  // surrogate as U+FFFD, without encoding a copy.)
  if (
    token.length > MAX_TOKEN_BYTES ||
    (token.length * 3 > MAX_TOKEN_BYTES && Buffer.byteLength(token, "utf8") > MAX_TOKEN_BYTES)
  ) {
    throw refuse("TOKEN_TOO_LARGE");
  }
  const now = ctx.clock.now();
  // Parsed once (by fast-jwt); the header's checks, then the key, then the signature: see jwt.ts.
  let key: Awaited<ReturnType<typeof keyById>>[number] | undefined;
  const { payload } = await verifyJwt(token, now, async (header, unverified) => {
    if (typeof header.kid !== "string" || !KID.test(header.kid)) throw refuse("TOKEN_KEY_UNKNOWN");
    // The key row (with its revocation: read on every call) and its workspace's allowed origins.
    // Nothing else of the token is looked up before its signature is checked: the kid was checked
    // against a strict pattern above, and nothing of the payload is read until the signature holds
    // (but for a key of a JWKS URL, below).
    [key] = await keyById(ctx.db, header.kid);
    if (!key) {
      // Not a registered key: one of the JWKS of the workspace the token names as its issuer (an
      // id checked against a strict pattern; the issuer is checked again once the signature holds).
      const iss = unverified.iss;
      const fromJwks =
        typeof iss === "string" && WORKSPACE_ID.test(iss) ? await jwksKey(ctx, iss, header.kid) : undefined;
      if (!fromJwks) throw refuse("TOKEN_KEY_UNKNOWN");
      key = {
        id: `jwks:${fromJwks.key.kid}`,
        workspace_id: iss as string,
        algorithm: fromJwks.key.algorithm,
        secret_sealed: null,
        public_jwk: null,
        created_at: "",
        revoked_at: null,
        allowed_origins: fromJwks.allowedOrigins,
        brand_product_name: fromJwks.branding.brand_product_name,
        brand_logo_url: fromJwks.branding.brand_logo_url,
        brand_accent_color: fromJwks.branding.brand_accent_color,
      } as NonNullable<typeof key>;
      if (header.alg !== fromJwks.key.algorithm) throw refuse("TOKEN_ALGORITHM_INVALID");
      return fromJwks.key.key;
    }
    if (key.revoked_at !== null) throw refuse("TOKEN_KEY_REVOKED");
    if (header.alg !== (key.algorithm as SigningAlgorithm)) throw refuse("TOKEN_ALGORITHM_INVALID");
    // A key that cannot be opened is the server's fault (500), not the token's.
    return verificationKey(ctx, key);
  });
  if (!key) throw new Error("the signing key was not resolved");

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!("aud" in payload)) throw refuseClaim("TOKEN_CLAIM_MISSING", "aud");
  if (!isRelinkAudience(payload.aud)) throw refuse("TOKEN_AUDIENCE_INVALID");
  if (!("iss" in payload)) throw refuseClaim("TOKEN_CLAIM_MISSING", "iss");
  if (payload.iss !== key.workspace_id) throw refuse("TOKEN_ISSUER_INVALID");
  // verifyJwt has checked that exp, nbf and iat are numbers when present, and exp and nbf against now.
  if (payload.exp === undefined) throw refuseClaim("TOKEN_CLAIM_MISSING", "exp");
  if (payload.iat === undefined) throw refuseClaim("TOKEN_CLAIM_MISSING", "iat");
  if ((payload.iat as number) > nowSeconds + CLOCK_SKEW) throw refuse("TOKEN_NOT_YET_VALID");

  const parsed = FlowTokenClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    // Named: the first claim that is absent (missing), else the first invalid one.
    const { issues } = parsed.error;
    const issue = issues.find((i) => valueAt(payload, i.path) === undefined) ?? issues[0];
    const path = issue?.path ?? [];
    const claim = path.length > 0 ? path.map(String).join(".") : "flow";
    throw refuseClaim(
      valueAt(payload, path) === undefined ? "TOKEN_CLAIM_MISSING" : "TOKEN_CLAIM_INVALID",
      claim,
    );
  }
  const claims = parsed.data;
  // A relink token names its integration in `sub`; a connect token creates one and must not.
  if (claims.flow === "connect" && "sub" in payload) throw refuseClaim("TOKEN_CLAIM_INVALID", "sub");
  if (claims.flow === "connect" && claims.tool !== undefined && !ctx.connectors.get(claims.tool)) {
    throw refuseClaim("TOKEN_CLAIM_INVALID", "tool");
  }

  const workspaceId = key.workspace_id;
  const lifetime = claims.exp - claims.iat;
  // What the token names, read only now that its signature and the shape of its claims are checked.
  const [row] = await subjectQuery(
    ctx.db,
    workspaceId,
    // Only the server's own key can sign a link that outlives an SDK token, and only for a link it recorded.
    isServerKeyId(key.id) ? claims.jti : null,
    claims.jti,
    claims.flow === "relink" ? claims.sub : null,
  );
  if (!row) throw new Error("the flow token's subject query answered no row");
  const { link_found, spent, ...subject } = row;
  const integration = subject.id === null ? null : (subject as IntegrationRow);
  const named = await scopesNamed(ctx.db, workspaceId, integration, claims.scope_config_id);
  const serverIssued = isServerKeyId(key.id) && truthy(link_found);
  const maxLifetime = serverIssued
    ? MAX_LINK_LIFETIME
    : Math.min(options.maxLifetimeSeconds ?? MAX_SDK_TOKEN_LIFETIME, MAX_SDK_TOKEN_LIFETIME);
  if (lifetime > maxLifetime) throw refuse("TOKEN_LIFETIME_TOO_LONG");

  if (claims.flow === "relink" && !integration) throw refuse("TOKEN_SUBJECT_UNKNOWN");
  if (claims.scope_config_id !== undefined && !named.targetScope) throw refuse("TOKEN_SCOPE_CONFIG_UNKNOWN");
  if (truthy(spent)) throw refuse("TOKEN_ALREADY_USED");

  return {
    claims,
    workspaceId,
    keyId: key.id,
    serverIssued,
    expiresAt: new Date(claims.exp * 1000),
    allowedOrigins: key.allowed_origins ?? [],
    branding: {
      product_name: key.brand_product_name ?? null,
      logo_url: key.brand_logo_url ?? null,
      accent_color: key.brand_accent_color ?? null,
    },
    named: { integration, currentScope: named.currentScope, targetScope: named.targetScope },
  };
}

/**
 * One row: the integration `subjectId` of the workspace (its columns all null when there is none,
 * or the id is null), whether the workspace recorded a link with `linkJti` and whether `jti` is
 * spent (a null id is looked up as nothing).
 */
const subjectQuery = prepared(
  (db, workspaceId: PreparedParam, linkJti: PreparedParam, jti: PreparedParam, subjectId: PreparedParam) =>
    db
      .selectFrom(db.selectNoFrom(sql<number>`1`.as("one")).as("o"))
      .leftJoin("integrations as i", (join) =>
        join.on("i.id", "=", subjectId).on("i.workspace_id", "=", workspaceId),
      )
      .selectAll("i")
      .select((eb) => [
        eb
          .exists(
            eb
              .selectFrom("relink_links")
              .select("id")
              .where("jti", "=", linkJti)
              .where("workspace_id", "=", workspaceId),
          )
          .as("link_found"),
        eb
          .exists(
            eb
              .selectFrom("spent_tokens")
              .select("jti")
              .where("workspace_id", "=", workspaceId)
              .where("jti", "=", jti),
          )
          .as("spent"),
      ]),
);

/** Scope configs of the workspace by id, not deleted: up to two in one read (a null id is none). */
const scopeConfigsByIds = prepared(
  (db, workspaceId: PreparedParam, first: PreparedParam, second: PreparedParam) =>
    db
      .selectFrom("scope_configs")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("id", "in", [first, second])
      .where("deleted_at", "is", null),
);

/** The integration's current scope config and the token's target one, read together. */
async function scopesNamed(
  db: RelinkContext["db"],
  workspaceId: string,
  integration: IntegrationRow | null,
  targetId: string | undefined,
): Promise<Omit<NamedRows, "integration">> {
  const currentId = integration?.scope_config_id ?? null;
  if (currentId === null && targetId === undefined) return { currentScope: null, targetScope: null };
  const rows = await scopeConfigsByIds(db, workspaceId, currentId, targetId ?? null);
  const byId = (id: string | null | undefined) => (id ? (rows.find((r) => r.id === id) ?? null) : null);
  return { currentScope: byId(currentId), targetScope: byId(targetId) };
}

/** A signing key by id (any workspace, revoked or not) and its workspace's allowed origins. */
const keyById = prepared((db, kid: PreparedParam) =>
  db
    .selectFrom("signing_keys as k")
    .leftJoin("workspaces as w", "w.id", "k.workspace_id")
    .selectAll("k")
    .select(["w.allowed_origins", "w.brand_product_name", "w.brand_logo_url", "w.brand_accent_color"])
    .where("k.id", "=", kid),
);

/** SQLite answers `exists` with 0 or 1, PostgreSQL with a boolean. */
const truthy = (value: unknown) => value === true || value === 1;

const spentTokenByJti = prepared((db, workspaceId: PreparedParam, jti: PreparedParam) =>
  db.selectFrom("spent_tokens").select("jti").where("workspace_id", "=", workspaceId).where("jti", "=", jti),
);

/**
 * True once a token of the workspace with this `jti` has completed a flow. Token ids are the
 * workspace's own: another workspace's token with the same `jti` is another token.
 */
export async function isFlowTokenSpent(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  jti: string,
): Promise<boolean> {
  return (await spentTokenByJti(ctx.db, workspaceId, jti)).length > 0;
}

/**
 * Marks a token as having completed its flow, in the transaction that completes it. A second
 * completion with the same `jti` in the same workspace (a race between two submissions) throws
 * `TOKEN_ALREADY_USED` (a 409) and so rolls that transaction back.
 *
 * @example
 * ```ts
 * await inTransaction(ctx, async (tx) => {
 *   await spendFlowToken(tx.db, { jti: claims.jti, workspaceId, integrationId, at: iso(ctx.clock.now()) });
 *   // … replace the credentials
 * });
 * ```
 */
export async function spendFlowToken(
  db: RelinkContext["db"],
  spent: { jti: string; workspaceId: string; integrationId: string; at: string },
): Promise<void> {
  const result = await db
    .insertInto("spent_tokens")
    .values({
      jti: spent.jti,
      workspace_id: spent.workspaceId,
      integration_id: spent.integrationId,
      spent_at: spent.at,
    })
    .onConflict((oc) => oc.columns(["workspace_id", "jti"]).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw refuse("TOKEN_ALREADY_USED");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
