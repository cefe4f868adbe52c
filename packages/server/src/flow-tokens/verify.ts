import { KeyObject } from "node:crypto";
import {
  CLOCK_SKEW,
  type ErrorCode,
  type FlowTokenClaims,
  FlowTokenClaimsSchema,
  isRelinkAudience,
  MAX_LINK_LIFETIME,
  MAX_SDK_TOKEN_LIFETIME,
  MAX_TOKEN_BYTES,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  TOKEN_AUDIENCE,
  TOKEN_TYPE,
} from "@relink/sdk/contract";
import { type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import { ApiError } from "../http/errors.ts";
import { decodeProtectedHeader, verifyHs256Jwt } from "./hs256.ts";
import { isServerKeyId, verificationKey } from "./keys.ts";

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
}

export interface VerifyFlowTokenOptions {
  /** Longest accepted `exp - iat` of tokens the server did not make, in seconds; default and maximum 1 hour. */
  maxLifetimeSeconds?: number;
}

/** A refusal: the code says which check failed; the message adds nothing an attacker could use. */
const refuse = (code: ErrorCode, status: 401 | 409 = 401): ApiError =>
  new ApiError(status, code, REFUSALS[code] ?? "The flow token was refused.");

/**
 * A claim missing or invalid, named in the message and in `details.claim` (a dotted path such as
 * `end_user.organization_name`), never quoting its value. Only ever said of a token whose signature
 * was checked: whoever reads it holds the signing key.
 */
