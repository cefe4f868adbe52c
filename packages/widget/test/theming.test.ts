import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { RelinkConnect } from "../src/index.ts";
import type {
  RelinkErrorDetail,
  RelinkExitDetail,
  RelinkStepDetail,
  RelinkSuccessDetail,
} from "../src/relink-connect/types.ts";
import { type Mounted, mount } from "./support/harness.ts";
import { STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";

let m: Mounted | undefined;
let restore: (() => void) | undefined;
afterEach(() => {
  m?.remove();
  restore?.();
  m = restore = undefined;
  document.documentElement.removeAttribute("dir");
});

async function intro(attributes: Record<string, string | boolean> = {}, parent?: HTMLElement) {
  restore = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) }).restore;
  m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", open: true, ...attributes }, parent);
  await m.step("intro");
  return m;
}

const color = (el: Element, property = "background-color") => getComputedStyle(el).getPropertyValue(property);

describe("theming", () => {
  it("light and dark by the theme attribute, whatever the system says", async () => {
    await intro({ theme: "light" });
    const panel = m!.$("[part~=panel]");
    expect(color(panel)).toBe("rgb(255, 255, 255)");
    m!.el.theme = "dark";
    await m!.el.updateComplete;
    expect(m!.el.getAttribute("theme")).toBe("dark");
    expect(color(panel)).toBe("rgb(23, 24, 28)");
  });

  it("custom properties and ::part reach inside", async () => {
    const style = document.createElement("style");
    style.textContent = `
      relink-connect { --relink-accent: rgb(1, 2, 3); --relink-radius: 3px; --relink-font: monospace; }
      relink-connect::part(title) { letter-spacing: 2px; }`;
    document.head.append(style);
    try {
      await intro();
      const primary = m!.$("button.primary");
      expect(color(primary)).toBe("rgb(1, 2, 3)");
      expect(color(m!.$("[part~=panel]"), "border-top-left-radius")).toBe("3px");
      expect(color(m!.$("[part~=panel]"), "font-family")).toBe("monospace");
      expect(color(m!.$("[part~=title]"), "letter-spacing")).toBe("2px");
    } finally {
      style.remove();
    }
  });

  it("mirrors in a right-to-left page", async () => {
    const wrapper = document.createElement("div");
    wrapper.dir = "rtl";
    document.body.append(wrapper);
    try {
      await intro({}, wrapper);
      const panel = m!.$("[part~=panel]").getBoundingClientRect();
      const close = m!.$("[part~=close-button]").getBoundingClientRect();
      const start = m!.$("button.primary").getBoundingClientRect();
      // The close button sits at the inline end: the left in RTL; actions align to the left too.
      expect(close.left - panel.left).toBeLessThan(panel.right - close.right);
      expect(start.left - panel.left).toBeLessThan(panel.right - start.right);
    } finally {
      wrapper.remove();
    }
  });
});

describe("types", () => {
  it("declares the element and its events on the global maps", () => {
    expectTypeOf(document.createElement("relink-connect")).toEqualTypeOf<RelinkConnect>();
    const el = {} as RelinkConnect;
    const on = <K extends keyof GlobalEventHandlersEventMap>(_type: K) =>
      ({}) as Parameters<Parameters<typeof el.addEventListener<K>>[1]>[0];
    expectTypeOf(on("relink-success").detail).toEqualTypeOf<RelinkSuccessDetail>();
    expectTypeOf(on("relink-exit").detail).toEqualTypeOf<RelinkExitDetail>();
    expectTypeOf(on("relink-error").detail).toEqualTypeOf<RelinkErrorDetail>();
    expectTypeOf(on("relink-step").detail).toEqualTypeOf<RelinkStepDetail>();
    expectTypeOf<RelinkSuccessDetail>().toEqualTypeOf<{
      integration_id: string;
      flow: "relink" | "connect";
      scope_config_id: string | null;
    }>();
  });
});
