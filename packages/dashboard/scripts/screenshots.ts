/**
 * Writes PNGs of the dashboard's main pages to `docs/screenshots/dashboard/`, against a real server
 * seeded with days of auth history: `pnpm --filter @relink/dashboard screenshots`.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import setup from "../test/build-dashboard.ts";
import { launchChromium, signIn } from "../test/support/browser.ts";
import { ORGANISATIONS, seedHistory, seedIntegrations, seedScopeConfigs } from "../test/support/seed.ts";
import { startStack } from "../test/support/stack.ts";

const out = fileURLToPath(new URL("../../../docs/screenshots/dashboard/", import.meta.url));
mkdirSync(out, { recursive: true });

await setup();
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(req.url === "/failing" ? 500 : 204).end());
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const stack = await startStack({ allowPrivateWebhookUrls: true });
const browser = await launchChromium();
try {
  const { compensation } = await seedScopeConfigs(stack);
  const seeded = await seedIntegrations(stack, ORGANISATIONS);
  const byName = new Map(seeded.map((s) => [s.integration.end_user.organization_name, s.integration]));
  for (const [name, plan] of [
    ["Acme Corporation", { days: 6, inconclusiveAtHoursAgo: [20, 56], recoveredStreakHoursAgo: [100, 88] }],
    ["Globex Industries", { days: 6, failingSinceHoursAgo: 80, inconclusiveAtHoursAgo: [65] }],
    ["Umbrella Health", { days: 5, failingSinceHoursAgo: 31, inconclusiveAtHoursAgo: [40] }],
    ["Stark Logistics", { days: 5, failingSinceHoursAgo: 100 }],
    ["Initech", { days: 3, missingCompensation: true, scopeConfigId: compensation.id }],
    ["Wayne Retail", { days: 4, failingSinceHoursAgo: 7 }],
  ]) {
    const integration = byName.get(name);
    if (integration) await seedHistory(stack, integration, plan as Parameters<typeof seedHistory>[2]);
  }
  const hooli = byName.get("Hooli");
  if (hooli) await stack.api("PUT", `/v1/integrations/${hooli.id}/enabled`, { value: false });
  await stack.api("POST", "/v1/webhook-endpoints", {
    url: `${receiverUrl}/relink`,
    description: "Production backend",
    event_types: ["integration-state-changed", "integration-auth-status-changed", "integration-relinked"],
  });
  const failing = await stack.api<{ id: string }>("POST", "/v1/webhook-endpoints", {
    url: `${receiverUrl}/failing`,
    description: "Staging (answers 500)",
  });
  await stack.api("POST", `/v1/webhook-endpoints/${failing.id}/test`, {});
  await stack.api("POST", "/v1/signing-keys", { algorithm: "HS256" });
  await stack
    .api("PUT", "/v1/settings/allowed-origins", { allowed_origins: ["https://app.example.com"] })
    .catch(() => {});
  await new Promise((r) => setTimeout(r, 1500)); // let the test delivery be attempted

  const shoot = async (page: Page, name: string, fullPage = true) => {
    await page.waitForLoadState("networkidle");
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: `${out}${name}.png`, fullPage });
    console.log(`wrote docs/screenshots/dashboard/${name}.png`);
  };

  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
    const page = await context.newPage();
    const suffix = scheme === "dark" ? "-dark" : "";
    if (scheme === "light") {
      await page.goto(`${stack.url}/dashboard/`);
      await page.getByLabel("API key").waitFor();
      await shoot(page, "sign-in", false);
    }
    await signIn(page, stack.url, stack.apiKey);
    await page.locator("tbody tr").first().waitFor();
    await shoot(page, `integrations${suffix}`);
    const globex = byName.get("Globex Industries");
    if (globex) {
      await page.goto(`${stack.url}/dashboard/integrations/${globex.id}`);
      await signIn(page, stack.url, stack.apiKey, `/dashboard/integrations/${globex.id}`);
      await page.getByTestId("timeline-summary").waitFor();
      await page.getByRole("heading", { name: "Sync history" }).waitFor();
      await shoot(page, `integration-paused${suffix}`);
    }
    if (scheme === "dark") {
      await context.close();
      continue;
    }
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("button", { name: /Paused \(INVALID\)/ }).click();
    await page.locator("tbody tr").first().waitFor();
    await shoot(page, "integrations-paused-filter");

    const umbrella = byName.get("Umbrella Health");
    if (umbrella) {
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Integrations" })
        .click();
      await page.getByRole("button", { name: /Failing auth/ }).click();
      await page.getByRole("link", { name: "Umbrella Health" }).click();
      await page.getByTestId("timeline-summary").waitFor();
      await page.getByLabel("Scope config for the new credentials").selectOption(compensation.id);
      await page.getByRole("button", { name: "Create relink link" }).click();
      await page.getByTestId("relink-created").waitFor();
      await page.getByRole("heading", { name: "Relink integration" }).scrollIntoViewIfNeeded();
      await shoot(page, "integration-relink");
      await page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Integrations" })
        .click();
      await page.getByRole("link", { name: "Acme Corporation" }).click();
      await page.getByTestId("timeline-summary").waitFor();
      await page.getByRole("heading", { name: "Sync history" }).waitFor();
      await shoot(page, "integration-healthy");
    }
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scope configs" }).click();
    await page.getByRole("link", { name: "Core HR + compensation" }).waitFor();
    await shoot(page, "scope-configs");
    await page.getByRole("link", { name: "Core HR + compensation" }).click();
    await page.getByRole("heading", { name: "Permissions this implies" }).waitFor();
    await shoot(page, "scope-config-editor");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { name: "Delivery log" }).waitFor();
    await page
      .locator("details summary")
      .first()
      .click()
      .catch(() => {});
    await shoot(page, "webhooks");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Allowed origins" }).waitFor();
    await page.getByRole("button", { name: "Create API key" }).waitFor();
    await shoot(page, "settings");
    await context.close();
  }

  // A phone-sized window: the layout reflows, tables scroll sideways.
  const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const phone = await narrow.newPage();
  await signIn(phone, stack.url, stack.apiKey);
  await phone.locator("tbody tr").first().waitFor();
  await shoot(phone, "integrations-narrow", false);
  await narrow.close();
} finally {
  await browser.close();
  await stack.close();
  receiver.close();
}
