/**
 * The entry that holds secrets, for the product's backend only: offline minting of flow tokens
 * and webhook verification. WebCrypto only: runs in Node, Bun, Deno and edge runtimes.
 *
 * @example
 * ```ts
 * import { mintRelinkToken, verifyWebhook } from "@relink/sdk/server";
 * ```
 * @module
 */
export type { WebhookEvent, WebhookEventOf, WebhookEventType } from "../contract/webhooks.ts";
export {
  type FlowEndUser,
  type FlowTokenSigningKey,
  type HmacSigningKey,
  type MintConnectTokenOptions,
  type MintRelinkTokenOptions,
  mintConnectToken,
  mintRelinkToken,
  type PrivateSigningKey,
} from "./tokens.ts";
export {
  type SignWebhookOptions,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookSignatureHeaders,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from "./webhooks.ts";
