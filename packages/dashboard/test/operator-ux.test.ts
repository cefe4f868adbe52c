import type { Integration } from "@relink/sdk/contract";
import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signIn } from "./support/browser.ts";
import { fakeId, seedIntegrations, seedScopeConfigs } from "./support/seed.ts";
import { type Stack, startStack } from "./support/stack.ts";

/**
 * What an operator saw wrong in the dashboard (issue 15, items 20 and 23), in real Chromium
 * against a real server and the real demo HR system.
 */
describe("dashboard: the operator's view of accounts, links and failing credentials", () => {
  let stack: Stack;
  let browser: Browser;
  let acme: Integration;
  let globexOnAcme: Integration;
  let paused: Integration;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startStack({ pauseAfter: 1_500, schedulerTick: 100 }),
      launchChromium(),
    ]);
    await seedScopeConfigs(stack);
    const one = async (name: string, company: "acme" | "globex") => {
      const [seeded] = await seedIntegrations(stack, [name], { company });
      if (!seeded) throw new Error(`${name} not seeded`);
      return seeded.integration;
    };
    acme = await one("Acme Corporation", "acme");
    // Globex's integration connected with a key of Acme's account (the user signed in to the wrong company).
    globexOnAcme = await one("Globex Industries", "acme");
    const [revoked] = await seedIntegrations(stack, ["Umbrella Health"], {
      company: "globex",
      syncInterval: "300ms",
    });
    if (!revoked) throw new Error("not seeded");
    await fetch(`${stack.hris.url}/admin/api-keys/${encodeURIComponent(revoked.key)}`, { method: "DELETE" });
    const deadline = Date.now() + 30_000;
    for (;;) {
      paused = await stack.api<Integration>("GET", `/v1/integrations/${revoked.integration.id}`);
      if (paused.state === "INVALID") break;
      if (Date.now() > deadline) throw new Error(`never paused: ${JSON.stringify(paused.auth)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const openIntegration = async (id: string, width = 1280) => {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await signIn(page, stack.url, stack.apiKey, `/dashboard/integrations/${id}`);
    await page.getByTestId("state").waitFor();
    return { page, close: () => context.close() };
  };

  it("has no band above the sign-in card: the app's background starts at the top of the page", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
      const page = await context.newPage();
      await page.goto(`${stack.url}/dashboard/`);
      await page.getByLabel("API key").waitFor();
      const { top, background, pageBackground } = await page.evaluate(() => {
        const app = document.querySelector("relink-dashboard") as HTMLElement;
        // What the very top of the page shows: the element there and its background.
        const atTop = document.elementFromPoint(640, 2) as HTMLElement;
        return {
          top: app.getBoundingClientRect().top,
          background: getComputedStyle(app).backgroundColor,
          pageBackground: getComputedStyle(atTop === app ? app : atTop).backgroundColor,
        };
      });
      expect({ colorScheme, top, pageBackground }).toEqual({
        colorScheme,
        top: 0,
        pageBackground: background,
      });
      await context.close();
    }
  });

  it("names the remote account and warns when another integration of the workspace is connected to it", async () => {
    const { page, close } = await openIntegration(globexOnAcme.id);
    await expectText(page.getByTestId("remote-account"), /Acme Corp\s*\(acme\)/);
    const warning = page.getByTestId("shared-account");
    await expectText(warning, /also connected to 1 other integration/);
    await expect.poll(() => warning.getByRole("link", { name: "Acme Corporation" }).count()).toBe(1);
    await close();

    const own = await openIntegration(paused.id);
    await expectText(own.page.getByTestId("remote-account"), /Globex Inc\s*\(globex\)/);
    await own.page.getByRole("heading", { name: "Outstanding links" }).waitFor();
    expect(await own.page.getByTestId("shared-account").count()).toBe(0);
    await own.close();
  });

  it("warns of a replaced OAuth grant the tool did not revoke, with what the tool said, and only of those", async () => {
    const db = stack.server.relink.ctx.db;
    const now = Date.now();
    const row = (at: number, outcome: "REVOKED" | "FAILED", detail: string | null) => ({
      id: fakeId("rev", at),
      workspace_id: stack.workspaceId,
      integration_id: globexOnAcme.id,
      tool: globexOnAcme.tool,
      outcome,
      detail,
      created_at: new Date(at).toISOString(),
    });
    await db
      .insertInto("grant_revocations")
      .values([
        row(now - 3 * 86_400_000, "REVOKED", null),
        row(now - 3_600_000, "FAILED", "the revocation endpoint answered 503 <b>busy</b>"),
      ])
      .execute();
    try {
      const { page, close } = await openIntegration(globexOnAcme.id);
      const notice = page.getByTestId("unrevoked-grants");
      await expectText(notice, /A replaced grant was not revoked at Demo HR/);
      await expectText(notice, /answered 503 <b>busy<\/b>/); // the tool's words as text, never markup
      expect(await notice.locator("li").count()).toBe(1);
      expect(await notice.locator("b").count()).toBe(0);
      await close();
      // An integration whose replaced grants were all revoked (or that has none) shows no notice.
      const other = await openIntegration(paused.id);
      await other.page.getByRole("heading", { name: "Missing permissions" }).waitFor();
      expect(await other.page.getByTestId("unrevoked-grants").count()).toBe(0);
      await other.close();
    } finally {
      await db.deleteFrom("grant_revocations").where("integration_id", "=", globexOnAcme.id).execute();
    }
  });

  it("says missing permissions are unknown while authentication fails, not None", async () => {
    const { page, close } = await openIntegration(paused.id);
    const section = page.locator("section", {
      has: page.getByRole("heading", { name: "Missing permissions" }),
    });
    await expectText(section, /unknown while authentication fails/i);
    expect(await section.textContent()).not.toMatch(/None/);
    await close();
  });

  it("does not scroll sideways at 375 px", async () => {
    const { page, close } = await openIntegration(globexOnAcme.id, 375);
    await page.getByTestId("timeline-summary").waitFor();
    await page.getByRole("heading", { name: "Outstanding links" }).waitFor();
    await page.getByRole("heading", { name: "Sync history" }).waitFor();
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await close();
  });

  it("takes a used relink link and its QR code off the screen once the relink completed", async () => {
    const { page, close } = await openIntegration(acme.id);
    await page.getByRole("button", { name: "Create relink link" }).click();
    const created = page.getByTestId("relink-created");
    await created.waitFor();
    const link = await created.getByRole("textbox", { name: "Link", exact: true }).inputValue();
    expect(await created.locator("relink-qr-code").count()).toBe(1);

    // The end user completes it.
    const token = new URL(link).hash.replace(/^#token=/, "");
    const key = await stack.hrisKey("acme", ["employees:read", "teams:read"]);
    const done = await fetch(`${stack.url}/connect/v1/credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ values: { api_key: key } }),
    });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { status: string }).status).toBe("COMPLETED");

    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return page.getByTestId("relink-used").count();
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBe(1);
    await expectText(page.getByTestId("relink-used"), /used: the relink completed/);
    expect(await page.getByTestId("relink-created").count()).toBe(0);
    expect(await page.locator("relink-qr-code").count()).toBe(0);
    expect(await page.getByRole("textbox", { name: "Link", exact: true }).count()).toBe(0);
    await close();
  });
});

async function expectText(locator: Locator, pattern: RegExp): Promise<void> {
  await locator.first().waitFor();
  await expect
    .poll(async () => (await locator.first().textContent()) ?? "", { timeout: 30_000 })
    .toMatch(pattern);
}
