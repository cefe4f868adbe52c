import { KeyObject } from "node:crypto";
import {
  CLOCK_SKEW,
  type ErrorCode,
  type FlowTokenClaims,
  FlowTokenClaimsSchema,
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

  // The key row (with its revocation: read on every call), its workspace's allowed origins and
  // what the token names, in one read. The names come from the payload before its signature is
  // checked: they are only looked up here, and used below only if the checked claims say the same.
  const named = namedIds(token, header.kid);
  const [key] = await keyAndReferences(
    ctx.db,
    header.kid,
    named.linkJti,
    named.subjectId,
    named.scopeConfigId,
    named.jti,
  );
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
    throw refuse(refusalOf(error));
  }

  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!("aud" in payload)) throw refuse("TOKEN_CLAIM_MISSING");
  if (payload.aud !== TOKEN_AUDIENCE) throw refuse("TOKEN_AUDIENCE_INVALID");
  if (!("iss" in payload)) throw refuse("TOKEN_CLAIM_MISSING");
  if (payload.iss !== key.workspace_id) throw refuse("TOKEN_ISSUER_INVALID");
  // jose has checked that exp, nbf and iat are numbers when present, and exp and nbf against now.
  if (payload.exp === undefined || payload.iat === undefined) throw refuse("TOKEN_CLAIM_MISSING");
  if (payload.iat > nowSeconds + CLOCK_SKEW) throw refuse("TOKEN_NOT_YET_VALID");

  const parsed = FlowTokenClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const missing = parsed.error.issues.some((issue) => valueAt(payload, issue.path) === undefined);
    throw refuse(missing ? "TOKEN_CLAIM_MISSING" : "TOKEN_CLAIM_INVALID");
  }
  const claims = parsed.data;
  // A relink token names its integration in `sub`; a connect token creates one and must not.
  if (claims.flow === "connect" && "sub" in payload) throw refuse("TOKEN_CLAIM_INVALID");
  if (claims.flow === "connect" && claims.tool !== undefined && !ctx.connectors.get(claims.tool)) {
    throw refuse("TOKEN_CLAIM_INVALID");
  }

  const workspaceId = key.workspace_id;
  const lifetime = claims.exp - claims.iat;
  const ids: NamedIds = {
    // Only the server's own key can sign a link that outlives an SDK token, and only for a link it recorded.
    linkJti: isServerKeyId(key.id) ? claims.jti : null,
    subjectId: claims.flow === "relink" ? claims.sub : null,
    scopeConfigId: claims.scope_config_id ?? null,
    jti: claims.jti,
  };
  // What the token names, judged in the order of the checks below (read again if the checked
  // claims name other ids than the unchecked payload did, which a well-formed token never does).
  const found = sameIds(ids, named)
    ? references(key)
    : references(
        (
          await referencesQuery(ctx.db, workspaceId, ids.linkJti, ids.subjectId, ids.scopeConfigId, ids.jti)
        )[0],
      );
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
      eb.exists(eb.selectFrom("spent_tokens").select("jti").where("jti", "=", jti)).as("spent"),
    ]),
);

/** A signing key by id (any workspace, revoked or not), its workspace's origins, and `references`. */
const keyAndReferences = prepared(
  (
    db,
    kid: PreparedParam,
    linkJti: PreparedParam,
    subjectId: PreparedParam,
    scopeConfigId: PreparedParam,
    jti: PreparedParam,
  ) =>
    db
      .selectFrom("signing_keys as k")
      .leftJoin("workspaces as w", "w.id", "k.workspace_id")
      .selectAll("k")
      .select((eb) => [
        "w.allowed_origins",
        eb
          .exists(
            eb
              .selectFrom("relink_links as l")
              .select("l.id")
              .where("l.jti", "=", linkJti)
              .whereRef("l.workspace_id", "=", "k.workspace_id"),
          )
          .as("link_found"),
        eb
          .exists(
            eb
              .selectFrom("integrations as i")
              .select("i.id")
              .where("i.id", "=", subjectId)
              .whereRef("i.workspace_id", "=", "k.workspace_id"),
          )
          .as("subject_found"),
        eb
          .exists(
            eb
              .selectFrom("scope_configs as s")
              .select("s.id")
              .where("s.id", "=", scopeConfigId)
              .whereRef("s.workspace_id", "=", "k.workspace_id")
              .where("s.deleted_at", "is", null),
          )
          .as("scope_config_found"),
        eb.exists(eb.selectFrom("spent_tokens as t").select("t.jti").where("t.jti", "=", jti)).as("spent"),
      ])
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

/** The flags of `referencesQuery` (or of `keyAndReferences`) as booleans. */
const references = (row: ReferenceFlags | undefined) => ({
  link: truthy(row?.link_found),
  subject: truthy(row?.subject_found),
  scopeConfig: truthy(row?.scope_config_found),
  spent: truthy(row?.spent),
});

/** The ids a token names, for the reads that check them. */
interface NamedIds {
  linkJti: string | null;
  subjectId: string | null;
  scopeConfigId: string | null;
  jti: string | null;
}

const sameIds = (a: NamedIds, b: NamedIds) =>
  a.linkJti === b.linkJti &&
  a.subjectId === b.subjectId &&
  a.scopeConfigId === b.scopeConfigId &&
  a.jti === b.jti;

const text = (value: unknown) => (typeof value === "string" ? value : null);

/** The ids the payload names, before any check (nothing is trusted here: they are only looked up). */
function namedIds(token: string, kid: string): NamedIds {
  let payload: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    if (parsed !== null && typeof parsed === "object") payload = parsed as Record<string, unknown>;
  } catch {
    // A payload that is no JSON fails its checks later; nothing is looked up for it.
  }
  const jti = text(payload.jti);
  return {
    linkJti: isServerKeyId(kid) ? jti : null,
    subjectId: payload.flow === "relink" ? text(payload.sub) : null,
    scopeConfigId: text(payload.scope_config_id),
    jti,
  };
}

const spentTokenByJti = prepared((db, jti: PreparedParam) =>
  db.selectFrom("spent_tokens").select("jti").where("jti", "=", jti),
);

/** True once a token with this `jti` has completed a flow. */
export async function isFlowTokenSpent(ctx: Pick<RelinkContext, "db">, jti: string): Promise<boolean> {
  return (await spentTokenByJti(ctx.db, jti)).length > 0;
}

/**
 * Marks a token as having completed its flow, in the transaction that completes it. A second
 * completion with the same `jti` (a race between two submissions) throws `409 TOKEN_ALREADY_USED`
 * and so rolls that transaction back.
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
    .onConflict((oc) => oc.column("jti").doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw refuse("TOKEN_ALREADY_USED", 409);
}

function refusalOf(error: unknown): ErrorCode {
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "TOKEN_SIGNATURE_INVALID";
  if (error instanceof joseErrors.JWTExpired) return "TOKEN_EXPIRED";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "TOKEN_ALGORITHM_INVALID";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "typ") return "TOKEN_TYPE_INVALID";
    if (error.reason === "missing") return "TOKEN_CLAIM_MISSING";
    if (error.reason === "invalid") return "TOKEN_CLAIM_INVALID";
    if (error.claim === "nbf" || error.claim === "iat") return "TOKEN_NOT_YET_VALID";
    return "TOKEN_CLAIM_INVALID";
  }
  // JWSInvalid, JWTInvalid (payload not a JSON object), JOSENotSupported (unknown `crit`), and
  // anything else about the token's form.
  return "TOKEN_MALFORMED";
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
