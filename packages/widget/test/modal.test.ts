import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { ALL_BASIC, ctx, hrisKey, type Mounted, mount, scenario } from "./support/harness.ts";

let m: Mounted | undefined;
let opener: HTMLButtonElement | undefined;
afterEach(() => {
  m?.remove();
  opener?.remove();
  m = opener = undefined;
});

/** A page button that opens the modal, like a host app would. */
async function openModal(token: string): Promise<Mounted> {
  m = await mount({ token, server: ctx.server, mode: "modal" });
  opener = document.createElement("button");
  opener.textContent = "Reconnect";
  opener.addEventListener("click", () => m!.el.show());
  document.body.prepend(opener);
  opener.focus();
  await userEvent.keyboard("{Enter}");
  await m.el.updateComplete;
  return m;
}

const active = (mounted: Mounted) => mounted.root.activeElement as HTMLElement | null;

describe("modal mode", () => {
  it("renders nothing until shown, then a labelled modal dialog", async () => {
    const { token } = await scenario({ flow: "relink" });
    m = await mount({ token, server: ctx.server, mode: "modal" });
    expect(m.root.querySelector("[part~=panel]")).toBeNull();
    m.el.show();
    await m.step("intro");
    expect(m.el.open).toBe(true);
    expect(m.el.hasAttribute("open")).toBe(true);
    const dialog = m.$("[role=dialog]");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    const title = m.root.getElementById(dialog.getAttribute("aria-labelledby")!);
    expect(title?.textContent).toBe("Reconnect Demo HR");
    expect(m.$("[part~=backdrop]")).toBeTruthy();
  });

  it("opens with the open attribute, moves focus into the dialog and returns it on close", async () => {
    const { token } = await scenario({ flow: "relink" });
    await openModal(token);
    await m!.step("intro");
    expect(document.activeElement).toBe(m!.el);
    expect(active(m!)?.getAttribute("part")).toBe("title");
    await userEvent.keyboard("{Escape}");
    await m!.el.updateComplete;
    expect(m!.el.open).toBe(false);
    expect(document.activeElement).toBe(opener);
    expect(m!.events.at(-1)).toEqual({
      type: "relink-exit",
      detail: { step: "intro", reason: "USER_CANCELLED" },
    });
  });

  it("traps focus: Tab and Shift+Tab cycle inside the dialog", async () => {
    const { token } = await scenario({ flow: "relink" });
    await openModal(token);
    await m!.step("intro");
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      await userEvent.keyboard("{Tab}");
      expect(document.activeElement).toBe(m!.el);
      seen.push(active(m!)?.getAttribute("aria-label") || active(m!)?.textContent?.trim() || "");
    }
    // From the title: Get started, then around to the close button, and so on.
    expect(seen).toEqual(["Get started", "Close", "Get started", "Close", "Get started"]);
    await userEvent.keyboard("{Shift>}{Tab}{/Shift}");
    expect(active(m!)?.getAttribute("aria-label")).toBe("Close");
    await userEvent.keyboard("{Shift>}{Tab}{/Shift}");
    expect(active(m!)?.textContent?.trim()).toBe("Get started");
    // Focus moved out by script is pulled back in.
    opener!.focus();
    expect(document.activeElement).toBe(m!.el);
  });

  it("the × button and a backdrop click close it", async () => {
    const { token } = await scenario({ flow: "relink" });
    await openModal(token);
    await m!.step("intro");
    await m!.click("Close");
    expect(m!.el.open).toBe(false);
    m!.el.show();
    await m!.step("intro");
    m!.$("[part~=backdrop]").click();
    await m!.el.updateComplete;
    expect(m!.el.open).toBe(false);
    expect(m!.events.filter((e) => e.type === "relink-exit")).toHaveLength(2);
  });

  it("asks before discarding typed credentials; Escape keeps editing", async () => {
    const { token } = await scenario({ flow: "relink" });
    await openModal(token);
    await m!.step("intro");
    await m!.click("Get started");
    await m!.click("Continue");
    await m!.step("credentials");
    await m!.type("API key", "typed-secret");
    await userEvent.keyboard("{Escape}");
    await m!.el.updateComplete;
    expect(m!.el.open).toBe(true);
    expect(m!.$("[part~=title]").textContent).toBe("Discard what you typed?");
    expect(active(m!)?.textContent?.trim()).toBe("Keep editing");
    await userEvent.keyboard("{Escape}");
    await m!.el.updateComplete;
    expect(m!.$<HTMLInputElement>("[part~=input]").value).toBe("typed-secret");
    m!.$("[part~=backdrop]").click();
    await m!.el.updateComplete;
    await m!.click("Discard and close");
    expect(m!.el.open).toBe(false);
    expect(m!.events.at(-1)).toEqual({
      type: "relink-exit",
      detail: { step: "credentials", reason: "USER_CANCELLED" },
    });
    // Reopening starts afresh: nothing typed survives.
    m!.el.show();
    await m!.step("intro");
    await m!.click("Get started");
    await m!.click("Continue");
    expect(m!.$<HTMLInputElement>("[part~=input]").value).toBe("");
  });

  it("hide() closes it as HOST_CLOSED; after success, Done closes it without an exit", async () => {
    const { token } = await scenario({ flow: "relink" });
    await openModal(token);
    await m!.step("intro");
    m!.el.hide();
    await m!.el.updateComplete;
    expect(m!.events.at(-1)).toEqual({
      type: "relink-exit",
      detail: { step: "intro", reason: "HOST_CLOSED" },
    });
    m!.el.show();
    await m!.step("intro");
    await m!.click("Get started");
    await m!.click("Continue");
    await m!.type("API key", await hrisKey(ALL_BASIC));
    await m!.click("Connect");
    await m!.step("success");
    await m!.click("Done");
    expect(m!.el.open).toBe(false);
    expect(m!.events.filter((e) => e.type === "relink-exit")).toHaveLength(1);
  });
});

