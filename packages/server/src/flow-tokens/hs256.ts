import { createHmac, type KeyObject, timingSafeEqual } from "node:crypto";
import { errors, type JWTPayload, type ProtectedHeaderParameters } from "jose";

/**
 * `jwtVerify` of `jose` for compact HS256 tokens, with the HMAC computed synchronously by
 * `node:crypto` instead of an asynchronous WebCrypto job (and no key import per call): on the
 * connect API's hot path the WebCrypto round trip cost more than everything else in the check.
 *
 * It performs jose's checks in jose's order and throws jose's error classes, so callers map
 * refusals exactly as before: the compact form, the protected header (base64url, UTF-8, a JSON
 * object), `crit` (only `b64` is understood), `b64`, `alg` in `algorithms`, the signature (base64url,
 * then compared in constant time), the payload (base64url, UTF-8, a JSON object), unencoded
 * payloads refused, `typ`, and the numeric dates `iat`, `nbf` and `exp` against `currentDate` with
 * `clockTolerance`. `test/flow-tokens-hs256.test.ts` checks it against jose on many tokens.
 */
export interface Hs256VerifyOptions {
  algorithms: readonly string[];
  typ: string;
  currentDate: Date;
  /** Seconds. */
  clockTolerance: number;
}

export interface Hs256Verified {
  payload: JWTPayload;
  protectedHeader: ProtectedHeaderParameters;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * jose's `decodeProtectedHeader` for a compact token: the first of 3 (or 5) parts, base64url, UTF-8
 * (strict), a JSON object; a `TypeError` otherwise. Nothing is verified.
 */
export function decodeProtectedHeader(token: string): ProtectedHeaderParameters {
  const parts = token.split(".");
  const encoded = parts.length === 3 || parts.length === 5 ? parts[0] : undefined;
  const invalid = "Invalid Token or Protected Header formatting";
  if (!encoded) throw new TypeError(invalid);
  const header = parseHeader(encoded);
  if (!header) throw new TypeError(invalid);
  return header;
}

function parseHeader(encoded: string): (ProtectedHeaderParameters & Record<string, unknown>) | undefined {
  let header: unknown;
  try {
    header = JSON.parse(strictDecoder.decode(decodeBase64url(encoded)));
  } catch {
    return undefined;
  }
  return isObject(header) ? header : undefined;
}

/**
 * @param decodedHeader `decodeProtectedHeader(token)`, when the caller has it already (not parsed
 *   again: it must be of this very token).
 */
export function verifyHs256Jwt(
  token: string,
  key: KeyObject,
  options: Hs256VerifyOptions,
  decodedHeader?: ProtectedHeaderParameters,
): Hs256Verified {
  if (typeof token !== "string") throw new errors.JWSInvalid("Compact JWS must be a string or Uint8Array");
  const parts = token.split(".");
  if (parts.length !== 3) throw new errors.JWSInvalid("Invalid Compact JWS");
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

  const protectedHeader = (decodedHeader ?? parseHeader(encodedHeader)) as
    | (ProtectedHeaderParameters & Record<string, unknown>)
    | undefined;
  if (!protectedHeader) throw new errors.JWSInvalid("JWS Protected Header is invalid");

  const b64 = validateB64(protectedHeader, validateCrit(protectedHeader));
  const { alg } = protectedHeader;
  if (typeof alg !== "string" || !alg) {
    throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  }
  if (!options.algorithms.includes(alg)) {
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  }
  // jose supports only its algorithms; this one only HS256 (the caller pins alg to the key's).
  if (alg !== "HS256") throw new errors.JOSENotSupported(`Unsupported JWS algorithm: ${alg}`);

  // The signing input is the ASCII of `header.payload`, with an encoded or (b64: false) raw payload.
  const signingInput = `${ascii(encodedHeader, "protected header")}.${ascii(encodedPayload, "payload")}`;
  let signature: Buffer;
  try {
    signature = decodeBase64url(encodedSignature);
  } catch (cause) {
    throw new errors.JWSInvalid("Failed to base64url decode the signature", { cause });
  }
  const expected = createHmac("sha256", key).update(signingInput, "latin1").digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new errors.JWSSignatureVerificationFailed();
  }

