import { importJWK, type JWK, SignJWT } from "jose";
import {
  FlowTokenClaimsSchema,
  LOCALES,
  type Locale,
  MAX_SDK_TOKEN_LIFETIME,
  TOKEN_AUDIENCE,
  TOKEN_TYPE,
} from "../contract/flow-tokens.ts";
import { isStorableText } from "../contract/text.ts";
import { randomBase64Url, utf8 } from "./encoding.ts";

/**
 * A workspace signing key (`POST /v1/signing-keys`): `{ id, secret }` for HS256 with the secret the
 * server returned, or `{ id, privateKey }` for EdDSA (Ed25519) and ES256 (P-256) with the private
 * half of the registered public key, as a JWK or a WebCrypto `CryptoKey`.
 *
 * @example
 * ```ts
 * const hmac: FlowTokenSigningKey = { id: "sk_01jd5x3m9k…", secret: process.env.RELINK_SIGNING_SECRET! };
 * const ed25519: FlowTokenSigningKey = { id: "sk_01jd5x3m9k…", privateKey: JSON.parse(process.env.RELINK_SIGNING_JWK!) };
 * ```
 */
export type FlowTokenSigningKey = HmacSigningKey | PrivateSigningKey;

/**
 * An HS256 key: the HMAC key is the secret string's UTF-8 bytes, so any JWT library given the
 * string as its secret signs the same way.
 *
 * @example
 * ```ts
 * const key: HmacSigningKey = { id: created.id, secret: created.secret };
 * ```
 */
export interface HmacSigningKey {
  /** The key id, `sk_…`: the token's `kid`. */
  id: string;
  /** The base64url secret returned once by `POST /v1/signing-keys {"algorithm":"HS256"}`. */
  secret: string;
}

/**
 * An EdDSA or ES256 key whose public half is registered with relink.
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
 * // register: POST /v1/signing-keys { algorithm: "EdDSA", public_jwk: await crypto.subtle.exportKey("jwk", publicKey) }
 * const key: PrivateSigningKey = { id: registered.id, privateKey };
 * ```
 */
export interface PrivateSigningKey {
  /** The key id, `sk_…`: the token's `kid`. */
  id: string;
  /** An Ed25519 or P-256 private key; the algorithm follows from it. */
  privateKey: JWK | CryptoKey;
}

/**
 * Who the connect flow is for: the customer organisation in the product.
 *
 * @example
 * ```ts
 * const endUser: FlowEndUser = { originId: org.id, organizationName: org.name, email: org.adminEmail };
 * ```
 */
export interface FlowEndUser {
  /** The product's own id of the organisation. */
  originId: string;
  organizationName: string;
  email?: string;
}

interface MintOptions {
  /** The workspace id (`ws_…`): the token's `iss`. */
  workspaceId: string;
  key: FlowTokenSigningKey;
  /** Target scope config (`sc_…`); absent = keep the current one (relink) or the workspace default (connect). */
  scopeConfigId?: string;
  /** Language of the flow; default: the end user's browser language. */
  locale?: Locale;
  /** Seconds, or a duration such as `"10m"` or `"1h"`; default 15 minutes, at most 1 hour. */
  expiresIn?: number | string;
  /** The time the token is issued at; default now. For tests with a frozen clock. */
  now?: Date;
  /** The token's unique id; default 24 random bytes, base64url. */
  jti?: string;
}

/**
 * Options of `mintRelinkToken`.
 *
 * @example
 * ```ts
 * const options: MintRelinkTokenOptions = { workspaceId, key, integrationId, expiresIn: "10m" };
 * ```
 */
export interface MintRelinkTokenOptions extends MintOptions {
  /** The integration (`int_…`) whose credentials the end user replaces. */
  integrationId: string;
}

/**
 * Options of `mintConnectToken`.
 *
 * @example
 * ```ts
 * const options: MintConnectTokenOptions = { workspaceId, key, endUser: { originId: "org_42", organizationName: "Acme" } };
 * ```
 */
export interface MintConnectTokenOptions extends MintOptions {
  endUser: FlowEndUser;
  /** Preselected tool id; absent = the end user picks one. */
  tool?: string;
}

