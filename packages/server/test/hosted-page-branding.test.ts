import { existsSync } from "node:fs";
import type { RelinkLinkCreated } from "@relink/sdk/contract";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, startFlowWorld } from "./flows-support.ts";

/**
 * The hosted page as the end user sees it, in Chromium: it says who asks (the workspace's brand),
 * and once the flow completed it says what happened and who asked, with nothing to fill in or
 * follow; a revoked link says so. Skipped locally (with a message) without Chromium, like
 * `flows-hosted-page.test.ts`; the widget is built by this project's global setup.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runnable = process.env.CI === "true" || existsSync(chromiumPath);
if (!runnable) {
  console.warn("⚠ hosted page branding test SKIPPED: needs /usr/bin/chromium (apt-get install -y chromium)");
}

const LOGO_URL = "https://logo.test/acme-payroll.svg";
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#0f766e"/></svg>`;

/** What the page offers that could take input or lead elsewhere, the widget's shadow DOM included. */
const offers = (page: Page) =>
  page.evaluate(() => {
    const roots: Array<Document | ShadowRoot> = [document];
    for (const element of document.querySelectorAll("*"))
      if (element.shadowRoot) roots.push(element.shadowRoot);
    return roots.flatMap((root) =>
      [...root.querySelectorAll("input, textarea, select, form, a[href], iframe")].map((e) => e.tagName),
    );
  });

