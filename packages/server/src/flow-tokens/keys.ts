import { createSecretKey, type KeyObject, randomBytes, type webcrypto } from "node:crypto";
import {
  ID_PREFIXES,
  type PublicJwk,
  type SigningAlgorithm,
  type SigningKey,
  type SigningKeyCreate,
  type SigningKeyCreated,
} from "@relink/sdk/contract";
import { importJWK } from "jose";
import type { Kysely, Selectable } from "kysely";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { Database, SigningKeyTable } from "../db/schema.ts";
import { toJson } from "../db/schema.ts";
import { ApiError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import type { SecretBox } from "../secrets.ts";

/**
 * Flow-token signing keys. A workspace registers its own (`sk_…`: an HS256 secret generated here,
 * or a public JWK whose private half never leaves the product's backend); the server keeps one
 * HS256 key of its own per workspace (`sks_…`) for the links it makes, created on first use and
 * never listed, returned or deletable through the API.
 */

export type SigningKeyRow = Selectable<SigningKeyTable>;

const CUSTOMER_PREFIX = ID_PREFIXES.signingKey;
const SERVER_PREFIX = ID_PREFIXES.serverSigningKey;

/** `LIKE` pattern of the server's keys (`_` matches itself too; customer ids start `sk_`, never `sks`). */
export const SERVER_KEY_PATTERN = `${SERVER_PREFIX}_%`;

/** True for the server's own key of a workspace. */
export const isServerKeyId = (id: string): boolean => id.startsWith(`${SERVER_PREFIX}_`);

// Binds each sealed secret to its row: a secret copied into another row does not open.
const sealContext = (id: string) => `signing_key:${id}`;

/** A new HMAC secret: base64url of 32 random bytes (256 bits, the HS256 block-size recommendation). */
const newHmacSecret = () => randomBytes(32).toString("base64url");

export function toSigningKey(row: SigningKeyRow): SigningKey {
  return {
    id: row.id,
    algorithm: row.algorithm as SigningAlgorithm,
    public_jwk: (row.public_jwk as PublicJwk | null) ?? null,
    created_at: row.created_at,
  };
}

/** Creates a key of the workspace from a validated `POST /v1/signing-keys` body. */
export async function createSigningKey(
  ctx: Pick<RelinkContext, "db" | "clock" | "secrets">,
  workspaceId: string,
  body: SigningKeyCreate,
): Promise<SigningKeyCreated> {
  const now = ctx.clock.now();
  const id = newId(CUSTOMER_PREFIX, now.getTime());
  const created_at = iso(now);
  if (body.algorithm === "HS256") {
    const secret = newHmacSecret();
    await ctx.db
      .insertInto("signing_keys")
      .values({
        id,
        workspace_id: workspaceId,
        algorithm: "HS256",
        secret_sealed: ctx.secrets.seal(secret, sealContext(id)),
        public_jwk: null,
        created_at,
      })
      .execute();
    return { id, algorithm: "HS256", public_jwk: null, secret, created_at };
  }
  const publicJwk = await checkedPublicJwk(body.algorithm, body.public_jwk);
  await ctx.db
    .insertInto("signing_keys")
    .values({
      id,
      workspace_id: workspaceId,
      algorithm: body.algorithm,
      secret_sealed: null,
      public_jwk: toJson(publicJwk),
      created_at,
    })
    .execute();
  return { id, algorithm: body.algorithm, public_jwk: publicJwk, created_at };
}

/**
 * Keeps only the public members of a registered JWK and proves that it is a usable key (a point
 * on the curve): the schema has already refused a private `d` and the wrong key type or curve.
 */
async function checkedPublicJwk(
  algorithm: "EdDSA" | "ES256",
  jwk: { kty: string; crv: string; x: string; y?: string },
): Promise<PublicJwk> {
  const publicJwk: PublicJwk =
    algorithm === "EdDSA"
      ? { kty: "OKP", crv: "Ed25519", x: jwk.x }
      : { kty: "EC", crv: "P-256", x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) };
  try {
    await importJWK(publicJwk, algorithm);
  } catch {
    throw new ApiError(
      400,
      "INVALID_REQUEST",
      `Invalid request: body.public_jwk: not a valid ${algorithm === "EdDSA" ? "Ed25519" : "P-256"} public key`,
      {
        issues: [{ path: "body.public_jwk", code: "invalid_key", message: "not a valid public key" }],
      },
    );
  }
  return publicJwk;
}

const signingKeyById = prepared((db, id: PreparedParam) =>
  db.selectFrom("signing_keys").selectAll().where("id", "=", id),
);

/**
 * Any key by id (the `kid` of a token), of any workspace, revoked or not. Read from the database on
 * every call (one primary-key lookup, compiled once): a revocation by any replica counts at once.
 */
export async function findSigningKey(db: Kysely<Database>, id: string): Promise<SigningKeyRow | undefined> {
  return (await signingKeyById(db, id))[0];
}

