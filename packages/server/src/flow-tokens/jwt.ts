import { isUtf8 } from "node:buffer";
import { CLOCK_SKEW, SIGNING_ALGORITHMS, type SigningAlgorithm, TOKEN_TYPE } from "@relink/sdk/contract";
import { createVerifier, TokenError } from "fast-jwt";
import { DomainError } from "../domain/errors.ts";
import { refuse, refuseClaim } from "./refusals.ts";

/**
 * The JWS layer of a flow token, on `fast-jwt` (Fastify's JWT library: node:crypto, synchronous
 * HMAC, ECDSA and Ed25519). The token is parsed once, by fast-jwt; between the parse and the
 * signature check, fast-jwt hands the header to `resolveKey` (the caller's key lookup).
 *
 * The checks, in order, each refusal a `DomainError` naming the one that failed:
 * 1. the compact form: three base64url parts (nothing else: no padding, no whitespace, no part of
 *    4n+1 characters), header and payload UTF-8 → `TOKEN_MALFORMED`;
 * 2. fast-jwt's parse: header and payload JSON objects → `TOKEN_MALFORMED`;
 * 3. the header: `alg` one of ours → `TOKEN_ALGORITHM_INVALID`; `typ` ours (a media type:
 *    case-insensitive, `application/` optional) → `TOKEN_TYPE_INVALID`;
 * 4. `resolveKey(header, payload)`: the caller's checks of `kid` (its refusals pass through as
 *    they are); the payload is not verified yet;
 * 5. `alg` pinned to the key's algorithm (an HMAC is never checked with a public key)
 *    → `TOKEN_ALGORITHM_INVALID`; `crit` as jose reads it (only `b64` understood) → `TOKEN_MALFORMED`;
 * 6. the signature, by fast-jwt → `TOKEN_SIGNATURE_INVALID`;
 * 7. an unencoded payload (`b64: false`) → `TOKEN_MALFORMED`; then, as jose orders them, `iat`,
 *    `nbf` and `exp` numbers when present (`TOKEN_CLAIM_INVALID`), `nbf` reached
 *    (`TOKEN_NOT_YET_VALID`) and `exp` not passed (`TOKEN_EXPIRED`), with 60 s of skew, against
 *    `now` (the server's injected clock: fast-jwt takes its clock when a verifier is made).
 *
 * `test/flow-tokens-jose.test.ts` checks these refusals against jose's `jwtVerify` on many tokens.
 */
export interface ResolvedKey {
  algorithm: SigningAlgorithm;
  /** The HMAC secret (its UTF-8 bytes are the key), or the public key as SPKI PEM. */
  material: string;
}

/** The protected header, as parsed (untrusted until the signature holds). */
export type JwtHeader = Record<string, unknown> & { alg: SigningAlgorithm; typ: string };

export interface VerifiedJwt {
  header: JwtHeader;
  payload: Record<string, unknown>;
}

const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/** `typ` compares like a media type: case-insensitive, `application/` optional (RFC 7515 §4.1.9). */
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes("/") ? lower : `application/${lower}`;
}
const OUR_TYP = normalizeTyp(TOKEN_TYPE);

interface Call {
  resolveKey: (header: JwtHeader, unverifiedPayload: Record<string, unknown>) => Promise<ResolvedKey>;
  unencodedPayload: boolean;
}

/**
 * The call being verified: fast-jwt calls the key function synchronously from `verifier(token)`
 * (right after its parse), so the function takes the call's own lookup from here before its first
 * `await`, and `verifyJwt` clears it as soon as `verifier(token)` returns. One verifier for the
 * process: none of its options depends on the call (the dates are checked below, against the
 * injected clock).
 */
let current: Call | undefined;

const verifier = createVerifier({
  complete: true,
  // Only `b64` is understood in `crit` (checked after the key, as jose does, below).
  allowedCritHeaders: ["b64"],
  checkTyp: TOKEN_TYPE,
  // The dates are checked in verifyJwt against the injected clock, in jose's order.
  ignoreExpiration: true,
  ignoreNotBefore: true,
  key: async ({ header, payload }: { header: Record<string, unknown>; payload: Record<string, unknown> }) => {
    const call = current;
    current = undefined;
    if (!call) throw new Error("fast-jwt asked for a key outside verifyJwt");
    const alg = header.alg;
    if (typeof alg !== "string" || !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
      throw refuse("TOKEN_ALGORITHM_INVALID");
    }
    if (typeof header.typ !== "string" || normalizeTyp(header.typ) !== OUR_TYP) {
      throw refuse("TOKEN_TYPE_INVALID");
    }
    const key = await call.resolveKey(header as JwtHeader, payload);
    if (alg !== key.algorithm) throw refuse("TOKEN_ALGORITHM_INVALID");
    call.unencodedPayload = checkCrit(header);
    return key.material;
  },
});