describe.skipIf(!runnable).each(availableDialects())(
  "the hosted page's brand and endings on %s",
  (dialect) => {
    let w: FlowWorld;
    let browser: Browser;
    let integrationId: string;
    beforeAll(async () => {
      w = await startFlowWorld({ dialect });
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      });
      const s1 = await w.scopeConfig("Employees", S1_MODELS);
      const imported = await w.api("POST", "/v1/integrations", {
        tool: "demo-hris",
        end_user: { origin_id: "acme-1", organization_name: "Acme Corp" },
        credentials: { api_key: await w.issueKey("acme", ["employees:read"]) },
        scope_config_id: s1,
      });
      integrationId = ((await imported.json()) as { id: string }).id;
      const branded = await w.api("PUT", "/v1/settings/branding", {
        product_name: "Acme Payroll",
        logo_url: LOGO_URL,
        accent_color: "#0f766e",
      });
      expect(branded.status).toBe(200);
    });
    afterAll(async () => {
      await browser?.close();
      await w?.close();
    });

    const magicLink = async () => {
      const made = await w.api("POST", `/v1/integrations/${integrationId}/relink`, {
        link_type: "MAGIC_LINK",
      });
      expect(made.status).toBe(201);
      return (await made.json()) as RelinkLinkCreated;
    };
    const open = async (link: string) => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.route(LOGO_URL, (route) => route.fulfill({ contentType: "image/svg+xml", body: LOGO }));
      await page.goto(link);
      return { page, problems };
    };
    const click = (page: Page, name: string) =>
      page.locator("relink-connect").getByRole("button", { name, exact: true }).click();

    it("says who asks, and after completion what happened and who asked, offering nothing to fill in or follow", async () => {
      const link = await magicLink();
      const { page, problems } = await open(link.link);
      try {
        await expect
          .poll(() => page.locator("#asker").textContent(), { timeout: 30_000 })
          .toBe("Acme Payroll asks you to reconnect Demo HR for Acme Corp.");
        expect(await page.locator("#brand-name").textContent()).toBe("Acme Payroll");
        expect(await page.title()).toBe("Acme Payroll: Reconnect your account");
        await expect
          .poll(() => page.locator("#brand-logo").evaluate((img: HTMLImageElement) => img.naturalWidth))
          .toBeGreaterThan(0);
        expect(await page.locator("#brand-logo").isVisible()).toBe(true);

        await click(page, "Get started");
        await click(page, "Continue");
        await page
          .locator("relink-connect")
          .getByLabel("API key", { exact: true })
          .fill(await w.issueKey("acme", ["employees:read"]));
        await click(page, "Connect");

        const notice = page.locator(".notice");
        await expect.poll(() => notice.locator("h1").textContent(), { timeout: 30_000 }).toBe("Reconnected");
        const text = await notice.textContent();
        expect(text).toContain("Demo HR is connected again for Acme Corp.");
        expect(text).toContain("Acme Payroll asked for this reconnection");
        expect(text).toContain("you can close this page");
        expect(await page.locator("#brand-name").isVisible()).toBe(true);
        expect(await page.locator("relink-connect").count()).toBe(0);
        expect(await offers(page)).toEqual([]);
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Reconnected");
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);

    it("says a revoked link was revoked, by whom, and shows no flow", async () => {
      const link = await magicLink();
      const revoked = await w.api("DELETE", `/v1/integrations/${integrationId}/relink-links/${link.id}`);
      expect(revoked.status).toBe(200);
      const { page, problems } = await open(link.link);
      try {
        const notice = page.locator(".notice");
        await expect
          .poll(() => notice.locator("h1").textContent(), { timeout: 30_000 })
          .toBe("This link was revoked");
        expect(await notice.textContent()).toContain(
          "Acme Payroll revoked this link, so it can no longer be used.",
        );
        expect(await page.locator("#brand-name").textContent()).toBe("Acme Payroll");
        expect(await page.locator("relink-connect").count()).toBe(0);
        expect(await offers(page)).toEqual([]);
        expect(page.url()).toBe(`${w.url}/link`);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);
    it("says calmly that someone else already reconnected when the link was superseded (409 FLOW_SUPERSEDED)", async () => {
      const link = await magicLink();
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      // The server's answer to a superseded link's every connect call (issue 20 item 3).
      await page.route("**/connect/v1/flow*", (route) =>
        route.fulfill({
          status: 409,
          contentType: "application/json",
          body: JSON.stringify({
            error: {
              code: "FLOW_SUPERSEDED",
              message: "Someone else reconnected this integration.",
              details: { superseded_at: "2026-11-30T14:05:00.000Z" },
              request_id: "req_1",
            },
          }),
        }),
      );
      try {
        await page.goto(link.link);
        const notice = page.locator(".notice");
        await expect
          .poll(() => notice.locator("h1").textContent(), { timeout: 30_000 })
          .toBe("Already reconnected");
        expect(await notice.textContent()).toContain(
          "Someone else reconnected this integration on Nov 30, 2026",
        );
        expect(await notice.locator(".mark").textContent()).toBe("✓");
        expect(await page.locator("relink-connect").count()).toBe(0);
        expect(await offers(page)).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);

    it("after a hand-off to an admin, says it was sent and offers nothing more", async () => {
      const link = await magicLink();
      const { page, problems } = await open(link.link);
      await page.route("**/connect/v1/flow/handoff", (route) =>
        route.fulfill({
          status: 201,
          contentType: "application/json",
          body: JSON.stringify({ url: `${link.link}-for-admin`, expires_at: "2026-12-08T09:00:00.000Z" }),
        }),
      );
      try {
        await click(page, "Get started");
        await click(page, "Continue");
        await click(page, "I’m not an admin — send this to my admin");
        await page
          .locator("relink-connect")
          .getByLabel(/Your name or email/)
          .fill("Jane Doe");
        await click(page, "Create link");
        await expect
          .poll(() => page.locator("relink-connect").locator("#handoff-url").inputValue(), {
            timeout: 30_000,
          })
          .toBe(`${link.link}-for-admin`);
        await click(page, "Done");
        const notice = page.locator(".notice");
        await expect
          .poll(() => notice.locator("h1").textContent(), { timeout: 30_000 })
          .toBe("Sent to your admin");
        expect(await page.locator("#asker").isVisible()).toBe(false);
        expect(await offers(page)).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);

    it("shows a product name as text, never as markup", async () => {
      const name = '<img src=x onerror="document.title=1">Acme';
      expect((await w.api("PUT", "/v1/settings/branding", { product_name: name })).status).toBe(200);
      const { page, problems } = await open((await magicLink()).link);
      try {
        await expect.poll(() => page.locator("#brand-name").textContent(), { timeout: 30_000 }).toBe(name);
        expect(await page.locator("#brand img:not(#brand-logo), #asker img, #brand-name *").count()).toBe(0);
        expect(await page.locator("#brand-logo").isHidden()).toBe(true);
        expect(await page.title()).toBe(`${name}: Reconnect your account`);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 90_000);
  },
);
