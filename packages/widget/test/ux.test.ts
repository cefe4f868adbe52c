import { afterEach, describe, expect, it, vi } from "vitest";
import { ALL_BASIC, ctx, hrisKey, type Mounted, mount, scenario } from "./support/harness.ts";
import { errorBody, oauthTool, STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";
import { waitFor } from "./support/wait.ts";

let m: Mounted | undefined;
let restore: (() => void) | undefined;
afterEach(() => {
  m?.remove();
  restore?.();
  vi.restoreAllMocks();
  m = restore = undefined;
});

const errorsOf = (mounted: Mounted) =>
  mounted.events.filter((e) => e.type === "relink-error").map((e) => e.detail);

async function toCredentials(mounted: Mounted) {
  await mounted.step("intro");
  await mounted.click("Get started");
  await mounted.click("Continue");
  await mounted.step("credentials");
}

describe("the permission-missing view", () => {
  it("names the permission by its label, never by raw model or field ids", async () => {
    const missing = {
      permission: "time_off:read",
      label: "Time off (read)",
      description: "Time-off requests with their dates and status.",
      where_to_grant: "Settings → API → Time off",
      models: ["time_off_requests"],
      fields: ["time_off_requests.employee_id", "time_off_requests.start_date"],
    };
    restore = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/credentials": () => ({
        status: 422,
        body: errorBody("PERMISSIONS_MISSING", "missing", { missing: [missing] }),
      }),
    }).restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    await m.type("Subdomain", "acme");
    await m.type("API key", "key");
    await m.click("Connect");
    await m.step("error");
    expect(m.$("[part~=permission] strong").textContent).toBe("Time off (read)");
    expect(m.text()).toContain("Time-off requests with their dates and status.");
    expect(m.text()).not.toMatch(/time_off_requests|employee_id|start_date/);
  });
});

describe("wording by where the widget runs", () => {
  it("embedded in a product's page, it never speaks of a link the user did not receive", async () => {
    for (const mode of ["modal", "inline"] as const) {
      const stub = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) });
      m = await mount({ token: "t", server: STUB_SERVER, mode, open: true });
      await m.step("intro");
      expect(m.text(), mode).not.toMatch(/\blinks?\b/i);
      m.remove();
      stub.restore();

      const expired = stubServer({
        "GET /connect/v1/flow": () => ({ status: 401, body: errorBody("TOKEN_EXPIRED") }),
      });
      m = await mount({ token: "t", server: STUB_SERVER, mode, open: true });
      await m.step("error");
      expect(m.$("[part~=title]").textContent, mode).toBe("This session has expired");
      expect(m.text(), mode).not.toMatch(/\blinks?\b/i);
      m.remove();
      expired.restore();
    }
  });

  it("on the relink server's own /link page, it speaks of the link that was opened", async () => {
    const page = location.href;
    history.replaceState(null, "", "/link");
    try {
      const server = location.origin;
      const real = globalThis.fetch.bind(globalThis);
      vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (!url.startsWith(`${server}/connect/v1/`)) return real(input, init);
        return new Response(JSON.stringify(errorBody("TOKEN_EXPIRED")), {
          status: 401,
          headers: { "content-type": "application/json" },
        });
      });
      m = await mount({ token: "t", server, mode: "inline" });
      await m.step("error");
      expect(m.$("[part~=title]").textContent).toBe("This link has expired");
      expect(m.text()).toContain("Ask whoever sent it to you for a new link.");
    } finally {
      history.replaceState(null, "", page);
    }
  });
});

describe("the credentials step", () => {
  it("focuses the first input when it opens", async () => {
    restore = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) }).restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    await waitFor(() => expect(m!.root.activeElement).toBe(m!.$$("[part~=input]")[0]));
  });

  it(`a wrong key stays in the field, selected, so that a typo can be fixed (${ctx.backend} API)`, async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await toCredentials(m);
    await m.type("API key", "dhk_tyop_in_the_key_123456");
    await m.click("Connect");
    await m.step("checking");
    await m.step("credentials");
    expect(errorsOf(m)).toEqual([{ code: "CREDENTIALS_INVALID", message: expect.any(String) }]);
    const input = m.$<HTMLInputElement>("[part~=input]");
    expect(input.value).toBe("dhk_tyop_in_the_key_123456");
    expect(m.root.activeElement).toBe(input);
    expect([input.selectionStart, input.selectionEnd]).toEqual([0, input.value.length]);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    // Fixed in place, it goes through.
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("success");
  });
});

describe.runIf(ctx.backend === "real")("the tool's labels in the flow's language", () => {
  it("German: the permissions and the API key field come in German from the connector", async () => {
    const s = await scenario({ flow: "relink", scope: "extended", locale: "de" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Los geht’s");
    await m.step("permissions");
    const labels = m.$$("[part~=permission] strong").map((p) => p.textContent);
    expect(labels).toContain("Abwesenheiten (lesen)");
    expect(labels).toContain("Mitarbeitende (lesen)");
    expect(m.text()).not.toContain("(read)");
    await m.click("Weiter");
    await m.step("credentials");
    expect(m.root.querySelector("label")?.textContent).toContain("API-Schlüssel");
  });

  it("the locale attribute picks the labels' language too", async () => {
    const s = await scenario({ flow: "relink", scope: "extended" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline", locale: "de-CH" });
    await m.step("intro");
    await m.click("Los geht’s");
    await m.step("permissions");
    expect(m.$$("[part~=permission] strong").map((p) => p.textContent)).toContain("Mitarbeitende (lesen)");
  });
});

describe("an OAuth tool's permission step", () => {
  it("says the user will be asked to approve, without API-key instructions", async () => {
    restore = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow({ tool: oauthTool }) }) }).restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.step("permissions");
    expect(m.text()).toContain("Acme Cloud will ask you to approve this permission:");
    expect(m.text()).not.toContain("Where to grant it");
    expect(m.text()).not.toContain("Settings → API → Employees");
    expect(m.text()).not.toMatch(/credentials/i);
  });
});

describe("waiting for the token", () => {
  it("inline: on the page before its token, no error and no request; the token starts it", async () => {
    const stub = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) });
    restore = stub.restore;
    m = await mount({ server: STUB_SERVER, mode: "inline" });
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
    await m.el.updateComplete;
    expect(m.events).toEqual([]);
    expect(stub.calls).toEqual([]);
    m.el.token = "t";
    await m.step("intro");
    expect(errorsOf(m)).toEqual([]);
  });

  it("modal: show() before the token waits (loading, closable), then starts once it is set", async () => {
    const stub = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) });
    restore = stub.restore;
    m = await mount({ server: STUB_SERVER, mode: "modal" });
    m.el.show();
    await m.el.updateComplete;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
    expect(m.events).toEqual([]);
    expect(stub.calls).toEqual([]);
    expect(m.$("[part~=title]").textContent).toBe("Loading…");
    m.el.token = "t";
    await m.step("intro");
    expect(errorsOf(m)).toEqual([]);
    // Clearing the token again waits again; nothing is reported as an error.
    m.el.token = "";
    await m.el.updateComplete;
    expect(m.root.querySelector("button.primary")).toBeNull();
    expect(errorsOf(m)).toEqual([]);
  });
});
