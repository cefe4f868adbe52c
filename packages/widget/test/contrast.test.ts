/// <reference types="vite/client" />
import axe from "axe-core";
import { afterEach, describe, expect, it } from "vitest";
import exampleCss from "../../../examples/customer-app/style.css?raw";
import { type Mounted, mount } from "./support/harness.ts";
import { completed, errorBody, STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";

let m: Mounted | undefined;
let restore: (() => void) | undefined;
let style: HTMLStyleElement | undefined;
afterEach(() => {
  m?.remove();
  restore?.();
  style?.remove();
  m = restore = style = undefined;
});

/** Any CSS colour as sRGB bytes, as the browser paints it (a 1×1 canvas resolves every syntax). */
function rgb(color: string): [number, number, number] {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const c = canvas.getContext("2d")!;
  c.fillStyle = color;
  c.fillRect(0, 0, 1, 1);
  const [r, g, b] = c.getImageData(0, 0, 1, 1).data;
  return [r!, g!, b!];
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(color: string): number {
  const [r, g, b] = rgb(color).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The contrast of an element's text on its own background. */
function textContrast(el: Element): number {
  const s = getComputedStyle(el);
  return contrast(s.color, s.backgroundColor);
}

// The docs' example (#0f766e), a light yellow, a mid blue, a dark red, a mid green, a pale pink,
// black and white: on each, the text on the accent must stay readable in both themes.
const ACCENTS = ["#0f766e", "#facc15", "#2563eb", "#7f1d1d", "#22c55e", "#f9a8d4", "#000000", "#ffffff"];

describe("text on a custom --relink-accent", () => {
  for (const theme of ["light", "dark"] as const) {
    for (const accent of ACCENTS) {
      it(`${accent}, ${theme}: primary buttons and badges reach 4.5:1, axe color-contrast passes`, async () => {
        style = document.createElement("style");
        style.textContent = `relink-connect { --relink-accent: ${accent}; }`;
        document.head.append(style);
        const flow = stubFlow();
        flow.required_permissions[0]!.newly_required = true;
        flow.newly_required_permissions = [flow.required_permissions[0]!.id];
        restore = stubServer({ "GET /connect/v1/flow": () => ({ body: flow }) }).restore;
        m = await mount({ token: "t", server: STUB_SERVER, mode: "inline", theme });
        await m.step("intro");
        const primary = m.$("button.primary");
        expect(getComputedStyle(primary).backgroundColor).toBe(getComputedStyle(primary).borderColor);
        expect(rgb(getComputedStyle(primary).backgroundColor)).toEqual(rgb(accent));
        expect(textContrast(primary)).toBeGreaterThanOrEqual(4.5);
        await m.click("Get started");
        await m.step("permissions");
        expect(textContrast(m.$("[part~=badge]"))).toBeGreaterThanOrEqual(4.5);
        const results = await axe.run(m.el, { runOnly: ["color-contrast"] });
        expect(results.violations.flatMap((v) => v.nodes.map((n) => n.failureSummary))).toEqual([]);
      });
    }
  }

  it("an explicit --relink-accent-text still wins", async () => {
    style = document.createElement("style");
    style.textContent = "relink-connect { --relink-accent: #0f766e; --relink-accent-text: rgb(1, 2, 3); }";
    document.head.append(style);
    restore = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) }).restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline", theme: "dark" });
    await m.step("intro");
    expect(getComputedStyle(m.$("button.primary")).color).toBe("rgb(1, 2, 3)");
  });
});

/** The theme of the docs (docs/widget.md takes it from the example app's stylesheet). */
const DOCS_THEME = /\/\* #region theme \*\/([\s\S]*?)\/\* #endregion theme \*\//.exec(exampleCss)?.[1] ?? "";

describe("the docs' theming example", () => {
  it("is the one the docs show", () => {
    expect(DOCS_THEME).toContain("--relink-accent: #0f766e;");
  });

  for (const theme of ["light", "dark"] as const) {
    it(`${theme}: every view of a relink passes axe color-contrast`, async () => {
      style = document.createElement("style");
      style.textContent = DOCS_THEME;
      document.head.append(style);
      const check = async (view: string) => {
        const animations = m!.el.shadowRoot?.getAnimations() ?? [];
        await Promise.all(
          animations.filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished),
        );
        const results = await axe.run(m!.el, { runOnly: ["color-contrast"] });
        expect(
          results.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`)),
          view,
        ).toEqual([]);
      };
      // Every view, each answer scripted (a stand-in of the connect API: no rate limit to meet).
      const flow = stubFlow();
      flow.required_permissions[0]!.newly_required = true;
      flow.newly_required_permissions = [flow.required_permissions[0]!.id];
      flow.optional_parts = [{ id: "compensations", label: "Compensations", permission: "employees:read" }];
      const missing = {
        missing: [{ ...flow.required_permissions[0]!, permission: "employees:read", models: [], fields: [] }],
      };
      const answers = [
        { status: 422, body: errorBody("CREDENTIALS_INVALID") },
        { status: 422, body: errorBody("PERMISSIONS_MISSING", "missing", missing) },
        { status: 409, body: errorBody("ACCOUNT_MISMATCH") },
        { status: 503, body: errorBody("TOOL_UNREACHABLE") },
        { body: completed },
      ];
      const stub = stubServer({
        "GET /connect/v1/flow": () => ({ body: flow }),
        "POST /connect/v1/credentials": () => answers.shift()!,
      });
      restore = stub.restore;
      m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", theme, open: true });
      await m.step("intro");
      await check("intro");
      await m.click("Get started");
      await m.step("permissions");
      await check("permissions");
      await m.click("Continue");
      await m.step("credentials");
      await check("credentials");
      await m.click("Connect");
      await check("field error");
      await m.type("Subdomain", "initech");
      await m.type("API key", "not-a-key");
      await m.click("Connect");
      await m.step("credentials");
      await check("invalid credentials");
      await m.click("Connect");
      await m.step("error");
      await check("missing permissions");
      await m.click("Use other credentials");
      await m.type("API key", "another");
      await m.click("Connect");
      await m.step("error");
      await check("another account");
      await m.click("Use other credentials");
      await m.type("API key", "typed");
      await m.click("Close");
      await check("discard confirmation");
      await m.click("Keep editing");
      await m.click("Connect");
      await m.step("error");
      await check("tool unreachable");
      await m.click("Try again");
      await m.step("success");
      await check("success");
      m.remove();
      stub.restore();

      restore = stubServer({
        "GET /connect/v1/flow": () => ({ status: 401, body: errorBody("TOKEN_EXPIRED") }),
      }).restore;
      m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", theme, open: true });
      await m.step("error");
      await check("expired");
    });
  }
});
