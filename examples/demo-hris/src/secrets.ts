import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random, URL-safe secret with a prefix that says what it is (`dhk_` API key, `dhat_` access token, …). */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("base64url")}`;
}

/** Compares secrets in constant time, so a guess cannot be refined from response times. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The PKCE S256 transform: BASE64URL(SHA256(code_verifier)). */
export function s256(codeVerifier: string): string {
  return createHash("sha256").update(codeVerifier).digest("base64url");
}
