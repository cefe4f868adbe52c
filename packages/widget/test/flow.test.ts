import { afterEach, describe, expect, it } from "vitest";
import {
  ALL_BASIC,
  ALL_EXTENDED,
  ctx,
  endOutage,
  hrisKey,
  type Mounted,
  mount,
  outage,
  scenario,
  spokenText,
} from "./support/harness.ts";

let m: Mounted | undefined;
afterEach(async () => {
  m?.remove();
  m = undefined;
  await endOutage();
});

const stepsOf = (mounted: Mounted) =>
  mounted.events.filter((e) => e.type === "relink-step").map((e) => (e.detail as { step: string }).step);
const errorsOf = (mounted: Mounted) =>
  mounted.events.filter((e) => e.type === "relink-error").map((e) => e.detail);

describe(`flow against the ${ctx.backend} connect API`, () => {
  it("relinks: intro → permissions (new ones marked) → credentials → checking → success", async () => {
    const s = await scenario({ flow: "relink", scope: "extended" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    expect(m.$("[part~=title]").textContent).toBe("Reconnect Demo HR");
    expect(m.text()).toContain("Acme Corp's connection to Demo HR needs your attention.");
    expect(m.text()).toContain("It now needs 2 more permissions");
    expect(m.text()).toContain("Step 1 of 3");

    await m.click("Get started");
    await m.step("permissions");
    const permissions = m.$$("[part~=permission]");
    expect(permissions).toHaveLength(4);
    // The newly required ones come first, marked "New", with where to grant them.
    const newOnes = permissions.filter((p) => p.querySelector("[part~=badge]"));
    expect(newOnes.map((p) => p.querySelector("strong")?.textContent).sort()).toEqual([
      "Compensation (read)",
      "Time off (read)",
    ]);
    expect(permissions.indexOf(newOnes[0]!)).toBe(0);
    expect(permissions[0]!.textContent).toContain("Where to grant it:");

    await m.click("Continue");
    await m.step("credentials");
    const input = m.$<HTMLInputElement>("[part~=input]");
    expect(input.type).toBe("password");
    expect(m.root.querySelector(`label[for=${input.id}]`)?.textContent).toContain("API key");

    await m.type("API key", await hrisKey(ALL_EXTENDED));
    await m.click("Connect");
    await m.step("success");
    expect(stepsOf(m)).toEqual(["intro", "permissions", "credentials", "checking", "success"]);
    const success = m.events.find((e) => e.type === "relink-success");
    expect(success?.detail).toEqual({
      integration_id: s.integration_id,
      flow: "relink",
      scope_config_id: s.scope_config_id,
    });
    // The account the tool reports, not the organisation the token names (issue 15, item 20).
    expect(m.text()).toContain(
      ctx.backend === "real"
        ? "The Demo HR account “Acme Corp” is now connected."
        : "Acme Corp's Demo HR account is connected.",
    );
  });

  it("shows the checking step with a cancel that returns to the form", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.step("credentials");
    await outage("timeout", 5_000);
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("checking");
    expect(m.$("[part~=spinner]")).toBeTruthy();
    expect(m.$("[role=status]").textContent).toBe("Checking…");
    await m.click("Cancel");
    await m.step("credentials");
    expect(m.events.some((e) => e.type === "relink-success")).toBe(false);
  });

  it("checks required fields on the client and ties the message to the field", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.step("credentials");
    await m.click("Connect");
    const input = m.$<HTMLInputElement>("[part~=input]");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const error = m.$("[part~=field-error]");
    expect(error.textContent).toBe("API key is required.");
    expect(input.getAttribute("aria-describedby")).toContain(error.id);
    expect(m.root.activeElement).toBe(input);
    expect(stepsOf(m)).not.toContain("checking");
  });

  it("invalid credentials: back to the form, the key kept and selected, first field focused, error announced", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.step("credentials");
    await m.type("API key", "dhr_not_a_real_key_123456");
    await m.$<HTMLInputElement>("[part~=input]").focus();
    await m.click("Connect");
    await m.step("checking");
    await m.step("credentials");
    expect(errorsOf(m)).toEqual([{ code: "CREDENTIALS_INVALID", message: expect.any(String) }]);
    const alert = m.$("[part~=alert]");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain("These credentials did not work");
    const input = m.$<HTMLInputElement>("[part~=input]");
    expect(input.value).toBe("dhr_not_a_real_key_123456");
    expect(input.selectionEnd).toBe(input.value.length);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(m.root.activeElement).toBe(input);
  });

  it("missing permissions: the exact list with where to grant them; check again with a better key", async () => {
    const s = await scenario({ flow: "relink", scope: "extended" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("error");
    expect(errorsOf(m).at(-1)).toMatchObject({ code: "PERMISSIONS_MISSING" });
    expect(m.$("[part~=title]").textContent).toBe("2 permissions are missing");
    const missing = m.$$("[part~=permission]").map((p) => p.querySelector("strong")?.textContent);
    expect(missing.sort()).toEqual(["Compensation (read)", "Time off (read)"]);
    expect(m.text()).toContain("Where to grant it:");
    // The permissions by their labels, never the scope's raw model or field ids.
    expect(m.text()).not.toMatch(/time_off_requests|compensations\b|employee_id/);

    await m.click("Use other credentials");
    await m.step("credentials");
    expect(m.$<HTMLInputElement>("[part~=input]").value).toBe("");
    await m.type("API key", await hrisKey(ALL_EXTENDED));
    await m.click("Connect");
    await m.step("success");
  });

  it("another account: says so and offers other credentials", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", await hrisKey(ALL_BASIC, "globex"));
    await m.click("Connect");
    await m.step("error");
    expect(errorsOf(m).at(-1)).toMatchObject({ code: "ACCOUNT_MISMATCH" });
    expect(m.$("[part~=title]").textContent).toBe("This is another account");
    expect(m.text()).toContain("Use the credentials of Acme Corp's account.");
    await m.click("Use other credentials");
    await m.step("credentials");
  });

  it("tool unreachable: nothing changed, try again succeeds once the tool is back", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", await hrisKey(ALL_BASIC));
    await outage(503);
    await m.click("Connect");
    await m.step("error");
    expect(errorsOf(m).at(-1)).toMatchObject({ code: "TOOL_UNREACHABLE" });
    expect(m.$("[part~=title]").textContent).toBe("Demo HR could not be reached");
    await endOutage();
    await m.click("Try again");
    await m.step("success");
  });

  it("expired token: says the session expired and to start again, no retry", async () => {
    const s = await scenario({ flow: "relink", expired: true });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("error");
    expect(errorsOf(m)).toEqual([{ code: "TOKEN_EXPIRED", message: expect.any(String) }]);
    expect(m.$("[part~=title]").textContent).toBe("This session has expired");
    expect(m.text()).toContain("Start again to continue.");
    expect(m.$$("button").map((b) => b.textContent?.trim())).not.toContain("Try again");
  });

  it("used token: a second visit after completion says the session is complete", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("success");
    m.remove();
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("error");
    expect(errorsOf(m)).toEqual([{ code: "TOKEN_ALREADY_USED", message: expect.any(String) }]);
    expect(m.$("[part~=title]").textContent).toBe("This session is already complete");
    expect(m.text()).toContain("Start again to continue.");
  });

  it("a forged token is refused as not valid", async () => {
    const { token } = await scenario({ flow: "relink" });
    const forged = `${token.slice(0, -4)}AAAA`;
    m = await mount({ token: forged, server: ctx.server, mode: "inline" });
    await m.step("error");
    expect((errorsOf(m)[0] as { code: string }).code).toMatch(/^TOKEN_/);
    expect(m.$("[part~=title]").textContent).toBe("This session is not valid");
  });

  it("no token yet: waits without an error, and starts once the token is set", async () => {
    m = await mount({ server: ctx.server, mode: "inline" });
    await new Promise((r) => setTimeout(r, 100));
    expect(m.events).toEqual([]);
    expect(m.root.querySelector("[part~=panel]")).toBeNull();
    m.el.token = (await scenario({ flow: "relink" })).token;
    await m.step("intro");
    expect(errorsOf(m)).toEqual([]);
  });

  it("network failure: says the server cannot be reached, and retries", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: "http://127.0.0.1:9", mode: "inline" });
    await m.step("error");
    expect(errorsOf(m)).toEqual([{ code: "NETWORK_ERROR", message: expect.any(String) }]);
    expect(m.$("[part~=title]").textContent).toBe("No connection");
    m.el.server = ctx.server;
    await m.step("intro");
  });

  it("connect without a preselected tool: picks a tool, then permissions and credentials", async () => {
    const s = await scenario({ flow: "connect" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    expect(m.$("[part~=title]").textContent).toBe("Connect your tool");
    await m.click("Get started");
    await m.step("tool");
    const options = m.$$("[part~=tool-option]").map(spokenText);
    expect(options).toContain("Demo HR");
    await m.click("Demo HR");
    await m.step("permissions");
    expect(m.text()).toContain("Step 3 of 4");
    await m.click("Continue");
    await m.step("credentials");
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("success");
    const detail = m.events.find((e) => e.type === "relink-success")?.detail as Record<string, unknown>;
    expect(detail).toEqual({
      integration_id: expect.stringMatching(/^int_/),
      flow: "connect",
      scope_config_id: s.scope_config_id,
    });
  });

  it("optional data can be opted out, and then its permission is not asked for", async () => {
    const s = await scenario({ flow: "connect", tool: "demo-hris", scope: "optional" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.step("permissions");
    const labels = () => m!.$$("[part~=permission] strong").map((s) => s.textContent);
    expect(labels()).toContain("Compensation (read)");
    const box = m.$<HTMLInputElement>("fieldset input[type=checkbox]");
    expect(box.checked).toBe(true);
    expect(box.closest("label")?.textContent).toContain("Compensations");
    box.click();
    await m.el.updateComplete;
    expect(labels()).not.toContain("Compensation (read)");
    await m.click("Continue");
    // A key without compensation:read is enough once compensations are opted out.
    await m.type("API key", await hrisKey(["employees:read", "teams:read", "time_off:read"]));
    await m.click("Connect");
    await m.step("success");
  });

  it("back buttons walk the steps backwards", async () => {
    const s = await scenario({ flow: "relink", scope: "extended" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.step("credentials");
    await m.click("Back");
    await m.step("permissions");
    await m.click("Back");
    await m.step("intro");
  });

  it("moved in the page, it aborts and starts the flow again with nothing typed kept", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", "half-typed");
    const elsewhere = document.createElement("section");
    document.body.append(elsewhere);
    elsewhere.append(m.el);
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    expect(m.$<HTMLInputElement>("[part~=input]").value).toBe("");
    elsewhere.remove();
  });

  it("inline cancel fires relink-exit with the step and tells the server", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Cancel");
    expect(m.events.at(-1)).toEqual({
      type: "relink-exit",
      detail: { step: "intro", reason: "USER_CANCELLED" },
    });
    expect(m.root.querySelector("[part~=panel]")).toBeNull();
  });
});