const refuseClaim = (code: "TOKEN_CLAIM_MISSING" | "TOKEN_CLAIM_INVALID", claim: string): ApiError =>
  new ApiError(
    401,
    code,
    code === "TOKEN_CLAIM_MISSING"
      ? `The flow token lacks the required claim ${claim}.`
      : `The flow token's claim ${claim} is invalid.`,
    { claim },
  );

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  TOKEN_MISSING: "A flow token is required.",
  TOKEN_TOO_LARGE: `The flow token is larger than ${MAX_TOKEN_BYTES} bytes.`,
  TOKEN_MALFORMED: "The flow token is not a well-formed JWT.",
  TOKEN_TYPE_INVALID: `The flow token's typ must be ${TOKEN_TYPE}.`,
  TOKEN_ALGORITHM_INVALID: "The flow token's algorithm is not accepted for its key.",
  TOKEN_KEY_UNKNOWN: "The flow token's signing key is unknown.",
  TOKEN_KEY_REVOKED: "The flow token's signing key was revoked.",
  TOKEN_SIGNATURE_INVALID: "The flow token's signature is invalid.",
  TOKEN_AUDIENCE_INVALID: `The flow token's audience must be ${TOKEN_AUDIENCE}.`,
  TOKEN_ISSUER_INVALID: "The flow token's issuer is not its signing key's workspace.",
  TOKEN_EXPIRED: "The flow token has expired.",
  TOKEN_NOT_YET_VALID: "The flow token is not valid yet.",
  TOKEN_LIFETIME_TOO_LONG: "The flow token lives longer than allowed.",
  TOKEN_CLAIM_MISSING: "The flow token lacks a required claim.",
  TOKEN_CLAIM_INVALID: "The flow token has an invalid claim.",
  TOKEN_SUBJECT_UNKNOWN: "The flow token's integration does not exist.",
  TOKEN_SCOPE_CONFIG_UNKNOWN: "The flow token's scope config does not exist.",
  TOKEN_ALREADY_USED: "This flow token has already completed a flow.",
};

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const KID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Checks a flow token (DESIGN section 3) and returns its typed claims, or throws an `ApiError`
 * (401, or 409 `TOKEN_ALREADY_USED`) whose code names the one check that failed.
 *
 * The checks, in order: presence, size (before any parsing), form, `alg` (in the list), `typ`,
 * `kid` (known, not revoked), `alg` pinned to the key's algorithm (so an HMAC can never be checked
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
  ctx: Pick<RelinkContext, "db" | "clock" | "secrets" | "connectors">,
  token: string | null | undefined,
  options: VerifyFlowTokenOptions = {},
): Promise<VerifiedFlowToken> {
  if (token === null || token === undefined || token.trim() === "") throw refuse("TOKEN_MISSING");
  // Length in UTF-16 units bounds the UTF-8 size from below; a well-formed token is ASCII anyway.
  if (token.length > MAX_TOKEN_BYTES || new TextEncoder().encode(token).length > MAX_TOKEN_BYTES) {
    throw refuse("TOKEN_TOO_LARGE");
  }
  if (!COMPACT_JWS.test(token)) throw refuse("TOKEN_MALFORMED");

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw refuse("TOKEN_MALFORMED");
  }
  const alg = header.alg;
  if (typeof alg !== "string" || !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
    throw refuse("TOKEN_ALGORITHM_INVALID");
  }
  if (typeof header.typ !== "string" || normalizeTyp(header.typ) !== normalizeTyp(TOKEN_TYPE)) {
    throw refuse("TOKEN_TYPE_INVALID");
  }
  if (typeof header.kid !== "string" || !KID.test(header.kid)) throw refuse("TOKEN_KEY_UNKNOWN");

  // The key row (with its revocation: read on every call) and its workspace's allowed origins.
  // Nothing else of the token is looked up before its signature is checked: the kid was checked
  // against a strict pattern above, and nothing of the payload is read until the signature holds.
  const [key] = await keyById(ctx.db, header.kid);
  if (!key) throw refuse("TOKEN_KEY_UNKNOWN");
  if (key.revoked_at !== null) throw refuse("TOKEN_KEY_REVOKED");
  const algorithm = key.algorithm as SigningAlgorithm;
  if (alg !== algorithm) throw refuse("TOKEN_ALGORITHM_INVALID");

  const now = ctx.clock.now();
  // Outside the try: a key that cannot be opened is the server's fault (500), not the token's.
  const verifyWith = await verificationKey(ctx, key);
  const verifyOptions = {
    algorithms: [algorithm],
    typ: TOKEN_TYPE,
    currentDate: now,
    clockTolerance: CLOCK_SKEW,
  };
  let payload: JWTPayload;
  try {
    // HS256 (a secret KeyObject): jose's checks with a synchronous HMAC; public keys: jose itself.
    ({ payload } =
      verifyWith instanceof KeyObject
        ? verifyHs256Jwt(token, verifyWith, verifyOptions, header)
        : await jwtVerify(token, verifyWith, verifyOptions));
  } catch (error) {
    throw refusalOf(error);
  }

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!("aud" in payload)) throw refuseClaim("TOKEN_CLAIM_MISSING", "aud");
  if (!isRelinkAudience(payload.aud)) throw refuse("TOKEN_AUDIENCE_INVALID");
  if (!("iss" in payload)) throw refuseClaim("TOKEN_CLAIM_MISSING", "iss");
  if (payload.iss !== key.workspace_id) throw refuse("TOKEN_ISSUER_INVALID");
  // jose has checked that exp, nbf and iat are numbers when present, and exp and nbf against now.
  if (payload.exp === undefined) throw refuseClaim("TOKEN_CLAIM_MISSING", "exp");
  if (payload.iat === undefined) throw refuseClaim("TOKEN_CLAIM_MISSING", "iat");
  if (payload.iat > nowSeconds + CLOCK_SKEW) throw refuse("TOKEN_NOT_YET_VALID");

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
  const [row] = await referencesQuery(
    ctx.db,
    workspaceId,
    // Only the server's own key can sign a link that outlives an SDK token, and only for a link it recorded.
    isServerKeyId(key.id) ? claims.jti : null,
    claims.flow === "relink" ? claims.sub : null,
    claims.scope_config_id ?? null,
    claims.jti,
  );
  const found = references(row);
  const serverIssued = isServerKeyId(key.id) && found.link;
  const maxLifetime = serverIssued
    ? MAX_LINK_LIFETIME
    : Math.min(options.maxLifetimeSeconds ?? MAX_SDK_TOKEN_LIFETIME, MAX_SDK_TOKEN_LIFETIME);
  if (lifetime > maxLifetime) throw refuse("TOKEN_LIFETIME_TOO_LONG");

  if (claims.flow === "relink" && !found.subject) throw refuse("TOKEN_SUBJECT_UNKNOWN");
  if (claims.scope_config_id !== undefined && !found.scopeConfig) throw refuse("TOKEN_SCOPE_CONFIG_UNKNOWN");
  if (found.spent) throw refuse("TOKEN_ALREADY_USED", 409);

  return {
    claims,
    workspaceId,
    keyId: key.id,
    serverIssued,
    expiresAt: new Date(claims.exp * 1000),
    allowedOrigins: key.allowed_origins ?? [],
  };
}