/** Revokes a key of the workspace; tokens it signed are refused from now on. False if there is none. */
export async function revokeSigningKey(
  ctx: Pick<RelinkContext, "db" | "clock">,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  if (isServerKeyId(id)) return false;
  const result = await ctx.db
    .updateTable("signing_keys")
    .set({ revoked_at: iso(ctx.clock.now()) })
    .where("id", "=", id)
    .where("workspace_id", "=", workspaceId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The key a token's signature is checked with: an HMAC secret key, or the imported public key. */
export type VerificationKey = KeyObject | webcrypto.CryptoKey;

/** Most derived keys kept per server (least recently used go first). */
export const VERIFICATION_KEY_CACHE_SIZE = 256;

interface DerivedKey {
  /** What the key was derived from: the sealed secret or the public JWK, with the algorithm. */
  source: string;
  key: VerificationKey;
}

// Per SecretBox (one per server): a server opens only what its own encryption keys open.
const derivedKeys = new WeakMap<SecretBox, Map<string, DerivedKey>>();

/**
 * The key a token's signature is checked with: the HMAC secret opened from its sealed value (as a
 * `KeyObject`, whose bytes never appear when it is logged or inspected), or the imported public JWK.
 *
 * Opening and importing cost more than checking a signature, so the result is kept per key id and
 * reused only while the row still holds the same sealed secret or public key (a re-sealed,
 * re-created or replaced key derives anew). The cache is no authority on whether the key may be
 * used: the caller reads the row, with `revoked_at`, on every verification.
 */
export async function verificationKey(
  ctx: Pick<RelinkContext, "secrets">,
  row: SigningKeyRow,
): Promise<VerificationKey> {
  const source =
    row.algorithm === "HS256"
      ? `HS256\u0000${row.secret_sealed ?? ""}`
      : `${row.algorithm}\u0000${JSON.stringify(row.public_jwk)}`;
  let cache = derivedKeys.get(ctx.secrets);
  if (!cache) {
    cache = new Map();
    derivedKeys.set(ctx.secrets, cache);
  }
  const cached = cache.get(row.id);
  if (cached?.source === source) {
    cache.delete(row.id); // re-inserted: most recently used last
    cache.set(row.id, cached);
    return cached.key;
  }
  const key = await deriveVerificationKey(ctx, row);
  cache.delete(row.id);
  cache.set(row.id, { source, key });
  while (cache.size > VERIFICATION_KEY_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return key;
}

/** How many derived keys a server keeps (for tests of the bound). */
export function cachedVerificationKeyCount(secrets: SecretBox): number {
  return derivedKeys.get(secrets)?.size ?? 0;
}

async function deriveVerificationKey(
  ctx: Pick<RelinkContext, "secrets">,
  row: SigningKeyRow,
): Promise<VerificationKey> {
  if (row.algorithm === "HS256") {
    if (!row.secret_sealed) throw new Error(`signing key ${row.id} has no secret`);
    // The HMAC key is the secret's UTF-8 bytes, as the SDK signs with.
    const bytes = Buffer.from(ctx.secrets.open(row.secret_sealed, sealContext(row.id)), "utf8");
    if (bytes.length === 0) throw new Error(`signing key ${row.id} has an empty secret`);
    const key = createSecretKey(bytes);
    bytes.fill(0);
    return key;
  }
  if (!row.public_jwk) throw new Error(`signing key ${row.id} has no public key`);
  return (await importJWK(row.public_jwk as PublicJwk, row.algorithm)) as webcrypto.CryptoKey;
}

// One creation in flight per workspace and process; across processes a duplicate is harmless
// (both keys are valid, the oldest is used).
const creating = new Map<string, Promise<ServerSigningKey>>();

export interface ServerSigningKey {
  id: string;
  /** The HMAC key bytes. */
  secret: Uint8Array;
}

/** The server's own HS256 key for the workspace, created on first use. */
export async function serverSigningKey(
  ctx: Pick<RelinkContext, "db" | "clock" | "secrets">,
  workspaceId: string,
): Promise<ServerSigningKey> {
  const existing = await findServerKey(ctx, workspaceId);
  if (existing) return existing;
  let pending = creating.get(workspaceId);
  if (!pending) {
    pending = (async () => {
      const now = ctx.clock.now();
      const id = newId(SERVER_PREFIX, now.getTime());
      await ctx.db
        .insertInto("signing_keys")
        .values({
          id,
          workspace_id: workspaceId,
          algorithm: "HS256",
          secret_sealed: ctx.secrets.seal(newHmacSecret(), sealContext(id)),
          public_jwk: null,
          created_at: iso(now),
        })
        .execute();
      const created = await findServerKey(ctx, workspaceId);
      if (!created) throw new Error("the server signing key just created is missing");
      return created;
    })().finally(() => creating.delete(workspaceId));
    creating.set(workspaceId, pending);
  }
  return pending;
}

async function findServerKey(
  ctx: Pick<RelinkContext, "db" | "secrets">,
  workspaceId: string,
): Promise<ServerSigningKey | undefined> {
  const row = await ctx.db
    .selectFrom("signing_keys")
    .select(["id", "secret_sealed"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "like", SERVER_KEY_PATTERN)
    .where("revoked_at", "is", null)
    .orderBy("id", "asc")
    .limit(1)
    .executeTakeFirst();
  if (!row?.secret_sealed) return undefined;
  return {
    id: row.id,
    secret: new TextEncoder().encode(ctx.secrets.open(row.secret_sealed, sealContext(row.id))),
  };
}