const DEFAULT_LIFETIME = 15 * 60;
const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{10,40}$`);

/**
 * Mints a flow token that lets the end user replace the credentials of one integration, offline
 * (no call to the server). Hand it to `<relink-connect token="…">`.
 *
 * @throws TypeError on a missing or malformed option (ids, key, lifetime over 1 hour).
 * @example
 * ```ts
 * import { mintRelinkToken } from "@relink/sdk/server";
 *
 * const token = await mintRelinkToken({
 *   workspaceId: process.env.RELINK_WORKSPACE_ID!,
 *   key: { id: process.env.RELINK_SIGNING_KEY_ID!, secret: process.env.RELINK_SIGNING_SECRET! },
 *   integrationId: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
 *   scopeConfigId: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s",
 *   locale: "de",
 *   expiresIn: "10m",
 * });
 * ```
 */
export async function mintRelinkToken(options: MintRelinkTokenOptions): Promise<string> {
  checkObject(options, "mintRelinkToken options");
  checkId(options.integrationId, "int", "integrationId", "an integration id such as int_01jd5x3m9k…");
  return mint(options, { flow: "relink", sub: options.integrationId });
}

/**
 * Mints a flow token that lets an end user connect a new integration, offline (no call to the
 * server).
 *
 * @throws TypeError on a missing or malformed option.
 * @example
 * ```ts
 * import { mintConnectToken } from "@relink/sdk/server";
 * import { readFileSync } from "node:fs";
 *
 * const token = await mintConnectToken({
 *   workspaceId: "ws_01jd5x3m9k2q8r7t6y5w4v3u2s",
 *   key: { id: "sk_01jd5x3m9k2q8r7t6y5w4v3u2s", privateKey: JSON.parse(readFileSync("relink-ed25519.jwk", "utf8")) },
 *   endUser: { originId: "org_42", organizationName: "Acme GmbH", email: "it@acme.example" },
 *   tool: "demo-hris",
 * });
 * ```
 */
export async function mintConnectToken(options: MintConnectTokenOptions): Promise<string> {
  checkObject(options, "mintConnectToken options");
  const { endUser, tool } = options;
  checkObject(endUser, "endUser");
  checkText(endUser.originId, "endUser.originId", 200);
  checkText(endUser.organizationName, "endUser.organizationName", 200);
  if (endUser.email !== undefined) {
    checkText(endUser.email, "endUser.email", 320);
    if (!/^[^\s@]+@[^\s@]+$/.test(endUser.email))
      throw new TypeError("endUser.email must be an email address");
  }
  if (tool !== undefined) checkText(tool, "tool", 100);
  return mint(options, {
    flow: "connect",
    ...(tool === undefined ? {} : { tool }),
    end_user: {
      origin_id: endUser.originId,
      organization_name: endUser.organizationName,
      ...(endUser.email === undefined ? {} : { email: endUser.email }),
    },
  });
}

async function mint(options: MintOptions, flowClaims: Record<string, unknown>): Promise<string> {
  checkId(options.workspaceId, "ws", "workspaceId", "the workspace id (ws_…) the key belongs to");
  if (options.scopeConfigId !== undefined) {
    checkId(options.scopeConfigId, "sc", "scopeConfigId", "a scope config id such as sc_01jd5x3m9k…");
  }
  if (options.locale !== undefined && !(LOCALES as readonly string[]).includes(options.locale)) {
    throw new TypeError(`locale must be one of ${LOCALES.join(", ")}`);
  }
  const lifetime = parseExpiresIn(options.expiresIn);
  if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
    throw new TypeError("now must be a valid Date");
  }
  if (options.jti !== undefined && !/^[\x21-\x7e]{16,128}$/.test(options.jti)) {
    throw new TypeError("jti must be 16 to 128 printable ASCII characters");
  }
  const { kid, alg, signingKey } = await resolveKey(options.key);

  const iat = Math.floor((options.now?.getTime() ?? Date.now()) / 1000);
  const claims = {
    ...flowClaims,
    ...(options.scopeConfigId === undefined ? {} : { scope_config_id: options.scopeConfigId }),
    ...(options.locale === undefined ? {} : { locale: options.locale }),
    iss: options.workspaceId,
    aud: TOKEN_AUDIENCE,
    jti: options.jti ?? randomBase64Url(24),
    iat,
    exp: iat + lifetime,
  };
  // The server's own check of the claims: a token minted here is never refused for its claims.
  const checked = FlowTokenClaimsSchema.safeParse(claims);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new TypeError(
      `the token's claim ${issue?.path.join(".") || "set"} ${issue?.message ?? "is invalid"}`,
    );
  }
  return new SignJWT(claims).setProtectedHeader({ alg, typ: TOKEN_TYPE, kid }).sign(signingKey);
}

type Algorithm = "HS256" | "EdDSA" | "ES256";