describe("keyboard only", () => {
  it("completes a relink with Tab, Enter, Space and typing", async () => {
    const { token } = await scenario({ flow: "relink", scope: "extended" });
    const key = await hrisKey(["employees:read", "teams:read", "time_off:read", "compensation:read"]);
    await openModal(token);
    await m!.step("intro");
    const tabTo = async (label: string) => {
      for (let i = 0; i < 12; i++) {
        const el = active(m!);
        if (el?.textContent?.trim() === label || el?.getAttribute("aria-label") === label) return;
        await userEvent.keyboard("{Tab}");
      }
      throw new Error(`could not tab to ${label}`);
    };
    await tabTo("Get started");
    await userEvent.keyboard("{Enter}");
    await m!.step("permissions");
    await tabTo("Continue");
    await userEvent.keyboard(" ");
    await m!.step("credentials");
    // Focus is on the field already.
    expect(active(m!)?.getAttribute("part")).toBe("input");
    await userEvent.keyboard(key);
    // The reveal button is a toggle reachable by keyboard.
    await userEvent.keyboard("{Tab}");
    expect(active(m!)?.getAttribute("aria-pressed")).toBe("false");
    await userEvent.keyboard("{Enter}");
    await m!.el.updateComplete;
    expect(m!.$<HTMLInputElement>("[part~=input]").type).toBe("text");
    expect(active(m!)?.getAttribute("aria-pressed")).toBe("true");
    await userEvent.keyboard("{Shift>}{Tab}{/Shift}");
    await userEvent.keyboard("{Enter}");
    await m!.step("success");
    await tabTo("Done");
    await userEvent.keyboard("{Enter}");
    await m!.el.updateComplete;
    expect(m!.el.open).toBe(false);
    expect(document.activeElement).toBe(opener);
  });
});
