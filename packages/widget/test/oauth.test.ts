import { afterEach, describe, expect, it } from "vitest";
import { commands } from "vitest/browser";
import { ctx, type Mounted, mount, scenario } from "./support/harness.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.remove();
  m = undefined;
});

/** The whole OAuth round trip in a real popup: relink server → demo HR consent → callback → widget. */
describe.runIf(ctx.backend === "real")("OAuth against the real server and the demo HR system", () => {
  async function toOAuthButton() {
    const s = await scenario({ flow: "connect", tool: "demo-hris-oauth" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.step("credentials");
    return s;
  }

  it("connects after the user approves in the popup", async () => {
    const s = await toOAuthButton();
    await m!.click(/^Continue with /);
    await commands.oauthConsent({ decision: "approve", company: "acme" });
    await m!.step("success");
    expect(m!.events.find((e) => e.type === "relink-success")?.detail).toEqual({
      integration_id: expect.stringMatching(/^int_/),
      flow: "connect",
      scope_config_id: s.scope_config_id,
    });
  });

  it("says so when the user denies access, and lets them try again", async () => {
    await toOAuthButton();
    await m!.click(/^Continue with /);
    await commands.oauthConsent({ decision: "deny" });
    await expect.poll(() => m!.text(), { timeout: 30_000 }).toContain("Access was not approved");
    expect(m!.events.at(-1)).toMatchObject({ type: "relink-error", detail: { code: "OAUTH_DENIED" } });
    expect(m!.$$("button").some((b) => b.textContent?.trim().startsWith("Continue with"))).toBe(true);
  });

  it("a popup closed by the user brings them back with a message", async () => {
    await toOAuthButton();
    await m!.click(/^Continue with /);
    await commands.oauthConsent({ decision: "close" });
    await expect
      .poll(() => m!.text(), { timeout: 30_000 })
      .toContain("The window was closed before you finished.");
  });
});
