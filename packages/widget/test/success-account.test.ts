import { afterEach, describe, expect, it } from "vitest";
import {
  ALL_BASIC,
  ctx,
  expectAccessible,
  hrisKey,
  type Mounted,
  mount,
  scenario,
} from "./support/harness.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.remove();
  m = undefined;
});

/**
 * The success view names the remote account the tool says the credentials belong to, not the
 * organisation the flow token names: signing in to the wrong company must be visible (issue 15, item 20).
 */
describe.skipIf(ctx.backend !== "real")("the success view's remote account", () => {
  const connectWith = async (company: "acme" | "globex") => {
    const s = await scenario({ flow: "connect", tool: "demo-hris", company: "globex" });
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.step("permissions");
    await m.click("Continue");
    await m.step("credentials");
    await m.type("API key", await hrisKey(ALL_BASIC, company));
    await m.click("Connect");
    await m.step("success");
    return m;
  };

  it("names the account actually connected: Acme's key for Globex says “Acme Corp” and warns it is connected already", async () => {
    // An Acme integration exists in the workspace.
    await scenario({ flow: "relink", company: "acme" });
    const mounted = await connectWith("acme");
    expect(mounted.text()).toContain("The Demo HR account “Acme Corp” is now connected.");
    expect(mounted.text()).not.toContain("Globex Inc's Demo HR account is connected");
    const alert = mounted.$("[part~=alert][role=alert]");
    expect(alert.textContent).toContain(
      "This Demo HR account is already connected for another organisation.",
    );
    expect(alert.textContent).toContain("If it is not Globex Inc's account");
    await expectAccessible(mounted.el);
  });

  it("with the organisation's own account: names it, no warning", async () => {
    const mounted = await connectWith("globex");
    expect(mounted.text()).toContain("The Demo HR account “Globex Inc” is now connected.");
    expect(mounted.root.querySelector("[part~=alert]")).toBeNull();
  });
});