async function resolveKey(
  key: FlowTokenSigningKey,
): Promise<{ kid: string; alg: Algorithm; signingKey: CryptoKey | Uint8Array }> {
  if (key === null || typeof key !== "object") {
    throw new TypeError("key is required: { id, secret } (HS256) or { id, privateKey } (EdDSA, ES256)");
  }
  checkId(key.id, "sk", "key.id", "a signing key id such as sk_01jd5x3m9k…");
  if ("secret" in key && key.secret !== undefined) {
    if (typeof key.secret !== "string" || !/^[A-Za-z0-9_-]{32,}$/.test(key.secret)) {
      throw new TypeError(
        "key.secret must be the base64url secret returned by POST /v1/signing-keys (43 characters)",
      );
    }
    // The HMAC key is the secret string's bytes, as every JWT library uses a string secret.
    return { kid: key.id, alg: "HS256", signingKey: utf8(key.secret) };
  }
  if (!("privateKey" in key) || key.privateKey === null || typeof key.privateKey !== "object") {
    throw new TypeError("key needs either secret (HS256) or privateKey (EdDSA, ES256)");
  }
  const privateKey = key.privateKey;
  if (isCryptoKey(privateKey)) {
    if (privateKey.type !== "private") throw new TypeError("key.privateKey must be a private key");
    const algorithm = privateKey.algorithm as { name: string; namedCurve?: string };
    if (algorithm.name === "Ed25519") return { kid: key.id, alg: "EdDSA", signingKey: privateKey };
    if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") {
      return { kid: key.id, alg: "ES256", signingKey: privateKey };
    }
    throw new TypeError("key.privateKey must be an Ed25519 (EdDSA) or P-256 ECDSA (ES256) key");
  }
  const jwk = privateKey as JWK;
  const alg: Algorithm | undefined =
    jwk.kty === "OKP" && jwk.crv === "Ed25519"
      ? "EdDSA"
      : jwk.kty === "EC" && jwk.crv === "P-256"
        ? "ES256"
        : undefined;
  if (!alg) throw new TypeError("key.privateKey must be an Ed25519 (OKP) or P-256 (EC) JWK");
  if (typeof jwk.d !== "string") {
    throw new TypeError("key.privateKey is a public JWK: minting needs the private key (with d)");
  }
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === "EdDSA" && jwk.alg === "Ed25519")) {
    throw new TypeError(`key.privateKey says alg ${jwk.alg}, but it is a ${alg} key`);
  }
  try {
    return { kid: key.id, alg, signingKey: (await importJWK({ ...jwk, alg }, alg)) as CryptoKey };
  } catch (error) {
    throw new TypeError("key.privateKey is not a valid private JWK", { cause: error });
  }
}

function isCryptoKey(value: object): value is CryptoKey {
  if (typeof CryptoKey !== "undefined" && value instanceof CryptoKey) return true;
  const candidate = value as Partial<CryptoKey>;
  return typeof candidate.type === "string" && typeof candidate.algorithm === "object" && !("kty" in value);
}

/** Seconds from `expiresIn`: a positive whole number, or a duration string (`90s`, `10m`, `1h`). */
function parseExpiresIn(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_LIFETIME;
  let seconds: number;
  if (typeof value === "number") {
    seconds = value;
  } else if (typeof value === "string") {
    const match = /^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)$/i.exec(value.trim());
    if (!match) {
      throw new TypeError(
        `expiresIn "${value}" is not a duration; write seconds (900) or "90s", "15m", "1h"`,
      );
    }
    const unit = match[2]!.toLowerCase()[0];
    seconds = Number(match[1]) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1);
  } else {
    throw new TypeError("expiresIn must be a number of seconds or a duration string");
  }
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new TypeError("expiresIn must be a whole, positive number of seconds");
  }
  if (seconds > MAX_SDK_TOKEN_LIFETIME) {
    throw new TypeError(
      `expiresIn must be at most 1 hour (${MAX_SDK_TOKEN_LIFETIME} s); for longer links use POST /v1/integrations/:id/relink`,
    );
  }
  return seconds;
}

function checkObject(value: unknown, name: string): void {
  if (value === null || typeof value !== "object") throw new TypeError(`${name} must be an object`);
}

function checkId(value: unknown, prefix: string, name: string, expected: string): void {
  if (typeof value !== "string" || !ID(prefix).test(value)) {
    throw new TypeError(`${name} must be ${expected}; got ${describe(value)}`);
  }
}

function checkText(value: unknown, name: string, max: number): void {
  if (typeof value !== "string" || value.trim() === "" || value.trim().length > max) {
    throw new TypeError(`${name} must be a non-empty string of at most ${max} characters`);
  }
  if (!isStorableText(value)) {
    throw new TypeError(`${name} must not contain NUL characters or unpaired surrogates`);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? "null" : typeof value;
}
