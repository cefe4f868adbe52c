/**
 * `pnpm demo` (and `pnpm start`): the whole story on one machine. Starts the demo HR system, a
 * relink server on SQLite with DEMO settings (a 60 s pause window, a sync every 5 s), and the
 * example product (customer backend + page); seeds a workspace, a signing key, a webhook endpoint,
 * the allowed origin, two scope configs and an integration on a fresh demo HR key; prints the URLs.
 *
 * Environment: `PORT` (relink, 8787), `DEMO_HRIS_PORT` (8790), `CUSTOMER_APP_PORT` (8788); `0`
 * picks a free port. `RELINK_PAUSE_AFTER`, `RELINK_SYNC_INTERVAL` and every other server variable
 * override the demo's. The demo's database (`./.relink/demo/`) starts empty on every run, as the
 * demo HR system (in memory) does.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startDemoHris } from "@relink/demo-hris";
import { CustomerStore, demoControls, startCustomerBackend } from "@relink/example-customer-backend";
import { RelinkClient } from "@relink/sdk";
import { createWorkspace, loadConfig, startServer } from "@relink/server";
import { runBuilds } from "./demo-builds.ts";

const ROOT = resolve(import.meta.dirname, "..");
/** The demo's connector module (`@relink/demo-hris/connectors`), as a file the server imports. */
const DEMO_CONNECTORS = fileURLToPath(import.meta.resolve("@relink/demo-hris/connectors"));

/** The demo's settings: the story in a minute instead of three days. Each can be overridden. */
const DEMO_SETTINGS = {
  RELINK_PAUSE_AFTER: "60s",
  RELINK_SYNC_INTERVAL: "5s",
  RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
  RELINK_DATA_DIR: "./.relink/demo",
  LOG_LEVEL: "warn",
} as const;

const EMPLOYEES = {
  setting: "ENABLED",
  fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
} as const;

async function port(name: string, fallback: number): Promise<number> {
  const raw = process.env[name];
  const wanted = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65_535)
    throw new Error(`${name} must be a port number`);
  if (wanted !== 0) return wanted;
  // Every URL must be known before anything starts (webhook endpoint, OAuth redirect, allowed origin).
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return free;
}

/** The widget (served at /widget/relink-widget.js) and the dashboard (/dashboard) are built once. */
async function buildIfMissing() {
  if (process.env.RELINK_DEMO_SKIP_BUILDS === "1") return;
  const build = (name: string, label: string, output: string) => ({
    name: label,
    output: join(ROOT, output),
    command: ["pnpm", "--filter", name, "build"],
    retry: `pnpm --filter ${name} build`,
  });
  await runBuilds({
    cwd: ROOT,
    builds: [
      build("@relink/widget", "the widget", "packages/widget/dist/relink-widget.js"),
      build("@relink/dashboard", "the dashboard", "packages/dashboard/dist/index.html"),
    ],
  });
}

