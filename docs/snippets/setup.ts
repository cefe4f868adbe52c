/** One-time set-up of a workspace with the SDK (the quick start's step 1). */
// #region setup
import { RelinkClient } from "@relink/sdk";

export async function setUpWorkspace() {
  const relink = new RelinkClient({ baseUrl: "http://127.0.0.1:8787", apiKey: process.env.RELINK_API_KEY! });

  // What the product wants from every HR tool.
  const scope = await relink.scopeConfigs.create({
    name: "Employees",
    category: "HRIS",
    is_default: true,
    models: { employees: { setting: "ENABLED", fields: { salary: "DISABLED" } } },
  });

  // Your backend mints flow tokens with this key: keep the secret with your other secrets.
  const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });

  // relink tells your backend about auth trouble, pauses and relinks.
  const endpoint = await relink.webhookEndpoints.create({
    url: "https://api.example.com/webhooks/relink",
    event_types: ["integration-auth-status-changed", "integration-state-changed", "integration-relinked"],
  });

  console.log({
    RELINK_SCOPE_CONFIG_ID: scope.id,
    RELINK_SIGNING_KEY_ID: signingKey.id,
    RELINK_SIGNING_SECRET: signingKey.secret, // shown once
    RELINK_WEBHOOK_SECRET: endpoint.secret, // shown once
  });
}
// #endregion setup
