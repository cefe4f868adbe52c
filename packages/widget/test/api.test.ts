import { afterEach, describe, expect, it, vi } from "vitest";
import { RelinkConnect as Exported, openRelink, RelinkCancelledError } from "../src/index.ts";
import { RelinkConnect } from "../src/relink-connect/relink-connect.ts";
import { ALL_BASIC, ctx, hrisKey, type Mounted, mount, scenario } from "./support/harness.ts";
import { waitFor } from "./support/wait.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.remove();
  m = undefined;
  vi.restoreAllMocks();
  for (const el of document.querySelectorAll("relink-connect")) el.remove();
});

const flowElement = () => document.querySelector("relink-connect")!;

async function completeInside(el: RelinkConnect, key: string) {
  const root = el.shadowRoot!;
  const button = (label: string) =>
    waitFor(() => {
      const b = [...root.querySelectorAll("button")].find((x) => x.textContent?.trim() === label);
      if (!b) throw new Error(`no ${label}`);
      return b;
    });
  (await button("Get started")).click();
  (await button("Continue")).click();
  const input = await waitFor(() => {
    const found = root.querySelector<HTMLInputElement>("[part~=input]");
    if (!found) throw new Error("no input yet");
    return found;
  });
  input.value = key;
  input.dispatchEvent(new Event("input"));
  (await button("Connect")).click();
}

describe("element definition", () => {
  it("defines <relink-connect> once, with its properties and methods", () => {
    expect(customElements.get("relink-connect")).toBe(RelinkConnect);
    expect(Exported).toBe(RelinkConnect);
    const el = document.createElement("relink-connect");
    expect(el).toBeInstanceOf(RelinkConnect);
    expect(el.mode).toBe("modal");
    expect(el.open).toBe(false);
    expect(typeof el.show).toBe("function");
    expect(typeof el.hide).toBe("function");
    // Importing the definition again is harmless.
    return import("../src/define.ts");
  });

  it("never reflects the token or credentials into attributes", async () => {
    const { token } = await scenario({ flow: "relink" });
    m = await mount({ server: ctx.server, mode: "inline" });
    m.el.token = token;
    await m.step("intro");
    expect(m.el.hasAttribute("token")).toBe(false);
  });
});

describe("events", () => {
  it("bubble out of the shadow root and up to the document with their documented detail", async () => {
    const s = await scenario({ flow: "relink" });
    const seen: Array<[string, boolean, boolean, unknown]> = [];
    const listen = (e: Event) =>
      seen.push([e.type, e.bubbles, e.composed, (e as CustomEvent).detail] as [
        string,
        boolean,
        boolean,
        unknown,
      ]);
    for (const type of ["relink-step", "relink-success", "relink-exit", "relink-error"] as const) {
      document.addEventListener(type, listen);
    }
    try {
      m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
      await m.step("intro");
      await m.click("Get started");
      await m.click("Continue");
      await m.step("credentials");
      await m.type("API key", "bad-key");
      await m.click("Connect");
      await m.step("checking");
      await m.step("credentials");
      await m.type("API key", await hrisKey(ALL_BASIC));
      await m.click("Connect");
      await m.step("success");
    } finally {
      for (const type of ["relink-step", "relink-success", "relink-exit", "relink-error"] as const) {
        document.removeEventListener(type, listen);
      }
    }
    expect(seen.every(([, bubbles, composed]) => bubbles && composed)).toBe(true);
    expect(seen.map(([type, , , detail]) => [type, detail])).toEqual([
      ["relink-step", { step: "intro" }],
      ["relink-step", { step: "permissions" }],
      ["relink-step", { step: "credentials" }],
      ["relink-step", { step: "checking" }],
      ["relink-error", { code: "CREDENTIALS_INVALID", message: expect.any(String) }],
      ["relink-step", { step: "credentials" }],
      ["relink-step", { step: "checking" }],
      [
        "relink-success",
        { integration_id: s.integration_id, flow: "relink", scope_config_id: s.scope_config_id },
      ],
      ["relink-step", { step: "success" }],
    ]);
  });
});

