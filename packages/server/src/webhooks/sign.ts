import { createHmac, createSecretKey, type KeyObject, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is the base64
 * HMAC-SHA256 of `${id}.${timestamp}.${body}`, keyed with the base64-decoded part of a `whsec_`
 * secret, sent as `webhook-signature: v1,<signature>` (space-separated when several secrets sign).
 */

const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/**
 * The HMAC key of a `whsec_` secret, decoded once: a dispatcher keeps these per endpoint secret and
 * signs every delivery with them (no base64 decoding and key import per message).
 */
export function webhookSigningKey(secret: string): KeyObject {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError("a webhook secret starts with whsec_");
  return createSecretKey(Buffer.from(secret.slice(SECRET_PREFIX.length), "base64"));
}

/** The base64 signature of one message with one secret (or its decoded key). */
export function webhookSignature(
  secret: string | KeyObject,
  id: string,
  timestamp: number,
  body: string,
): string {
  const key = typeof secret === "string" ? webhookSigningKey(secret) : secret;
  return createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three Standard Webhooks headers; one `v1,` signature per secret (the current one first, then
 * a rotated-out one still in its grace period).
 */
export function signWebhookMessage(input: {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
  /** The secrets, or their keys from `webhookSigningKey`. */
  secrets: readonly (string | KeyObject)[];
}): SignedHeaders {
  if (input.secrets.length === 0) throw new TypeError("at least one secret signs a webhook");
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": input.secrets
      .map((secret) => `v1,${webhookSignature(secret, input.id, input.timestamp, input.body)}`)
      .join(" "),
  };
}
