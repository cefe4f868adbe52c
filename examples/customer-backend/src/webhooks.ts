import type { WebhookEvent } from "@relink/sdk/server";
import type { CustomerStore } from "./customers.ts";

export interface ReceivedWebhook {
  received_at: string;
  event: WebhookEvent;
}

export interface RefusedWebhook {
  received_at: string;
  /** The `WebhookVerificationError` code. */
  reason: string;
}

/** What the backend received: kept so the demo page and the tests can show it. */
export class WebhookLog {
  readonly received: ReceivedWebhook[] = [];
  readonly refused: RefusedWebhook[] = [];
  readonly #seen = new Set<string>();

  /** False when this event id was already received: deliveries are at least once. */
  accept(event: WebhookEvent, now: string): boolean {
    if (this.#seen.has(event.id)) return false;
    this.#seen.add(event.id);
    this.received.push({ received_at: now, event });
    return true;
  }

  refuse(reason: string, now: string): void {
    this.refused.push({ received_at: now, reason });
  }
}

/**
 * What the product does with each verified event: remember new integrations, ask the customer to
 * reconnect when auth starts failing or the integration is paused, stop asking once it works.
 */
export function applyWebhook(customers: CustomerStore, event: WebhookEvent, now: string): void {
  switch (event.type) {
    case "integration-created": {
      // The connect flow's token named the customer (end_user.origin_id); the event is signed.
      const customer = customers.get(event.data.end_user.origin_id);
      if (customer && customer.tool === event.data.tool) {
        customers.update(customer.id, (c) => {
          c.integrationId = event.data.id;
        });
        customers.clear(customer.id, ["AUTH_FAILING", "PAUSED", "NEW_PERMISSIONS"]);
      }
      return;
    }
    case "integration-deleted": {
      const customer = customers.byIntegration(event.data.id);
      if (customer) {
        customers.update(customer.id, (c) => {
          c.integrationId = null;
          c.reconnect = null;
        });
      }
      return;
    }
    case "integration-auth-status-changed": {
      const customer = customers.byIntegration(event.data.integration_id);
      if (!customer) return;
      if (event.data.auth_status === "FAILING") {
        customers.flag(customer.id, "AUTH_FAILING", event.data.failing_since ?? now, event.data.pauses_at);
      } else {
        customers.clear(customer.id, ["AUTH_FAILING", "PAUSED"]);
      }
      return;
    }
    case "integration-state-changed": {
      const customer = customers.byIntegration(event.data.integration_id);
      if (!customer) return;
      if (event.data.state === "INVALID") customers.flag(customer.id, "PAUSED", event.data.updated_at);
      if (event.data.state === "ACTIVE") customers.clear(customer.id, ["AUTH_FAILING", "PAUSED"]);
      return;
    }
    case "integration-relinked": {
      const customer = customers.byIntegration(event.data.integration_id);
      if (!customer) return;
      const reasons: Array<"AUTH_FAILING" | "PAUSED" | "NEW_PERMISSIONS"> = ["AUTH_FAILING", "PAUSED"];
      // Relinked onto the scope the product wants: the new permissions were granted.
      if (event.data.scope_config_id === customer.targetScopeConfigId) reasons.push("NEW_PERMISSIONS");
      customers.clear(customer.id, reasons);
      return;
    }
    default:
      return;
  }
}