describe("openRelink()", () => {
  it("resolves with the success detail and removes the element once closed", async () => {
    const s = await scenario({ flow: "relink" });
    const key = await hrisKey(ALL_BASIC);
    const result = openRelink({ token: s.token, server: ctx.server });
    const el = await waitFor(() => flowElement() ?? Promise.reject(new Error("not yet")));
    expect(el.mode).toBe("modal");
    expect(el.open).toBe(true);
    await completeInside(el, key);
    await expect(result).resolves.toEqual({
      integration_id: s.integration_id,
      flow: "relink",
      scope_config_id: s.scope_config_id,
    });
    const done = await waitFor(() => {
      const b = [...el.shadowRoot!.querySelectorAll("button")].find((x) => x.textContent?.trim() === "Done");
      if (!b) throw new Error("no Done");
      return b;
    });
    done.click();
    await waitFor(() => expect(el.isConnected).toBe(false));
  });

  it("rejects with RelinkCancelledError (step and reason) when the user closes it", async () => {
    const s = await scenario({ flow: "relink" });
    const result = openRelink({ token: s.token, server: ctx.server, locale: "de" });
    const el = await waitFor(() => flowElement() ?? Promise.reject(new Error("not yet")));
    expect(el.locale).toBe("de");
    await waitFor(() =>
      expect(el.shadowRoot!.querySelector("[part~=title]")?.textContent).toContain("verbinden"),
    );
    el.shadowRoot!.querySelector<HTMLElement>("[part~=close-button]")!.click();
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelinkCancelledError);
    expect(error).toMatchObject({ name: "RelinkCancelledError", step: "intro", reason: "USER_CANCELLED" });
    await waitFor(() => expect(el.isConnected).toBe(false));
  });

  it("refuses a second flow while one is open, and allows one after", async () => {
    const s = await scenario({ flow: "relink" });
    const first = openRelink({ token: s.token, server: ctx.server });
    await expect(openRelink({ token: s.token, server: ctx.server })).rejects.toThrow(TypeError);
    expect(document.querySelectorAll("relink-connect")).toHaveLength(1);
    const el = flowElement();
    await el.updateComplete;
    el.hide();
    await expect(first).rejects.toMatchObject({ reason: "HOST_CLOSED" });
    await waitFor(() => expect(el.isConnected).toBe(false));
    const third = openRelink({ token: s.token, server: ctx.server });
    const next = flowElement();
    await next.updateComplete;
    next.hide();
    await expect(third).rejects.toBeInstanceOf(RelinkCancelledError);
  });

  it("renders inline in a container when given one", async () => {
    const s = await scenario({ flow: "relink" });
    const container = document.createElement("div");
    document.body.append(container);
    const result = openRelink({ token: s.token, server: ctx.server, container });
    const el = container.querySelector("relink-connect")!;
    expect(el.mode).toBe("inline");
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector("[role=region]")).not.toBeNull();
    const cancel = await waitFor(() => {
      const b = [...el.shadowRoot!.querySelectorAll("button")].find(
        (x) => x.textContent?.trim() === "Cancel",
      );
      if (!b) throw new Error("no Cancel yet");
      return b;
    });
    cancel.click();
    await expect(result).rejects.toBeInstanceOf(RelinkCancelledError);
    await waitFor(() => expect(container.children).toHaveLength(0));
    container.remove();
  });
});

describe("credential secrecy", () => {
  it("sends the credentials only to the server's /connect/v1/credentials; nowhere else", async () => {
    const s = await scenario({ flow: "relink" });
    const secret = await hrisKey(ALL_BASIC);
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((k) =>
      vi.spyOn(console, k),
    );
    const storageSpy = vi.spyOn(Storage.prototype, "setItem");
    const events: string[] = [];
    const record = (e: Event) => events.push(JSON.stringify((e as CustomEvent).detail));
    for (const type of ["relink-step", "relink-success", "relink-exit", "relink-error"]) {
      document.addEventListener(type, record);
    }
    m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.click("Continue");
    await m.type("API key", secret);
    const input = m.$<HTMLInputElement>("[part~=input]");
    expect(input.getAttribute("value")).toBeNull();
    expect(m.el.outerHTML).not.toContain(secret);
    expect(m.root.innerHTML).not.toContain(secret);
    await m.click("Connect");
    await m.step("success");
    for (const type of ["relink-step", "relink-success", "relink-exit", "relink-error"]) {
      document.removeEventListener(type, record);
    }

    const carrying = fetchSpy.mock.calls.filter(([input, init]) =>
      JSON.stringify([String(input), init?.body ?? "", init?.headers ?? {}]).includes(secret),
    );
    expect(carrying.map(([input, init]) => [String(input), init?.method])).toEqual([
      [`${ctx.server}/connect/v1/credentials`, "POST"],
    ]);
    expect(String(carrying[0]![0])).not.toContain(secret);
    for (const spy of consoleSpies) {
      for (const args of spy.mock.calls) expect(JSON.stringify(args)).not.toContain(secret);
    }
    expect(storageSpy).not.toHaveBeenCalled();
    expect(JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie).not.toContain(secret);
    expect(events.join()).not.toContain(secret);
    expect(location.href).not.toContain(secret);
    // After success, the values are gone from the element too.
    expect(m.root.innerHTML).not.toContain(secret);
  });
});
