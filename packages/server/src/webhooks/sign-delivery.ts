import type { KeyObject } from "node:crypto";
import type { RelinkContext } from "../context.ts";
import type { ClaimedDelivery } from "./claim.ts";
import { signingSecrets } from "./endpoints.ts";
import { type SignedHeaders, signWebhookMessage, webhookSigningKey } from "./sign.ts";

/** The sign part of the webhook dispatcher: a delivery's Standard Webhooks headers, with its endpoint's keys. */

/** An endpoint's signing keys, decoded once per secret. */
interface EndpointKeys {
  sealed: string;
  previousSealed: string | null;
  previousExpiresAt: string | null;
  current: KeyObject;
  previous: KeyObject | null;
  previousUntil: number;
}

/** Signs deliveries; each endpoint's secrets are opened and decoded once, until they change. */
export function deliverySigner(ctx: Pick<RelinkContext, "secrets">) {
  const keys = new Map<string, EndpointKeys>();

  /** The keys that sign a delivery now: the current one, then a rotated-out one still in its grace period. */
  function keysFor(row: ClaimedDelivery, now: number): KeyObject[] {
    let entry = keys.get(row.endpoint_id);
    if (
      !entry ||
      entry.sealed !== row.secret_sealed ||
      entry.previousSealed !== row.previous_secret_sealed ||
      entry.previousExpiresAt !== row.previous_secret_expires_at
    ) {
      // Both secrets opened (as at the epoch: the previous one too, if any); its grace period is
      // judged below, per delivery.
      const [current, previous] = signingSecrets(ctx, { ...row, id: row.endpoint_id }, new Date(0));
      entry = {
        sealed: row.secret_sealed,
        previousSealed: row.previous_secret_sealed,
        previousExpiresAt: row.previous_secret_expires_at,
        current: webhookSigningKey(current as string),
        previous: previous ? webhookSigningKey(previous) : null,
        previousUntil: row.previous_secret_expires_at ? Date.parse(row.previous_secret_expires_at) : 0,
      };
      if (keys.size >= 1_000) keys.clear();
      keys.set(row.endpoint_id, entry);
    }
    return entry.previous && entry.previousUntil > now ? [entry.current, entry.previous] : [entry.current];
  }

  /** The signature headers of a delivery attempted at `at`. */
  return function sign(row: ClaimedDelivery, at: Date): SignedHeaders {
    return signWebhookMessage({
      id: row.event_id,
      timestamp: Math.floor(at.getTime() / 1000),
      body: row.body,
      secrets: keysFor(row, at.getTime()),
    });
  };
}
