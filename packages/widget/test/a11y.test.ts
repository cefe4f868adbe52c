import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ALL_BASIC,
  ALL_EXTENDED,
  ctx,
  endOutage,
  expectAccessible,
  hrisKey,
  type Mounted,
  mount,
  outage,
  scenario,
} from "./support/harness.ts";
import { oauthTool, STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";
import { waitFor } from "./support/wait.ts";

let m: Mounted | undefined;
afterEach(async () => {
  m?.remove();
  m = undefined;
  vi.restoreAllMocks();
  await endOutage();
});

for (const theme of ["light", "dark"] as const) {
  for (const mode of ["modal", "inline"] as const) {
    describe(`axe-core, ${mode}, ${theme}`, () => {
      it("every step of a relink has zero violations", async () => {
        const s = await scenario({ flow: "relink", scope: "optional" });
        m = await mount({ token: s.token, server: ctx.server, mode, theme, open: true });
        await m.step("intro");
        await expectAccessible(m.el);
        await m.click("Get started");
        await m.step("permissions");
        await expectAccessible(m.el);
        await m.click("Continue");
        await m.step("credentials");
        await expectAccessible(m.el);
        await m.click("Connect");
        await expectAccessible(m.el); // field error shown
        await m.type("API key", "not-a-key");
        await m.click("Connect");
        await m.step("checking");
        await expectAccessible(m.el);
        await m.step("credentials");
        await expectAccessible(m.el); // invalid credentials alert
        await m.type("API key", await hrisKey(ALL_BASIC));
        await m.click("Connect");
        await m.step("error");
        await expectAccessible(m.el); // missing permissions
        await m.click("Use other credentials");
        await m.type("API key", await hrisKey(ALL_BASIC, "globex"));
        await m.click("Connect");
        await m.step("error");
        await expectAccessible(m.el); // another account
        await m.click("Use other credentials");
        await m.type("API key", "typed");
        if (mode === "modal") {
          await m.click("Close");
          await expectAccessible(m.el); // discard confirmation
          await m.click("Keep editing");
        }
        await m.type("API key", await hrisKey(ALL_EXTENDED));
        await outage(503);
        await m.click("Connect");
        await m.step("error");
        await expectAccessible(m.el); // tool unreachable
        await endOutage();
        await m.click("Try again");
        await m.step("success");
        await expectAccessible(m.el);
      });

      it("tool picker, token errors and OAuth have zero violations", async () => {
        const s = await scenario({ flow: "connect" });
        m = await mount({ token: s.token, server: ctx.server, mode, theme, open: true });
        await m.step("intro");
        await m.click("Get started");
        await m.step("tool");
        await expectAccessible(m.el);
        m.remove();

        const expired = await scenario({ flow: "relink", expired: true });
        m = await mount({ token: expired.token, server: ctx.server, mode, theme, open: true });
        await m.step("error");
        await expectAccessible(m.el);
        m.remove();

        m = await mount({ server: "http://127.0.0.1:9", token: "x", mode, theme, open: true });
        await m.step("error");
        await expectAccessible(m.el); // network failure
        m.remove();

        stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow({ tool: oauthTool }) }) });
        m = await mount({ token: "t", server: STUB_SERVER, mode, theme, open: true });
        await m.step("intro");
        await m.click("Get started");
        await m.click("Continue");
        await m.step("credentials");
        await expectAccessible(m.el);
        expect(m.text()).toContain("Continue with Acme Cloud");
      });
    });
  }
}

describe("screen-reader support", () => {
  it("announces progress and results in a polite live region", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    const live = m.$("[role=status]");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", await hrisKey(ALL_BASIC));
    await m.click("Connect");
    await m.step("checking");
    expect(live.textContent).toBe("Checking…");
    await m.step("success");
    expect(m.$("[role=status]")).toBe(live);
    expect(live.textContent).toBe("Connected");
  });

  it("keeps the keyboard user's place across the tool picker's loading", async () => {
    const s = await scenario({ flow: "connect" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.step("tool");
    await m.click("Demo HR");
    await m.step("permissions");
    await waitFor(() => expect(m!.root.activeElement).toBe(m!.$("[part~=title]")));
    expect(m.$("[part~=title]").textContent).toBe("Permissions to grant");
  });

  it("moves focus to each new step's heading once the user is in the flow", async () => {
    const s = await scenario({ flow: "relink" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    // Inline: the page keeps its focus until the user interacts with the flow.
    expect(document.activeElement).not.toBe(m.el);
    await m.click("Get started");
    await m.step("permissions");
    expect(m.root.activeElement).toBe(m.$("[part~=title]"));
  });
});
