/**
 * Verifying relink webhooks in Node without the SDK: node:crypto only. `docs/test` runs it against
 * deliveries signed by the SDK.
 */
// #region verify-node
import { createHmac, timingSafeEqual } from "node:crypto";

/** True when the delivery is signed with `secret` (whsec_…) and its timestamp is within 5 minutes. */
export function isValidRelinkWebhook(
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;

  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest();
  // Several signatures during a secret rotation: "v1,<base64> v1,<base64>".
  return signatures.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
// #endregion verify-node