/**
 * Whether the workspace recorded a link with `linkJti`, has the integration `subjectId` and the
 * (not deleted) scope config `scopeConfigId`, and whether `jti` is spent. A null id is looked up
 * as nothing.
 */
const referencesQuery = prepared(
  (
    db,
    workspaceId: PreparedParam,
    linkJti: PreparedParam,
    subjectId: PreparedParam,
    scopeConfigId: PreparedParam,
    jti: PreparedParam,
  ) =>
    db.selectNoFrom((eb) => [
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
            .selectFrom("integrations")
            .select("id")
            .where("id", "=", subjectId)
            .where("workspace_id", "=", workspaceId),
        )
        .as("subject_found"),
      eb
        .exists(
          eb
            .selectFrom("scope_configs")
            .select("id")
            .where("id", "=", scopeConfigId)
            .where("workspace_id", "=", workspaceId)
            .where("deleted_at", "is", null),
        )
        .as("scope_config_found"),
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

/** A signing key by id (any workspace, revoked or not) and its workspace's allowed origins. */
const keyById = prepared((db, kid: PreparedParam) =>
  db
    .selectFrom("signing_keys as k")
    .leftJoin("workspaces as w", "w.id", "k.workspace_id")
    .selectAll("k")
    .select("w.allowed_origins")
    .where("k.id", "=", kid),
);

/** SQLite answers `exists` with 0 or 1, PostgreSQL with a boolean. */
const truthy = (value: unknown) => value === true || value === 1;

type ReferenceFlags = {
  link_found: unknown;
  subject_found: unknown;
  scope_config_found: unknown;
  spent: unknown;
};

/** The flags of `referencesQuery` as booleans. */
const references = (row: ReferenceFlags | undefined) => ({
  link: truthy(row?.link_found),
  subject: truthy(row?.subject_found),
  scopeConfig: truthy(row?.scope_config_found),
  spent: truthy(row?.spent),
});

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
 * `409 TOKEN_ALREADY_USED` and so rolls that transaction back.
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
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw refuse("TOKEN_ALREADY_USED", 409);
}

/** The refusal for what jose (or `verifyHs256Jwt`) threw. */
function refusalOf(error: unknown): ApiError {
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse("TOKEN_SIGNATURE_INVALID");
  if (error instanceof joseErrors.JWTExpired) return refuse("TOKEN_EXPIRED");
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return refuse("TOKEN_ALGORITHM_INVALID");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "typ") return refuse("TOKEN_TYPE_INVALID");
    // Claim checks run only after the signature held.
    if (error.reason === "missing") return refuseClaim("TOKEN_CLAIM_MISSING", error.claim);
    if (error.reason === "invalid") return refuseClaim("TOKEN_CLAIM_INVALID", error.claim);
    if (error.claim === "nbf" || error.claim === "iat") return refuse("TOKEN_NOT_YET_VALID");
    return refuseClaim("TOKEN_CLAIM_INVALID", error.claim);
  }
  // JWSInvalid, JWTInvalid (payload not a JSON object), JOSENotSupported (unknown `crit`), and
  // anything else about the token's form.
  return refuse("TOKEN_MALFORMED");
}

/** `typ` compares like a media type: case-insensitive, `application/` optional (RFC 7515 §4.1.9). */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes("/") ? lower : `application/${lower}`;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
