/**
 * Writes PNGs of the example product's page (`examples/customer-app`) to
 * `docs/screenshots/example-product/`: light and dark, desktop and 375 px, against a real relink
 * server and demo HR system with syncs running every second, so the webhook list shows grouped
 * syncs. Rerun with `pnpm --filter @relink/example-customer-backend screenshots`.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { RelinkClient } from "@relink/sdk";
import { createWorkspace, defineConfig, startServer } from "@relink/server";
import { chromium, type Page } from "playwright-core";
import { CustomerStore, startCustomerBackend } from "../src/index.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const out = `${ROOT}docs/screenshots/example-product/`;
mkdirSync(out, { recursive: true });

if (!existsSync(`${ROOT}packages/widget/dist/relink-widget.js`)) {
  console.log("Building the widget…");
  const build = spawnSync("pnpm", ["--filter", "@relink/widget", "build"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error("the widget build failed");
}

const hris = await startDemoHris({ port: 0 });
const server = await startServer({
  extraConnectors: demoHrisConnectors(hris.url),
  config: defineConfig({
    port: 0,
    databaseUrl: "sqlite::memory:",
    encryptionKey: randomBytes(32).toString("base64"),
    allowPrivateWebhookUrls: true,
    allowHttpWebhookUrls: true,
    syncIntervalMs: 1_000,
    schedulerTickMs: 200,
    webhookTickMs: 200,
    logLevel: "silent",
  }),
});
const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Screenshots");
const relink = new RelinkClient({ baseUrl: server.url, apiKey: apiKey.key });
const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });
const scope = await relink.scopeConfigs.create({
  name: "Employees",
  category: "HRIS",
  is_default: true,
  models: {
    employees: {
      setting: "ENABLED",
      fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
    },
    teams: { setting: "ENABLED" },
  },
});
const holder = { secret: "" };
const customers = new CustomerStore([
  { id: "acme", name: "Acme Corp", tool: "demo-hris", targetScopeConfigId: scope.id },
  { id: "globex", name: "Globex Inc", tool: "demo-hris-oauth", targetScopeConfigId: scope.id },
]);
const backend = await startCustomerBackend({
  port: 0,
  relink: {
    url: server.url,
    apiKey: apiKey.key,
    workspaceId,
    signingKey: { id: signingKey.id, secret: signingKey.secret },
    get webhookSecret() {
      return holder.secret;
    },
  },
  customers,
});
holder.secret = (await relink.webhookEndpoints.create({ url: `${backend.url}/webhooks/relink` })).secret;
const key = (
  (await (
    await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
    })
  ).json()) as { key: string }
).key;
const integration = await relink.integrations.create({
  tool: "demo-hris",
  end_user: { origin_id: "acme", organization_name: "Acme Corp" },
  credentials: { api_key: key },
  scope_config_id: scope.id,
});
customers.update("acme", (c) => {
  c.integrationId = integration.id;
});
// A few syncs, so that the webhook list has a run of identical ones to group.
const deadline = Date.now() + 30_000;
while (backend.webhooks.received.filter((r) => r.event.type === "sync-finished").length < 6) {
  if (Date.now() > deadline) throw new Error("no syncs arrived");
  await new Promise((r) => setTimeout(r, 200));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const shoot = async (
  name: string,
  options: { width: number; colorScheme: "light" | "dark" },
  act: (page: Page) => Promise<void>,
) => {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.width < 500 ? 900 : 820 },
    colorScheme: options.colorScheme,
  });
  const page = await context.newPage();
  await page.goto(backend.url);
  await page.getByLabel("Customer").waitFor();
  await act(page);
  await page.screenshot({ path: `${out}${name}.png`, fullPage: true });
  console.log(`wrote docs/screenshots/example-product/${name}.png`);
  await context.close();
};
const signIn = (name: string) => async (page: Page) => {
  await page.getByLabel("Customer").selectOption({ label: name });
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  if (name === "Acme Corp") {
    await page.locator("#records li[data-model]").first().waitFor();
    await page.locator("#webhooks .count").first().waitFor();
  } else {
    await page.getByRole("button", { name: "Connect your HR system" }).waitFor();
  }
};

try {
  for (const colorScheme of ["light", "dark"] as const) {
    await shoot(`signed-out-${colorScheme}`, { width: 1100, colorScheme }, async () => {});
    await shoot(`acme-${colorScheme}`, { width: 1100, colorScheme }, signIn("Acme Corp"));
    await shoot(`globex-not-connected-${colorScheme}`, { width: 1100, colorScheme }, signIn("Globex Inc"));
    await shoot(`signed-out-375-${colorScheme}`, { width: 375, colorScheme }, async () => {});
    await shoot(`acme-375-${colorScheme}`, { width: 375, colorScheme }, signIn("Acme Corp"));
  }
} finally {
  await browser.close();
  await backend.close();
  await server.close();
  await hris.close();
}
