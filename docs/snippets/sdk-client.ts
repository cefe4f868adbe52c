/** `RelinkClient`, one region per resource: the examples of docs/sdk.md. Type-checked, not run. */
// #region client
import { RelinkApiError, RelinkClient, RelinkConnectionError } from "@relink/sdk";

const relink = new RelinkClient({
  baseUrl: "https://relink.example.com",
  apiKey: process.env.RELINK_API_KEY!,
  timeoutMs: 10_000, // per attempt; 429 and 503 are retried (maxRetries, default 2)
});
// #endregion client

export async function tools() {
  // #region tools
  const catalog = await relink.tools.list();
  const demoHr = await relink.tools.get("demo-hris", { scope_config_id: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s" });
  console.log(
    catalog.map((tool) => tool.id),
    demoHr.required_permissions,
  );
  // #endregion tools
}

export async function scopeConfigs() {
  // #region scope-configs
  const config = await relink.scopeConfigs.create({
    name: "Employees and time off",
    category: "HRIS",
    models: {
      employees: { setting: "ENABLED", fields: { home_address: "OPTIONAL", salary: "DISABLED" } },
      time_off_requests: { setting: "ENABLED" },
    },
  });
  await relink.scopeConfigs.update(config.id, { is_default: true });
  for await (const each of relink.scopeConfigs.list()) console.log(each.id, each.name);
  await relink.scopeConfigs.get(config.id);
  await relink.scopeConfigs.delete(config.id); // SCOPE_CONFIG_IN_USE while integrations use it
  // #endregion scope-configs
}

export async function integrations(id: string) {
  // #region integrations
  // Import one (migration from another system): the credentials are checked with the tool first.
  const created = await relink.integrations.create({
    tool: "demo-hris",
    end_user: { origin_id: "org_42", organization_name: "Acme Corp" },
    credentials: { api_key: process.env.ACME_DEMO_HR_KEY! },
  });

  const integration = await relink.integrations.get(created.id);
  console.log(integration.state, integration.auth.status, integration.auth.pauses_at);
  console.log(integration.last_sync?.records); // e.g. { employees: 12 }

  // Every page, fetched as the loop goes; or `await` it for the first page.
  for await (const failing of relink.integrations.list({ auth_status: "FAILING" })) {
    console.log(failing.id, failing.end_user.organization_name);
  }
  const { data, next_cursor } = await relink.integrations.list({ state: "INVALID", limit: 20 });
  console.log(data.length, next_cursor);

  await relink.integrations.sync(id); // { sync_id, already_queued }
  const { outcome } = await relink.integrations.checkAuth(id); // OK ends a pause
  await relink.integrations.setEnabled(id, false); // INACTIVE; a relink never re-enables it
  for await (const run of relink.integrations.syncs(id)) console.log(run.sync_state, run.records);
  const checks = await relink.integrations.authChecks(id, { limit: 10 });
  // OAuth grants its relinks replaced: a FAILED revocation still works at the tool until revoked there.
  for await (const r of relink.integrations.grantRevocations(id)) console.log(r.outcome, r.tool, r.detail);
  await relink.integrations.delete(id); // credentials destroyed
  console.log(outcome, checks.data);
  // #endregion integrations
}

export async function links(id: string) {
  // #region relink-link
  // A link the server makes, for an email or a chat message: the hosted page /link#token=…
  const { link, expires_at } = await relink.integrations.relink(id, {
    link_type: "MAGIC_LINK",
    scope_config_id: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s",
    language: "de",
    expires_in: "7d",
  });
  console.log(`Send ${link} (valid until ${expires_at})`);
  // #endregion relink-link

  // #region revoke-link
  // A link sent to the wrong person: revoke it. Its token then answers 410 LINK_REVOKED, and the
  // hosted page tells whoever opens it that it was revoked. Revoking again changes nothing.
  for await (const outstanding of relink.integrations.relinkLinks(id, { status: "OUTSTANDING" })) {
    const revoked = await relink.integrations.relinkLinks.revoke(id, outstanding.id);
    console.log(revoked.status, revoked.revoked_at); // "REVOKED", when
  }
  // #endregion revoke-link

  // #region branding
  // Who asks: the hosted page shows the product's name and logo, and the widget gets the colour.
  await relink.settings.setBranding({
    product_name: "Acme Payroll",
    logo_url: "https://cdn.acme.example/logo.png", // https only
    accent_color: "#0f766e",
  });
  // #endregion branding
}

export async function webhooksAndEvents() {
  // #region webhooks-api
  const endpoint = await relink.webhookEndpoints.create({ url: "https://api.example.com/webhooks/relink" });
  console.log(endpoint.secret); // whsec_…, shown once
  await relink.webhookEndpoints.update(endpoint.id, { event_types: ["integration-state-changed"] });
  const rotated = await relink.webhookEndpoints.rotateSecret(endpoint.id, { grace_period: "24h" });
  await relink.webhookEndpoints.test(endpoint.id); // a webhook-test event to this endpoint only
  const { data: endpoints } = await relink.webhookEndpoints.list();

  for await (const delivery of relink.webhookDeliveries.list({ status: "FAILED" })) {
    await relink.webhookDeliveries.retry(delivery.id);
  }
  for await (const event of relink.events.list({ type: "integration-state-changed" })) {
    console.log(event.id, event.type);
  }
  await relink.webhookEndpoints.delete(endpoint.id);
  console.log(rotated.secret, endpoints.length);
  // #endregion webhooks-api
}

export async function keys() {
  // #region keys
  const hmac = await relink.signingKeys.create({ algorithm: "HS256" }); // { id, secret } once
  const { publicKey } = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const { x } = await crypto.subtle.exportKey("jwk", publicKey);
  const ed25519 = await relink.signingKeys.create({
    algorithm: "EdDSA",
    public_jwk: { kty: "OKP", crv: "Ed25519", x: x! }, // the private key stays with you
  });
  await relink.signingKeys.revoke(hmac.id); // its tokens are refused at once
  const { data: signingKeys } = await relink.signingKeys.list();

  const apiKey = await relink.apiKeys.create({ name: "billing service" }); // the key, once
  const { data: apiKeys } = await relink.apiKeys.list();
  await relink.apiKeys.revoke(apiKey.id);
  console.log(ed25519.id, signingKeys.length, apiKeys.length);
  // #endregion keys
}

export async function errors(id: string) {
  // #region errors
  try {
    await relink.integrations.get(id);
  } catch (error) {
    if (error instanceof RelinkApiError) {
      // status, a stable code to switch on, details, and the request id to quote
      console.error(error.status, error.code, error.details, error.requestId);
      if (error.code === "NOT_FOUND") return null;
    } else if (error instanceof RelinkConnectionError) {
      console.error(`relink unreachable (${error.code})`); // TIMEOUT or NETWORK_ERROR
    }
    throw error;
  }
  // #endregion errors
}
