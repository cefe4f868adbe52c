import type { Branding, Page as ListPage, RelinkLink, RelinkLinkCreated } from "@relink/sdk/contract";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signIn } from "./support/browser.ts";
import { seedIntegrations } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

/** The operator sets the workspace's brand and revokes a relink link, in Chromium against a real server. */
describe("dashboard: branding and revoking relink links", () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("saves the product name, logo URL and accent colour in Settings, and shows a refusal", async () => {
    const page = await browser.newPage();
    try {
      await signIn(page, stack.url, stack.apiKey, "/dashboard/settings");
      const section = page.locator("section", { has: page.getByRole("heading", { name: "Branding" }) });
      await section.getByLabel("Product name").fill("Acme Payroll");
      await section.getByLabel("Logo URL (https)").fill("https://cdn.acme.example/logo.png");
      await section.getByLabel("Accent colour (hex)").fill("#0F766E");
      await section.getByRole("button", { name: "Save branding" }).click();
      await expect
        .poll(() => stack.api<Branding>("GET", "/v1/settings/branding"))
        .toEqual({
          product_name: "Acme Payroll",
          logo_url: "https://cdn.acme.example/logo.png",
          accent_color: "#0f766e",
        });
      // The form shows what the server kept (the colour normalised).
      await expect.poll(() => section.getByLabel("Accent colour (hex)").inputValue()).toBe("#0f766e");
      expect(await section.getByLabel("Product name").inputValue()).toBe("Acme Payroll");

      // A name the server refuses (a bidirectional override) is explained, and nothing changes.
      await section.getByLabel("Product name").fill("Acme\u202eyaP");
      await section.getByRole("button", { name: "Save branding" }).click();
      await section.getByRole("alert").waitFor();
      expect(await section.getByRole("alert").textContent()).toMatch(/product_name/);
      expect((await stack.api<Branding>("GET", "/v1/settings/branding")).product_name).toBe("Acme Payroll");
    } finally {
      await page.close();
    }
  });

  it("revokes an outstanding link with the Revoke button: it leaves the list and its token answers 410", async () => {
    const [seeded] = await seedIntegrations(stack, ["Initech"]);
    if (!seeded) throw new Error("no integration");
    const id = seeded.integration.id;
    const made = await stack.api<RelinkLinkCreated>("POST", `/v1/integrations/${id}/relink`, {
      link_type: "MAGIC_LINK",
    });
    const page = await browser.newPage();
    try {
      page.on("dialog", (dialog) => void dialog.accept());
      await signIn(page, stack.url, stack.apiKey, `/dashboard/integrations/${id}`);
      const table = page.locator("relink-relink-section table");
      await table.waitFor();
      await table.getByRole("button", { name: /^Revoke the link created/ }).click();
      await page.locator("relink-relink-section").getByText("No outstanding links.").waitFor();
      const links = await stack.api<ListPage<RelinkLink>>("GET", `/v1/integrations/${id}/relink-links`);
      expect(links.data.find((l) => l.id === made.id)?.status).toBe("REVOKED");
      const flow = await fetch(`${stack.url}/connect/v1/flow`, {
        headers: { authorization: `Bearer ${made.token}` },
      });
      expect(flow.status).toBe(410);
    } finally {
      await page.close();
    }
  });
});