/**
 * Verifies the compact JWS `token` with the key `resolveKey` finds for its header, and returns its
 * header and claims; throws a `DomainError` refusal otherwise (see above).
 */
export async function verifyJwt(
  token: string,
  now: Date,
  resolveKey: (header: JwtHeader, unverifiedPayload: Record<string, unknown>) => Promise<ResolvedKey>,
): Promise<VerifiedJwt> {
  const parts = COMPACT_JWS.exec(token);
  if (!parts) throw refuse("TOKEN_MALFORMED");
  const [, encodedHeader = "", encodedPayload = "", encodedSignature = ""] = parts;
  // No part of 4n+1 characters (no bytes end there: a lenient decoder would drop the last one).
  if (
    encodedHeader.length % 4 === 1 ||
    encodedPayload.length % 4 === 1 ||
    encodedSignature.length % 4 === 1
  ) {
    throw refuse("TOKEN_MALFORMED");
  }
  if (!isUtf8(Buffer.from(encodedHeader, "base64url")) || !isUtf8(Buffer.from(encodedPayload, "base64url"))) {
    throw refuse("TOKEN_MALFORMED");
  }

  const call: Call = { resolveKey, unencodedPayload: false };
  let pending: Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }>;
  current = call;
  try {
    pending = verifier(token);
  } catch (error) {
    throw refusalOf(error);
  } finally {
    current = undefined;
  }
  let verified: { header: Record<string, unknown>; payload: Record<string, unknown> };
  try {
    verified = await pending;
  } catch (error) {
    throw refusalOf(error);
  }
  const { header, payload } = verified;
  if (call.unencodedPayload) throw refuse("TOKEN_MALFORMED");

  const nowSeconds = Math.floor(now.getTime() / 1000);
  numericDate(payload, "iat");
  const nbf = numericDate(payload, "nbf");
  if (nbf !== undefined && nbf > nowSeconds + CLOCK_SKEW) throw refuse("TOKEN_NOT_YET_VALID");
  const exp = numericDate(payload, "exp");
  if (exp !== undefined && exp <= nowSeconds - CLOCK_SKEW) throw refuse("TOKEN_EXPIRED");
  return { header: header as JwtHeader, payload };
}

function numericDate(payload: Record<string, unknown>, claim: "iat" | "nbf" | "exp"): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== "number") throw refuseClaim("TOKEN_CLAIM_INVALID", claim);
  return value;
}

/**
 * jose's `crit` rules for a compact JWS (RFC 7515 §4.1.11): a non-empty list of non-empty names,
 * each understood (only `b64`, RFC 7797) and present. True when the payload is unencoded
 * (`b64: false`), which a JWT must not be (refused once the signature holds, as jose does).
 */
function checkCrit(header: Record<string, unknown>): boolean {
  const { crit } = header;
  if (crit === undefined) return false;
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((name) => typeof name !== "string" || name.length === 0)
  ) {
    throw refuse("TOKEN_MALFORMED");
  }
  for (const name of crit as string[]) {
    if (name !== "b64" || header[name] === undefined) throw refuse("TOKEN_MALFORMED");
  }
  if (!crit.includes("b64")) return false;
  if (typeof header.b64 !== "boolean") throw refuse("TOKEN_MALFORMED");
  return header.b64 === false;
}

/** The refusal for what fast-jwt threw (a refusal from the key lookup passes through). */
function refusalOf(error: unknown): Error {
  if (error instanceof DomainError) return error;
  if (!(error instanceof TokenError)) return error instanceof Error ? error : new Error(String(error));
  switch (error.code) {
    case TokenError.codes.keyFetchingError: {
      // What the key lookup threw: a refusal, or the server's own fault (a 500).
      const original = (error as TokenError & { originalError?: unknown }).originalError;
      return original instanceof Error ? original : error;
    }
    case TokenError.codes.invalidSignature:
    case TokenError.codes.missingSignature:
    case TokenError.codes.verifyError:
      return refuse("TOKEN_SIGNATURE_INVALID");
    case TokenError.codes.invalidAlgorithm:
      return refuse("TOKEN_ALGORITHM_INVALID");
    case TokenError.codes.invalidType:
      return refuse("TOKEN_TYPE_INVALID");
    case TokenError.codes.invalidKey:
    case TokenError.codes.invalidOption:
    case TokenError.codes.missingKey:
      // A key that cannot be used is the server's fault (500), not the token's.
      return error;
    default:
      // malformed, invalidPayload, invalidCritHeader and anything else about the token's form.
      return refuse("TOKEN_MALFORMED");
  }
}
