import http from "node:http";
import https from "node:https";
import type { Config } from "../config.ts";
import type { ClaimedDelivery } from "./claim.ts";
import { type PostOutcome, type PostTarget, postTarget, postWebhook } from "./http-post.ts";
import type { SignedHeaders } from "./sign.ts";
import { assertPublicIfLiteral, guardedLookup, parseWebhookUrl, type Resolver } from "./url-guard.ts";

/** The post part of the webhook dispatcher: a signed delivery sent to its receiver, never to a private address. */

/** Bytes of a receiver's answer kept in the delivery log. */
export const LOGGED_BODY_BYTES = 2048;
/** Bytes of an answer read at most; a longer one is cut off. */
const READ_BODY_BYTES = 64 * 1024;

/** A URL checked once (form, scheme, IP literal): its target, or why it is refused. */
type CheckedUrl = { target: PostTarget } | { error: Error };

export interface DeliveryPoster {
  /**
   * POSTs a delivery, signed by `sign` once its URL has passed the check; every failure (a refused
   * URL, a secret that cannot be opened, the network) is an outcome, never a throw.
   */
  post(row: ClaimedDelivery, sign: () => SignedHeaders): Promise<PostOutcome>;
  /** Closes the kept-alive connections. */
  close(): void;
}

export function deliveryPoster(
  config: Pick<
    Config,
    "allowHttpWebhookUrls" | "allowPrivateWebhookUrls" | "webhookConcurrency" | "webhookTimeoutMs"
  >,
  resolve?: Resolver,
): DeliveryPoster {
  const policy = { allowHttp: config.allowHttpWebhookUrls, allowPrivate: config.allowPrivateWebhookUrls };
  // Every new connection checks the addresses it connects to (DNS rebinding); a kept-alive
  // connection stays on the address checked when it was opened.
  const lookup = policy.allowPrivate ? undefined : guardedLookup(resolve);
  // Kept-alive connections per receiver, the most recently used first; idle ones closed after a while.
  const agentOptions = {
    keepAlive: true,
    maxSockets: config.webhookConcurrency,
    scheduling: "lifo" as const,
    timeout: Math.max(30_000, 2 * config.webhookTimeoutMs),
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const targets = new Map<string, CheckedUrl>();

  /** The checked target of a URL, cached (the check depends on the text and the policy only). */
  function targetFor(raw: string): PostTarget {
    let checked = targets.get(raw);
    if (!checked) {
      try {
        const url = parseWebhookUrl(raw, policy);
        if (!policy.allowPrivate) assertPublicIfLiteral(url);
        checked = { target: postTarget(url, url.protocol === "https:" ? agents.https : agents.http, lookup) };
      } catch (error) {
        checked = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      if (targets.size >= 1_000) targets.clear();
      targets.set(raw, checked);
    }
    if ("error" in checked) throw checked.error;
    return checked.target;
  }

  return {
    async post(row, sign) {
      try {
        const target = targetFor(row.url);
        const headers = sign();
        return await postWebhook(target, {
          headers: { ...headers, "user-agent": "relink-webhooks/0.1" },
          body: row.body,
          timeoutMs: config.webhookTimeoutMs,
          keepBytes: LOGGED_BODY_BYTES,
          readBytes: READ_BODY_BYTES,
        });
      } catch (error) {
        return {
          status: null,
          body: null,
          error: error instanceof Error ? error.message : String(error),
          latencyMs: 0,
        };
      }
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
