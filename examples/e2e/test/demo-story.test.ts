/**
 * The demo's story in Chromium, every process real and talking HTTP: `scripts/demo.ts` as a child
 * process (demo HR system, relink on SQLite, the customer backend and page), driven through the
 * demo page like a visitor would. The pause window is 20 s instead of the demo's 60 s: short, yet
 * wide enough that the early warning (auth failing, integration still ACTIVE) is seen before the
 * pause even when a busy machine makes every sync and page refresh take seconds (4 s was not).
 */
import { existsSync } from "node:fs";
import type { Integration, WebhookEvent } from "@relink/sdk";
import { signWebhook } from "@relink/sdk/server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, type RunningDemo, screenshot, startDemo, until } from "./support.ts";

interface Received {
  received: Array<{ received_at: string; event: WebhookEvent }>;
  refused: Array<{ reason: string }>;
}

describe.skipIf(!existsSync(CHROMIUM))("the demo story, end to end in Chromium", () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  const integration = async (id: string) => {
    const response = await fetch(`${demo.relinkUrl}/v1/integrations/${id}`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    });
    return (await response.json()) as Integration;
  };
  const received = async () => (await (await fetch(`${demo.appUrl}/debug/webhooks`)).json()) as Received;
  const events = async <T extends WebhookEvent["type"]>(type: T, integrationId?: string) =>
    (await received()).received
      .map((r) => r.event)
      .filter(
        (e): e is Extract<WebhookEvent, { type: T }> =>
          e.type === type &&
          (integrationId === undefined ||
            ("integration_id" in e.data ? e.data.integration_id : "id" in e.data ? e.data.id : null) ===
              integrationId),
      );
  const text = (testId: string) => page.getByTestId(testId).textContent();
  const waitText = (testId: string, expected: string | RegExp, timeoutMs?: number) =>
    until(
      `${testId} to read ${expected}`,
      async () => {
        const value = (await text(testId)) ?? "";
        return typeof expected === "string" ? value === expected : expected.test(value);
      },
      timeoutMs,
    );
  const widget = () => page.locator("relink-connect");
  const signIn = async (name: string) => {
    // Signed in already: "Sign in" became "Sign out" (issue 15, item 24).
    const signOut = page.getByRole("button", { name: "Sign out" });
    if (await signOut.isVisible()) await signOut.click();
    await page.getByLabel("Customer").selectOption({ label: name });
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  const makeKey = async (button: string) => {
    const before = await page.getByTestId("new-key").textContent();
    await page.getByRole("button", { name: button }).click();
    return until(`a new demo HR key (${button})`, async () => {
      const key = await page.getByTestId("new-key").textContent();
      return key && key !== before ? key : undefined;
    });
  };
  const submitKey = async (key: string) => {
    const field = widget().getByRole("textbox", { name: "API key" });
    await field.fill(key);
    await widget().getByRole("button", { name: "Connect", exact: true }).click();
  };

  beforeAll(async () => {
    demo = await startDemo({
      RELINK_PAUSE_AFTER: "20s",
      RELINK_SYNC_INTERVAL: "1s",
      RELINK_SCHEDULER_TICK: "200ms",
      RELINK_WEBHOOK_TICK: "200ms",
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1100, height: 1320 } });
    page = await context.newPage();
    await page.goto(demo.appUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it("Acme: outage (no pause) → revoked key → early warning → paused → new scope → wrong key, key without time off, right key → active with time off", async () => {
    await signIn("Acme Corp");
    await waitText("state", "ACTIVE");
    await waitText("auth", "OK");
    await waitText("records", /employees: \d+/);
    expect(await page.locator("#banner").isHidden()).toBe(true);
    await screenshot(page, "01-healthy");

    // An outage is not an auth failure: syncs fail, auth stays OK, nothing pauses.
    const failedBefore = (await events("sync-finished", demo.integrationId)).filter(
      (e) => e.data.sync_state === "FAILED",
    ).length;
    await page.getByRole("button", { name: /Simulate a Demo HR outage/ }).click();
    await until("a sync failed by the outage", async () => {
      const failed = (await events("sync-finished", demo.integrationId)).filter(
        (e) => e.data.sync_state === "FAILED",
      );
      return failed.length > failedBefore;
    });
    expect((await integration(demo.integrationId)).auth.status).toBe("OK");
    expect(await text("auth")).toBe("OK");
    await screenshot(page, "02-outage-no-pause");
    await page.request.delete(`${demo.appUrl}/demo/outage`);

    // The key is revoked in the HR system: the next sync's auth check fails → early warning.
    await page.getByRole("button", { name: "Revoke the key in Demo HR" }).click();
    await waitText("auth", "FAILING");
    await page.locator("#banner").waitFor({ state: "visible" });
    expect(await page.locator("#banner-title").textContent()).toBe("Demo HR stopped accepting our access");
    expect(await text("state")).toBe("ACTIVE");
    await screenshot(page, "03-early-warning");

    // Failing for the whole (demo) pause window: paused.
    await waitText("state", "INVALID", 90_000);
    await until("the paused banner", async () =>
      /paused/.test((await page.locator("#banner-title").textContent()) ?? ""),
    );
    await screenshot(page, "04-paused");

    // The product now wants time off too.
    await page.getByRole("button", { name: /Expand the scope/ }).click();
    await waitText("scope", /now wants: Employees and time off/);
    const onlyEmployees = await makeKey("Key with employees only");
    const withTimeOff = await makeKey("Key with employees + time off");

    // Reconnect: the widget asks for time_off:read, marked new.
    await page.getByRole("button", { name: "Reconnect" }).click();
    await widget().getByRole("heading", { name: "Reconnect Demo HR" }).waitFor();
    await screenshot(page, "05-reconnect-intro");
    await widget().getByRole("button", { name: "Get started" }).click();
    await widget().getByRole("heading", { name: "Permissions to grant" }).waitFor();
    const newPermission = widget().locator("[part~=permission]", { has: page.locator("[part~=badge]") });
    expect(await newPermission.count()).toBe(1);
    expect(await newPermission.textContent()).toContain("Time off (read)");
    await screenshot(page, "06-new-permission");
    await widget().getByRole("button", { name: "Continue" }).click();

    // A wrong key: refused, back to the form.
    await submitKey("dhk_this_is_not_a_key");
    await widget().locator("strong", { hasText: "These credentials did not work" }).waitFor();
    await screenshot(page, "07-wrong-key");

    // A key without the new permission: the exact missing one is listed.
    await submitKey(onlyEmployees);
    await widget().getByRole("heading", { name: "1 permission is missing" }).waitFor();
    expect(await widget().locator("[part~=body]").textContent()).toContain("Time off (read)");
    await screenshot(page, "08-permission-missing");

    // The right key: relinked in place, with the new scope.
    await widget().getByRole("button", { name: "Use other credentials" }).click();
    await submitKey(withTimeOff);
    await widget().getByRole("heading", { name: "Connected" }).waitFor();
    await screenshot(page, "09-relinked");
    await widget().getByRole("button", { name: "Done" }).click();

    await waitText("state", "ACTIVE");
    await waitText("auth", "OK");
    await waitText("records", /time_off_requests: [1-9]\d*/);
    await page.locator("#banner").waitFor({ state: "hidden" });
    await screenshot(page, "10-active-with-time-off");

    const after = await integration(demo.integrationId);
    expect(after.id).toBe(demo.integrationId);
    expect(after.state).toBe("ACTIVE");
    expect(after.last_sync?.records.time_off_requests).toBeGreaterThan(0);

    // What the customer backend received, verified, in order.
    const mine = (await received()).received
      .map((r) => r.event)
      .filter(
        (e) =>
          ("integration_id" in e.data && e.data.integration_id === demo.integrationId) ||
          ("id" in e.data && e.data.id === demo.integrationId),
      );
    const story = mine
      .filter((e) => e.type !== "sync-finished")
      .map((e) =>
        e.type === "integration-auth-status-changed"
          ? `auth:${e.data.auth_status}`
          : e.type === "integration-state-changed"
            ? `state:${e.data.state}:${e.data.reason}`
            : e.type,
      );
    expect(story).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
      "integration-relinked",
      "auth:OK",
      "state:ACTIVE:RELINKED",
    ]);
    const warning = mine.find((e) => e.type === "integration-auth-status-changed");
    expect(warning?.type === "integration-auth-status-changed" && warning.data.pauses_at).toBeTruthy();
    const relinked = mine.find((e) => e.type === "integration-relinked");
    expect(relinked?.type === "integration-relinked" && relinked.data.scope_config_id).toBe(
      after.scope_config_id,
    );
    expect(
      mine.some(
        (e) => e.type === "sync-finished" && e.data.trigger === "RELINK" && e.data.sync_state === "SUCCEEDED",
      ),
    ).toBe(true);
    expect((await received()).refused).toEqual([]);
  });

  it("the customer backend refuses forged and unsigned webhooks with 400", async () => {
    const event = {
      id: "evt_01forged0000000000000000",
      type: "integration-state-changed",
      created_at: new Date().toISOString(),
      data: {
        integration_id: demo.integrationId,
        integration_tool: "demo-hris",
        integration_category: "HRIS",
        end_user: { origin_id: "acme", organization_name: "Acme Corp" },
        state: "INVALID",
        previous_state: "ACTIVE",
        reason: "AUTHENTICATION_FAILED",
        updated_at: new Date().toISOString(),
      },
    };
    const body = JSON.stringify(event);
    const forged = await signWebhook({
      id: event.id,
      timestamp: new Date(),
      body,
      secret: `whsec_${Buffer.from("not the endpoint's secret at all").toString("base64")}`,
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${demo.appUrl}/webhooks/relink`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
      });
    expect((await post(forged)).status).toBe(400);
    expect((await post({})).status).toBe(400);
    const { refused, received: all } = await received();
    expect(refused.map((r) => r.reason)).toEqual(["INVALID_SIGNATURE", "MISSING_HEADER"]);
    expect(all.some((r) => r.event.id === event.id)).toBe(false);
    await page.reload();
    await waitText("state", "ACTIVE");
    expect(await page.locator("#banner").isHidden()).toBe(true);
  });

  it("Globex: connects with OAuth through the demo consent page, loses the grant, reconnects with OAuth", async () => {
    await signIn("Globex Inc");
    await page.getByRole("button", { name: "Connect your HR system" }).waitFor();

    const consent = async () => {
      const [popup] = await Promise.all([
        page.waitForEvent("popup"),
        widget()
          .getByRole("button", { name: /^Continue with / })
          .click(),
      ]);
      // Nothing preselected (issue 15, item 20): approving without choosing a company is refused by the form.
      const company = popup.getByLabel("Company");
      expect(await company.inputValue()).toBe("");
      await popup.getByRole("button", { name: "Approve" }).click();
      expect(await company.evaluate((select) => (select as HTMLSelectElement).validity.valueMissing)).toBe(
        true,
      );
      expect(new URL(popup.url()).pathname).toBe("/oauth/authorize");
      await company.selectOption("globex");
      await popup.getByRole("button", { name: "Approve" }).click();
      await widget().getByRole("heading", { name: "Connected" }).waitFor();
      // The account actually connected, as the HR system names it.
      expect(
        await widget().getByText("The Demo HR (OAuth) account “Globex Inc” is now connected.").count(),
      ).toBe(1);
      await widget().getByRole("button", { name: "Done" }).click();
    };

    await page.getByRole("button", { name: "Connect your HR system" }).click();
    await widget().getByRole("button", { name: "Get started" }).click();
    await widget().getByRole("button", { name: "Continue" }).click();
    await consent();
    await waitText("state", "ACTIVE");
    await waitText("records", /employees: \d+/);
    const created = await until("the integration-created webhook for Globex", async () =>
      (await events("integration-created")).find((e) => e.data.end_user.origin_id === "globex"),
    );
    expect(created.data.tool).toBe("demo-hris-oauth");
    await screenshot(page, "11-oauth-connected");

    // The grant is revoked in the HR system: refresh fails with invalid_grant → early warning.
    await page.getByRole("button", { name: "Revoke the key in Demo HR" }).click();
    await waitText("auth", "FAILING");
    await page.locator("#banner").waitFor({ state: "visible" });

    await page.getByRole("button", { name: "Reconnect" }).click();
    await widget().getByRole("button", { name: "Get started" }).click();
    await widget().getByRole("button", { name: "Continue" }).click();
    await consent();
    await waitText("auth", "OK");
    await page.locator("#banner").waitFor({ state: "hidden" });
    await screenshot(page, "12-oauth-reconnected");

    const globex = (await events("integration-relinked", created.data.id)).length;
    expect(globex).toBe(1);
    const warnings = await events("integration-auth-status-changed", created.data.id);
    expect(warnings.map((e) => e.data.auth_status)).toEqual(["FAILING", "OK"]);
  });
});
