/**
 * `pnpm --filter @relink/server screenshots:hosted-page`: the hosted page (`/link`) as end users
 * see it, in the system Chromium against a real relink server and the demo HR system, with a
 * workspace brand set: before completion, after completion ("Done"), and a revoked link; light and
 * dark; 375 px wide and desktop. Writes PNGs to `docs/screenshots/hosted-page/`. Needs the widget
 * built (`pnpm --filter @relink/widget build`).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import type { RelinkLinkCreated } from "@relink/sdk/contract";
import { chromium, type Page } from "playwright-core";
import { defineConfig } from "../src/config.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { DEFAULT_WIDGET_FILE } from "../src/routes/hosted-page.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { startServer } from "../src/serve.ts";

const outDir = join(import.meta.dirname, "../../../docs/screenshots/hosted-page");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LOGO_URL = "https://logo.acme-payroll.example/logo.svg";
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#0f766e"/><text x="20" y="26" font-family="sans-serif" font-size="14" font-weight="700" fill="#fff" text-anchor="middle">AP</text></svg>`;

if (!existsSync(DEFAULT_WIDGET_FILE)) {
  console.error("Build the widget first: pnpm --filter @relink/widget build");
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

const hris = await startDemoHris({ port: 0 });
const relink = await startServer({
  extraConnectors: demoHrisConnectors(hris.url),
  config: defineConfig({
    port: 0,
    host: "127.0.0.1",
    publicUrl: "http://127.0.0.1:0", // the bound port replaces 0
    databaseUrl: "sqlite::memory:",
    encryptionKey: generateEncryptionKey(),
    runWorkers: false,
    logLevel: "silent",
  }),
});
const { apiKey } = await createWorkspace(relink.relink.ctx, "Acme Payroll");
const base = relink.relink.ctx.config.publicUrl;
const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};
const hrisKey = async (permissions: string[]) => {
  const r = await fetch(`${hris.url}/admin/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ company_id: "acme", permissions }),
  });
  return ((await r.json()) as { key: string }).key;
};

await api("PUT", "/v1/settings/branding", {
  product_name: "Acme Payroll",
  logo_url: LOGO_URL,
  accent_color: "#0f766e",
});
const scope = await api<{ id: string }>("POST", "/v1/scope-configs", {
  name: "Employees",
  category: "HRIS",
  is_default: true,
  models: {
    employees: {
      setting: "ENABLED",
      fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
    },
  },
});
const integration = await api<{ id: string }>("POST", "/v1/integrations", {
  tool: "demo-hris",
  end_user: { origin_id: "acme", organization_name: "Acme Corp" },
  scope_config_id: scope.id,
  credentials: { api_key: await hrisKey(["employees:read"]) },
});
const magicLink = () =>
  api<RelinkLinkCreated>("POST", `/v1/integrations/${integration.id}/relink`, { link_type: "MAGIC_LINK" });

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const widths = [
  ["375", { width: 375, height: 760 }],
  ["desktop", { width: 1024, height: 760 }],
] as const;
const click = (page: Page, name: string) =>
  page.locator("relink-connect").getByRole("button", { name, exact: true }).click();

try {
  for (const scheme of ["light", "dark"] as const) {
    for (const [width, viewport] of widths) {
      const shoot = async (name: string, link: string, steps: (page: Page) => Promise<void>) => {
        const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
        const page = await context.newPage();
        await page.route(LOGO_URL, (route) => route.fulfill({ contentType: "image/svg+xml", body: LOGO }));
        await page.goto(link);
        await steps(page);
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        const file = join(outDir, `${name}-${scheme}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
        await context.close();
      };

      await shoot("1-before-completion", (await magicLink()).link, async (page) => {
        await page.locator("#asker:not([hidden])").waitFor();
        await page.locator("relink-connect").getByRole("button", { name: "Get started" }).waitFor();
      });

      await shoot("2-after-done", (await magicLink()).link, async (page) => {
        await click(page, "Get started");
        await click(page, "Continue");
        await page
          .locator("relink-connect")
          .getByLabel("API key", { exact: true })
          .fill(await hrisKey(["employees:read"]));
        await click(page, "Connect");
        await page.locator(".notice h1", { hasText: "Reconnected" }).waitFor({ timeout: 30_000 });
      });

      const revoked = await magicLink();
      await api("DELETE", `/v1/integrations/${integration.id}/relink-links/${revoked.id}`);
      await shoot("3-revoked", revoked.link, async (page) => {
        await page.locator(".notice h1", { hasText: "This link was revoked" }).waitFor();
      });
    }
  }
} finally {
  await browser.close();
  await relink.close();
  await hris.close();
}
