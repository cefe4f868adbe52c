import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { RelinkClient } from "@relink/sdk";
import { signWebhook, type WebhookEvent } from "@relink/sdk/server";
import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerStore, type RunningCustomerBackend, startCustomerBackend } from "../src/index.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The product's page (`examples/customer-app`) in real Chromium, served by the customer backend
 * against a real relink server and demo HR system (issue 15, item 24).
 */
describe.skipIf(!existsSync(CHROMIUM))("the example product's page in Chromium", () => {
  let hris: RunningDemoHris;
  let server: RunningServer;
  let backend: RunningCustomerBackend;
  let browser: Browser;
  let integrationId: string;
  const webhookSecret = `whsec_${randomBytes(24).toString("base64")}`;

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    server = await startServer({
      extraConnectors: demoHrisConnectors(hris.url),
      config: defineConfig({
        port: 0,
        databaseUrl: "sqlite::memory:",
        encryptionKey: randomBytes(32).toString("base64"),
        runWorkers: false,
        logLevel: "silent",
      }),
    });
    const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Customer app tests");
    const relink = new RelinkClient({ baseUrl: server.url, apiKey: apiKey.key });
    const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });
    const key = (
      (await (
        await fetch(`${hris.url}/admin/api-keys`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"] }),
        })
      ).json()) as { key: string }
    ).key;
    integrationId = (
      await relink.integrations.create({
        tool: "demo-hris",
        end_user: { origin_id: "acme", organization_name: "Acme Corp" },
        credentials: { api_key: key },
      })
    ).id;
    backend = await startCustomerBackend({
      port: 0,
      relink: {
        url: server.url,
        apiKey: apiKey.key,
        workspaceId,
        signingKey: { id: signingKey.id, secret: signingKey.secret },
        webhookSecret,
      },
      customers: new CustomerStore([
        { id: "acme", name: "Acme Corp", tool: "demo-hris", integrationId },
        { id: "globex", name: "Globex Inc", tool: "demo-hris-oauth" },
      ]),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await backend?.close();
    await server?.close();
    await hris?.close();
  });

  const open = async (width = 1100): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(backend.url);
    await page.getByLabel("Customer").waitFor();
    return page;
  };
  const signIn = async (page: Page, name: string) => {
    await page.getByLabel("Customer").selectOption({ label: name });
    await page.getByRole("button", { name: "Sign in" }).click();
  };

  it("switching customer hides the previous customer's facts (no stale data shown for another customer)", async () => {
    const page = await open();
    await signIn(page, "Acme Corp");
    await expect.poll(() => page.getByTestId("state").textContent()).toBe("ACTIVE");
    expect(await page.locator("#integration").isVisible()).toBe(true);

    // Another customer signs in on the same page (the page keeps polling /api/me).
    await page.evaluate(async () => {
      await fetch("/api/sign-out", { method: "POST" });
      await fetch("/api/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customer_id: "globex" }),
      });
    });
    await page.getByRole("button", { name: "Connect your HR system" }).waitFor();
    await expect.poll(() => page.locator("#integration").isVisible()).toBe(false);
    expect(await page.getByTestId("state").isVisible()).toBe(false);
    await page.context().close();
  });

  it("“Sign in” becomes “Sign out”, which signs out", async () => {
    const page = await open();
    await signIn(page, "Acme Corp");
    const signOut = page.getByRole("button", { name: "Sign out" });
    await signOut.waitFor();
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(0);
    await expect.poll(() => page.locator("#integration").isVisible()).toBe(true);
    await signOut.click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await expect.poll(() => page.locator("#integration").isVisible()).toBe(false);
    expect(await page.locator("#signed-out").isVisible()).toBe(true);
    expect((await page.request.get(`${backend.url}/api/me`)).status()).toBe(401);
    await page.context().close();
  });

  it("at 375 px the header fits and “Sign in” can be tapped", async () => {
    const page = await open(375);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      header: (document.querySelector("header") as HTMLElement).scrollWidth,
    }));
    expect(widths).toEqual({ page: 375, header: 375 });
    const button = page.getByRole("button", { name: "Sign in" });
    const box = await button.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    // Playwright's actionability checks: visible, in the viewport, not covered.
    await button.click({ trial: true, timeout: 30_000 });
    await signIn(page, "Acme Corp");
    const signOut = page.getByRole("button", { name: "Sign out" });
    await signOut.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(375);
    await signOut.click({ trial: true, timeout: 30_000 });
    await page.context().close();
  });

  it("groups consecutive identical sync events, and a toggle hides syncs", async () => {
    const post = async (event: WebhookEvent) => {
      const body = JSON.stringify(event);
      const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret: webhookSecret });
      const response = await fetch(`${backend.url}/webhooks/relink`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      expect(response.status).toBe(204);
    };
    const sync = (n: number, state: "SUCCEEDED" | "FAILED"): WebhookEvent => {
      const at = new Date(Date.now() + n * 1000).toISOString();
      return {
        id: `evt_01sync${String(n).padStart(20, "0")}`,
        type: "sync-finished",
        created_at: at,
        data: {
          sync_id: `sync_01${String(n).padStart(24, "0")}`,
          integration_id: integrationId,
          sync_state: state,
          trigger: "SCHEDULE",
          started_at: at,
          ended_at: at,
          scope_config_id: null,
          warnings: [],
        },
      } as WebhookEvent;
    };
    for (let n = 1; n <= 12; n++) await post(sync(n, "SUCCEEDED"));
    await post(sync(13, "FAILED"));
    for (let n = 14; n <= 15; n++) await post(sync(n, "SUCCEEDED"));

    const page = await open();
    await signIn(page, "Acme Corp");
    const items = page.locator("#webhooks > li");
    await expect
      .poll(async () =>
        (await items.allTextContents()).map((t) => t.slice(t.indexOf("sync-finished")).trim()),
      )
      .toEqual([
        "sync-finished SUCCEEDED (SCHEDULE) × 2",
        "sync-finished FAILED (SCHEDULE)",
        "sync-finished SUCCEEDED (SCHEDULE) × 12",
      ]);
    await page.getByLabel("Show sync events").uncheck();
    await expect.poll(() => items.count()).toBe(0);
    await page.getByLabel("Show sync events").check();
    await expect.poll(() => items.count()).toBe(3);
    await page.context().close();
  });
});