async function main() {
  await buildIfMissing();
  const [relinkPort, hrisPort, appPort] = [
    await port("PORT", 8787),
    await port("DEMO_HRIS_PORT", 8790),
    await port("CUSTOMER_APP_PORT", 8788),
  ];
  const hris = await startDemoHris({ port: hrisPort });
  const appUrl = `http://127.0.0.1:${appPort}`;

  const env = {
    ...DEMO_SETTINGS,
    // The demo's own database starts empty on every run, so a new key each run loses nothing.
    ...(process.env.DATABASE_URL ? {} : { RELINK_ENCRYPTION_KEY: randomBytes(32).toString("base64") }),
    // The demo HR system's tools: the demo's connector module, which registers them at
    // RELINK_DEMO_HRIS_URL (the way any server is given coded connectors; docs/connectors.md).
    RELINK_DEMO_HRIS_URL: hris.url,
    ...process.env,
    RELINK_CONNECTOR_MODULES: [DEMO_CONNECTORS, process.env.RELINK_CONNECTOR_MODULES]
      .filter(Boolean)
      .join(","),
    PORT: String(relinkPort),
  };
  const config = loadConfig(env);
  if (!process.env.DATABASE_URL && config.databaseUrl.startsWith("sqlite:")) {
    // A fresh demo each run: the demo HR system's keys live in memory and are gone too.
    const file = config.databaseUrl.slice("sqlite:".length);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
  const server = await startServer({ config, env });

  // The product team's set-up, as they would do it once with the API (or the dashboard).
  const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Demo workspace");
  const relink = new RelinkClient({ baseUrl: server.url, apiKey: apiKey.key });
  const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });
  const endpoint = await relink.webhookEndpoints.create({ url: `${appUrl}/webhooks/relink` });
  const origins = await fetch(`${server.url}/v1/settings/allowed-origins`, {
    method: "PUT",
    headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
    body: JSON.stringify({ allowed_origins: [appUrl] }),
  });
  if (!origins.ok) throw new Error(`allowed origins: ${origins.status} ${await origins.text()}`);
  const s1 = await relink.scopeConfigs.create({
    name: "Employees",
    category: "HRIS",
    is_default: true,
    models: { employees: EMPLOYEES },
  });
  const s2 = await relink.scopeConfigs.create({
    name: "Employees and time off",
    category: "HRIS",
    models: { employees: EMPLOYEES, time_off_requests: { setting: "ENABLED" } },
  });

  // The product's backend and page, receiving the webhooks.
  const customers = new CustomerStore([
    {
      id: "acme",
      name: "Acme Corp",
      email: "it@acme.example",
      tool: "demo-hris",
      targetScopeConfigId: s1.id,
    },
    { id: "globex", name: "Globex Inc", tool: "demo-hris-oauth", targetScopeConfigId: s1.id },
  ]);
  const hrisKey = await fetch(`${hris.url}/admin/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"] }),
  }).then((r) => r.json() as Promise<{ key: string }>);
  const app = await startCustomerBackend({
    port: appPort,
    relink: {
      url: server.url,
      apiKey: apiKey.key,
      workspaceId,
      signingKey: { id: signingKey.id, secret: signingKey.secret },
      webhookSecret: endpoint.secret,
    },
    customers,
    demo: demoControls({
      hrisUrl: hris.url,
      relink: { url: server.url, apiKey: apiKey.key },
      customers,
      companies: { acme: "acme", globex: "globex" },
      expandedScopeConfigId: s2.id,
      issuedKeys: { acme: [hrisKey.key] },
    }),
  });
  // Acme's integration, imported with a fresh key (checked with the tool, synced at once).
  const integration = await relink.integrations.create({
    tool: "demo-hris",
    end_user: { origin_id: "acme", organization_name: "Acme Corp", email: "it@acme.example" },
    credentials: { api_key: hrisKey.key },
    scope_config_id: s1.id,
  });
  customers.update("acme", (c) => {
    c.integrationId = integration.id;
  });

  const database = config.databaseUrl.startsWith("sqlite:")
    ? `SQLite at ${config.databaseUrl.slice("sqlite:".length)}`
    : "PostgreSQL";
  console.log(`
relink demo is running (${database})

  DEMO SETTINGS  pause after ${process.env.RELINK_PAUSE_AFTER ?? DEMO_SETTINGS.RELINK_PAUSE_AFTER} of failing auth (production default 72h),
                 a sync every ${process.env.RELINK_SYNC_INTERVAL ?? DEMO_SETTINGS.RELINK_SYNC_INTERVAL} (default 3h), webhooks to private addresses allowed

  Open the demo     ${appUrl}   (sign in as Acme Corp; Globex Inc connects with OAuth)
  relink API        ${server.url}
  API reference     ${server.url}/docs
  OpenAPI           ${server.url}/openapi.json
  Dashboard         ${server.url}/dashboard
  demo HR system    ${hris.url}   (admin: ${hris.url}/admin/companies)

  workspace         ${workspaceId}
  API key           ${apiKey.key}   (new for this start; shown once)
  signing key       ${signingKey.id} (HS256)
  webhook endpoint  ${endpoint.id} → ${appUrl}/webhooks/relink
  scope configs     ${s1.id} "${s1.name}" (default), ${s2.id} "${s2.name}"
  integration       ${integration.id} (Acme Corp on demo-hris, demo HR key with employees:read)

The story: Revoke the key → the next sync's auth check fails (early warning webhook) → after the
pause window the integration is paused (INVALID) → Expand the scope → Reconnect with a new key
that also grants time_off:read → ACTIVE again, with time-off records synced.

Try:
  curl -H "Authorization: Bearer ${apiKey.key}" ${server.url}/v1/integrations/${integration.id}

Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping…");
    await app.close();
    await server.close();
    await hris.close();
    console.log("Stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
    console.error(
      `A port is already in use (${error.message}). Stop the other process or set PORT / DEMO_HRIS_PORT / CUSTOMER_APP_PORT.`,
    );
  } else {
    console.error(
      error instanceof Error && error.name === "ConfigError"
        ? `Configuration error: ${error.message}`
        : error,
    );
  }
  process.exit(1);
});
