import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Integration } from "@relink/sdk/contract";
import { waitFor } from "@relink/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axe, launchChromium, signIn } from "./support/browser.ts";
import { seedIntegrations, seedScopeConfigs } from "./support/seed.ts";
import { ALL_PERMISSIONS, type Stack, startStack } from "./support/stack.ts";

/**
 * The operator's story in real Chromium against a real server (SQLite in a temporary folder) and
 * the real demo HR system: a key is revoked, the pause engine pauses the integration within a
 * short pause window, and the operator relinks it from the dashboard.
 */
describe("dashboard, end to end", () => {
  let stack: Stack;
  let browser: Browser;
  let paused: Integration;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startStack({ pauseAfter: 2_500, schedulerTick: 100, allowPrivateWebhookUrls: true }),
      launchChromium(),
    ]);
    await seedScopeConfigs(stack);
    await seedIntegrations(stack, ["Acme Corporation", "Initech", "Umbrella Health"]);
    const [hooli] = await seedIntegrations(stack, ["Hooli"]);
    if (hooli) await stack.api("PUT", `/v1/integrations/${hooli.integration.id}/enabled`, { value: false });

    // Globex's key is revoked in the HR system: every check now fails, and after the pause window it pauses.
    const [globex] = await seedIntegrations(stack, ["Globex Industries"], {
      syncInterval: "400ms",
      company: "globex",
    });
    if (!globex) throw new Error("no globex");
    await fetch(`${stack.hris.url}/admin/api-keys/${encodeURIComponent(globex.key)}`, { method: "DELETE" });
    await waitFor(
      "Globex paused",
      async () => {
        paused = await stack.api<Integration>("GET", `/v1/integrations/${globex.integration.id}`);
        return paused.state === "INVALID";
      },
      { timeoutMs: 90_000, intervalMs: 200, describe: () => JSON.stringify(paused?.auth) },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const nav = (page: Page, name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();

  it("signs in, filters to paused integrations, reads the timeline, relinks with a new scope config", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });

    // A wrong key is refused with the server's message; the right one signs in.
    await page.goto(`${stack.url}/dashboard/`);
    await page.getByLabel("API key").fill("rlk_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectText(page.getByRole("alert"), /unknown or was revoked/);
    await page.getByLabel("API key").fill(stack.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    pageErrors.length = 0; // the refused key's 401 is expected; nothing else may fail from here on

    // Counts at the top, then the state filter.
    await expectText(page.getByRole("button", { name: /Paused \(INVALID\)/ }), /^\s*1\s/);
    await expectText(page.getByRole("button", { name: /All integrations/ }), /^\s*5\s/);
    // The count buttons and the filters stay in step.
    await page.getByRole("button", { name: /Inactive/ }).click();
    await expect.poll(() => page.getByLabel("State", { exact: true }).inputValue()).toBe("INACTIVE");
    await page.getByRole("button", { name: /All integrations/ }).click();
    await expect.poll(() => page.getByLabel("State", { exact: true }).inputValue()).toBe("");
    await page.getByLabel("State", { exact: true }).selectOption("INVALID");
    await page.locator("tbody tr").filter({ hasText: "Globex" }).waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    const row = page.locator("tbody tr").first();
    await expectText(row, /Paused since/);
    expect(page.url()).toContain("state=INVALID");

    // The integration page: focus lands on its heading; the timeline shows the failed checks and the pause.
    await row.getByRole("link", { name: "Globex Industries" }).click();
    const heading = page.getByRole("heading", { level: 1, name: "Globex Industries" });
    await heading.waitFor();
    await expect.poll(() => heading.evaluate((h) => h.matches(":focus"))).toBe(true);
    await expectText(page.getByTestId("state"), /Paused/);
    const summary = page.getByTestId("timeline-summary");
    await expectText(summary, /Paused at/);
    const failed = Number(/(\d+) failed/.exec((await summary.textContent()) ?? "")?.[1]);
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(failed).toBe(paused.auth.failed_checks);
    expect(await page.locator("relink-auth-timeline svg g.failed").count()).toBe(failed);
    expect(await page.locator("relink-auth-timeline svg line.pause").count()).toBe(1);
    expect(await page.locator("relink-auth-timeline svg rect.streak.current").count()).toBe(1);
    await expectText(page.locator("section", { hasText: "Sync history" }).last(), /AUTHENTICATION_FAILED/);
    await expectText(page.locator("section", { hasText: "Events" }).last(), /ACTIVE → INVALID/);

    // A new scope config, made in the dashboard: compensation too.
    await nav(page, "Scope configs");
    await page.getByRole("link", { name: "New scope config" }).click();
    await page.getByLabel("Name", { exact: true }).fill("HR with pay");
    await page.locator("select[data-model=compensations]").selectOption("ENABLED");
    await page.locator("select[data-model=teams]").selectOption("ENABLED");
    await expectText(page.getByTestId("implied-demo-hris"), /compensation:read/);
    await page.getByRole("button", { name: "Save scope config" }).click();
    await page.getByRole("link", { name: "HR with pay" }).waitFor();

    // Back to the paused integration, by search.
    await nav(page, "Integrations");
    await page.getByLabel("Organisation or origin id").fill("globex");
    await page.locator("tbody tr").filter({ hasText: "Globex" }).waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: "Globex Industries" }).click();

    // Relink: "Send a relink link" jumps to the form; the permission diff; then a magic link in English.
    await page.getByRole("button", { name: "Send a relink link" }).click();
    await expect
      .poll(() =>
        page
          .getByLabel("Scope config for the new credentials")
          .evaluate((select) => select.matches(":focus")),
      )
      .toBe(true);
    await page.getByLabel("Scope config for the new credentials").selectOption({ label: "HR with pay" });
    const diff = page.getByTestId("permission-diff");
    // The new config reads compensation, and (all employee fields being on) personal data too.
    await expectText(diff, /Adds 2/);
    await expectText(diff, /compensation:read/);
    expect(await diff.textContent()).not.toMatch(/Removes/);
    await page.getByLabel("Language").selectOption("en");
    await page.getByRole("button", { name: "Create relink link" }).click();
    const created = page.getByTestId("relink-created");
    await created.waitFor();
    const link = await created.getByRole("textbox", { name: "Link", exact: true }).inputValue();
    expect(link).toMatch(new RegExp(`^${stack.url}/link#token=`));
    expect(await created.locator("relink-qr-code svg path").count()).toBe(1);
    await expectText(page.locator("relink-relink-section table"), /HR with pay/);

    // The end user opens the link in another browser and relinks with a key that grants the new scope.
    const newKey = await stack.hrisKey("globex", ALL_PERMISSIONS);
    const endUser = await (await browser.newContext()).newPage();
    await endUser.goto(link);
    await endUser.getByRole("button", { name: "Get started" }).click();
    await endUser.getByRole("button", { name: "Continue" }).click();
    await endUser
      .getByLabel(/API key/i)
      .first()
      .fill(newKey);
    await endUser.getByRole("button", { name: "Connect", exact: true }).click();
    await endUser.getByRole("heading", { name: "Connected" }).waitFor({ timeout: 45_000 });

    // The dashboard sees it turn ACTIVE, on the new scope config.
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return page.getByTestId("state").textContent();
        },
        { timeout: 45_000, interval: 500 },
      )
      .toMatch(/Active/);
    await expectText(page.locator("dd a", { hasText: "HR with pay" }), /HR with pay/);
    await expectText(page.locator("section", { hasText: "Events" }).last(), /INVALID → ACTIVE \(RELINKED\)/);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("passes axe on the main pages, in light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
      const page = await context.newPage();
      await page.goto(`${stack.url}/dashboard/`);
      await page.getByLabel("API key").waitFor();
      const found: Record<string, unknown> = { "sign-in": await axe(page) };
      await signIn(page, stack.url, stack.apiKey);
      await page.locator("tbody tr").first().waitFor();
      found.integrations = await axe(page);
      await page.getByRole("link", { name: "Globex Industries" }).click();
      await page.getByTestId("timeline-summary").waitFor();
      await page.getByRole("heading", { name: "Outstanding links" }).waitFor();
      found.integration = await axe(page);
      await nav(page, "Scope configs");
      await page.getByRole("link", { name: "Core HR", exact: true }).click();
      await page.getByRole("heading", { name: "Permissions this implies" }).waitFor();
      found["scope-config"] = await axe(page);
      await nav(page, "Scope configs");
      await page.getByRole("link", { name: "New scope config" }).waitFor();
      found["scope-configs"] = await axe(page);
      await nav(page, "Webhooks");
      await page.getByRole("heading", { name: "Delivery log" }).waitFor();
      found.webhooks = await axe(page);
      await nav(page, "Settings");
      await page.getByRole("button", { name: "Create API key" }).waitFor();
      found.settings = await axe(page);
      expect({ colorScheme, ...found }).toEqual({
        colorScheme,
        ...Object.fromEntries(Object.keys(found).map((k) => [k, []])),
      });
      await context.close();
    }
  });

  it("is usable by keyboard and shows a new API key once only", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.url}/dashboard/settings`);
    await page.getByLabel("API key").waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.type(stack.apiKey);
    await page.keyboard.press("Enter");
    const heading = page.getByRole("heading", { level: 1, name: "Settings" });
    await heading.waitFor();
    await expect.poll(() => heading.evaluate((h) => h.matches(":focus"))).toBe(true);

    await page.getByLabel("New key name").fill("ci key");
    await page.getByLabel("New key name").press("Enter");
    const shown = page.getByLabel("API key", { exact: true });
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^rlk_/);
    await nav(page, "Integrations");
    await nav(page, "Settings");
    await page.getByRole("cell", { name: "ci key", exact: true }).waitFor();
    const html = await page.evaluate(() => {
      const collect = (root: Document | ShadowRoot): string =>
        root.querySelector("*")?.outerHTML +
        [...root.querySelectorAll("*")].map((e) => (e.shadowRoot ? collect(e.shadowRoot) : "")).join("");
      return collect(document);
    });
    expect(html).not.toContain(key);

    // Sign out drops the key: the sign-in form is back, and reloading does not sign in again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    await page.reload();
    await page.getByLabel("API key").waitFor();
    await context.close();
  });

  it("runs the integration actions, deletes with confirmation, and manages webhooks", async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    try {
      await signIn(page, stack.url, stack.apiKey);
      await page.getByLabel("Organisation or origin id").fill("acme");
      await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
      await page.getByRole("link", { name: "Acme Corporation" }).click();
      const actions = page.getByRole("group", { name: "Actions" });
      await actions.getByRole("button", { name: "Check auth now" }).click();
      await expectText(page.locator(".notice.success"), /Auth check OK/);
      await actions.getByRole("button", { name: "Sync now" }).click();
      await expectText(page.locator(".notice.success"), /Sync queued|already queued/);
      await actions.getByRole("button", { name: "Disable" }).click();
      await expectText(page.getByTestId("state"), /Inactive/);
      await actions.getByRole("button", { name: "Enable" }).click();
      await expectText(page.getByTestId("state"), /Active/);

      // Delete: the dialog asks first; Cancel keeps it.
      await nav(page, "Integrations");
      await page.getByRole("button", { name: /Inactive/ }).click();
      await page.getByRole("link", { name: "Hooli" }).click();
      await actions.getByRole("button", { name: "Delete…" }).click();
      const dialog = page.getByRole("dialog", { name: "Delete this integration?" });
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      await actions.getByRole("button", { name: "Delete…" }).click();
      await dialog.getByRole("button", { name: "Delete integration" }).click();
      await page.getByRole("heading", { level: 1, name: "Integrations" }).waitFor();
      await page.getByLabel("Organisation or origin id").fill("hooli");
      await expectText(
        page.getByRole("status").filter({ hasText: "No integration" }),
        /No integration matches/,
      );

      // Webhooks: the secret is shown once; a test event is delivered and logged with its attempt.
      await nav(page, "Webhooks");
      await expectText(page.getByText("No endpoints yet"), /No endpoints yet/);
      await page.getByRole("button", { name: "Add endpoint" }).click();
      await page.getByLabel("URL (https)").fill(`${receiverUrl}/hook`);
      await page.getByLabel("Description").fill("e2e receiver");
      await page.getByRole("button", { name: "Create endpoint" }).click();
      const secretBox = page.getByTestId("secret-once");
      const secret = await secretBox.getByRole("textbox", { name: "Secret" }).inputValue();
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole("button", { name: "Send test event" }).click();
      await expect
        .poll(
          async () => {
            await page.getByRole("button", { name: "Refresh" }).click();
            // Other deliveries (sync-finished of the scheduler) may be listed first.
            const test = page.locator("details summary", { hasText: "webhook-test" }).first();
            return (await test.count()) > 0 ? test.textContent() : "";
          },
          { timeout: 45_000, interval: 500 },
        )
        .toMatch(/SUCCEEDED\s+webhook-test/);
      expect(received.some((body) => body.includes("webhook-test"))).toBe(true);
      const testDelivery = page
        .locator("details", { has: page.locator("summary", { hasText: "webhook-test" }) })
        .first();
      await testDelivery.locator("summary").click();
      await expectText(testDelivery.locator("table.attempts tbody tr").first(), /204/);
      // A refresh (new deliveries may be listed above it) keeps the expanded delivery open.
      const eventId = await testDelivery.locator(".mono").first().textContent();
      await page.getByRole("button", { name: "Send test event" }).click();
      await expect
        .poll(async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return page.locator("details summary", { hasText: "webhook-test" }).count();
        })
        .toBeGreaterThan(1);
      const stillOpen = page.locator("details[open]");
      await expect.poll(() => stillOpen.count()).toBe(1);
      expect(await stillOpen.locator(".mono").first().textContent()).toBe(eventId);
      await expectText(stillOpen.locator("table.attempts tbody tr"), /204/);

      await page.getByRole("button", { name: "Rotate secret" }).click();
      await expect
        .poll(() => secretBox.getByRole("textbox", { name: "Secret" }).inputValue())
        .not.toBe(secret);
      const rotated = await secretBox.getByRole("textbox", { name: "Secret" }).inputValue();
      await page.getByRole("button", { name: "I have copied it" }).click();
      await secretBox.waitFor({ state: "detached" });
      const text = await page.evaluate(() => {
        const collect = (root: Document | ShadowRoot): string =>
          [...root.querySelectorAll("*")]
            .map(
              (e) =>
                `${e.getAttribute("value") ?? ""}${(e as HTMLInputElement).value ?? ""}${e.textContent}${e.shadowRoot ? collect(e.shadowRoot) : ""}`,
            )
            .join("");
        return collect(document);
      });
      expect(text).not.toContain(secret);
      expect(text).not.toContain(rotated);
    } finally {
      await context.close();
      receiver.close();
    }
  });
});

async function expectText(locator: import("playwright-core").Locator, pattern: RegExp): Promise<void> {
  await locator.first().waitFor();
  await expect
    .poll(async () => (await locator.first().textContent()) ?? "", { timeout: 30_000 })
    .toMatch(pattern);
}
