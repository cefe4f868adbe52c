/**
 * The quick start's backend: a flow-token endpoint for the signed-in customer and the webhook
 * receiver, in Hono. Type-checked with the repo; `docs/test` runs the webhook receiver.
 */
// #region backend
import { mintRelinkToken, verifyWebhook, WebhookVerificationError } from "@relink/sdk/server";
import { Hono } from "hono";

/** Your own records: which relink integration belongs to which customer. */
interface CustomerRecords {
  integrationOf(customerId: string): Promise<string | null>;
  markNeedsReconnect(integrationId: string, needed: boolean): Promise<void>;
}

export function relinkRoutes(
  records: CustomerRecords,
  signedInCustomer: (request: Request) => Promise<string | null>,
) {
  const app = new Hono();

  // The browser asks for a token; the integration comes from the session, never from the request.
  app.post("/api/relink-token", async (c) => {
    const customerId = await signedInCustomer(c.req.raw);
    if (!customerId) return c.json({ error: "sign in first" }, 401);
    const integrationId = await records.integrationOf(customerId);
    if (!integrationId) return c.json({ error: "not connected" }, 404);
    const token = await mintRelinkToken({
      workspaceId: process.env.RELINK_WORKSPACE_ID!,
      key: { id: process.env.RELINK_SIGNING_KEY_ID!, secret: process.env.RELINK_SIGNING_SECRET! },
      integrationId,
      expiresIn: "15m",
    });
    return c.json({ token });
  });

  // relink's webhooks: verify the raw body first, then act.
  app.post("/webhooks/relink", async (c) => {
    let event: Awaited<ReturnType<typeof verifyWebhook>>;
    try {
      event = await verifyWebhook({
        body: await c.req.text(),
        headers: c.req.raw.headers,
        secret: process.env.RELINK_WEBHOOK_SECRET!,
      });
    } catch (error) {
      if (error instanceof WebhookVerificationError) return c.json({ error: error.code }, 400);
      throw error;
    }
    switch (event.type) {
      case "integration-auth-status-changed": // the early warning, days before a pause
        await records.markNeedsReconnect(event.data.integration_id, event.data.auth_status === "FAILING");
        break;
      case "integration-state-changed": // INVALID = paused; ACTIVE again after a relink or recovery
        await records.markNeedsReconnect(event.data.integration_id, event.data.state === "INVALID");
        break;
      case "integration-relinked":
        await records.markNeedsReconnect(event.data.integration_id, false);
        break;
    }
    return c.body(null, 204); // answer 2xx quickly; relink retries anything else
  });

  return app;
}
// #endregion backend
