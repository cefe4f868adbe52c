/** Verifying and signing webhooks with the SDK: the examples of docs/sdk.md and docs/webhooks.md. */
// #region verify
import { signWebhook, verifyWebhook, WebhookVerificationError } from "@relink/sdk/server";

// Any framework: give it the raw body (before JSON parsing) and the headers.
export async function handle(request: Request): Promise<Response> {
  try {
    const event = await verifyWebhook({
      body: await request.text(),
      headers: request.headers,
      secret: process.env.RELINK_WEBHOOK_SECRET!, // whsec_…
      tolerance: 300, // seconds; older or newer deliveries are refused (replays)
    });
    if (event.type === "integration-state-changed" && event.data.state === "INVALID") {
      console.log(`ask ${event.data.end_user.organization_name} to reconnect`);
    }
    return new Response(null, { status: 204 });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      // MISSING_HEADER, INVALID_SIGNATURE, TIMESTAMP_TOO_OLD, TIMESTAMP_TOO_NEW, INVALID_PAYLOAD
      return new Response(error.code, { status: 400 });
    }
    throw error;
  }
}
// #endregion verify

// #region sign
// In your tests: build a delivery that verifyWebhook (and relink's receivers) accept.
export async function signedDelivery(event: { id: string }, secret: string) {
  const body = JSON.stringify(event);
  const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret });
  return new Request("http://localhost/webhooks/relink", {
    method: "POST",
    body,
    headers: { ...headers, "content-type": "application/json" },
  });
}
// #endregion sign