  let payloadBytes: Buffer;
  try {
    payloadBytes = b64 ? decodeBase64url(encodedPayload) : Buffer.from(encodedPayload, "latin1");
  } catch (cause) {
    throw new errors.JWSInvalid("Failed to base64url decode the payload", { cause });
  }
  if (!b64) throw new errors.JWTInvalid("JWTs MUST NOT use unencoded payload");
  return { payload: validateClaimsSet(protectedHeader, payloadBytes, options), protectedHeader };
}

/**
 * Base64url as jose decodes it: `+` and `/` refused, then `atob`'s forgiving decode (ASCII
 * whitespace ignored, up to two `=` of padding on a multiple of 4, no length of 4n+1, nothing
 * outside the alphabet).
 */
function decodeBase64url(input: string): Buffer {
  if (input.includes("+") || input.includes("/")) throw new TypeError("Invalid base64url");
  let data = input.replace(/[\t\n\f\r ]/g, "");
  if (data.length % 4 === 0) data = data.replace(/={1,2}$/, "");
  if (data.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(data)) {
    throw new TypeError("The input to be decoded is not correctly encoded.");
  }
  return Buffer.from(data, "base64url");
}

function ascii(value: string, label: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range itself
  if (!/^[\u0000-\u007f]*$/.test(value)) {
    throw new errors.JWSInvalid(`The ${label} is not a valid base64url string`);
  }
  return value;
}

function isObject(input: unknown): input is Record<string, unknown> {
  if (
    typeof input !== "object" ||
    input === null ||
    Object.prototype.toString.call(input) !== "[object Object]"
  )
    return false;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** jose's `crit` rules for a compact JWS: only `b64` is a recognised extension. */
function validateCrit(header: Record<string, unknown>): readonly string[] {
  const { crit } = header;
  if (crit === undefined) return [];
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((input) => typeof input !== "string" || input.length === 0)
  ) {
    throw new errors.JWSInvalid(
      '"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present',
    );
  }
  for (const parameter of crit as string[]) {
    if (parameter !== "b64") {
      throw new errors.JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    }
    if (!Object.hasOwn(header, parameter) || header[parameter] === undefined) {
      throw new errors.JWSInvalid(`Extension Header Parameter "${parameter}" is missing`);
    }
  }
  return crit as string[];
}

function validateB64(header: Record<string, unknown>, extensions: readonly string[]): boolean {
  if (!extensions.includes("b64")) return true;
  const { b64 } = header;
  if (typeof b64 !== "boolean") {
    throw new errors.JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
  }
  return b64;
}

const normalizeTyp = (value: string) => {
  const normalized = value.toLowerCase();
  return value.includes("/") ? normalized : `application/${normalized}`;
};

function numericDate(claims: Record<string, unknown>, claim: "iat" | "nbf" | "exp"): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, claims, claim, "invalid");
  }
  return value;
}

/** jose's `validateClaimsSet` for the options the flow-token check uses. */
function validateClaimsSet(
  protectedHeader: Record<string, unknown>,
  bytes: Buffer,
  options: Hs256VerifyOptions,
): JWTPayload {
  let claims: unknown;
  try {
    claims = JSON.parse(strictDecoder.decode(bytes));
  } catch (cause) {
    throw new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object", { cause });
  }
  if (!isObject(claims)) throw new errors.JWTInvalid("JWT Claims Set must be a top-level JSON object");
  if (
    typeof protectedHeader.typ !== "string" ||
    normalizeTyp(protectedHeader.typ) !== normalizeTyp(options.typ)
  ) {
    throw new errors.JWTClaimValidationFailed(
      'unexpected "typ" JWT header value',
      claims,
      "typ",
      "check_failed",
    );
  }
  const tolerance = options.clockTolerance;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new TypeError("Invalid clockTolerance option input");
  const now = Math.floor(options.currentDate.getTime() / 1000);
  if (!Number.isFinite(now)) throw new TypeError("Invalid currentDate option input");
  numericDate(claims, "iat");
  const nbf = numericDate(claims, "nbf");
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new errors.JWTClaimValidationFailed(
      '"nbf" claim timestamp check failed',
      claims,
      "nbf",
      "check_failed",
    );
  }
  const exp = numericDate(claims, "exp");
  if (exp !== undefined && exp <= now - tolerance) {
    throw new errors.JWTExpired('"exp" claim timestamp check failed', claims, "exp", "check_failed");
  }
  return claims as JWTPayload;
}
