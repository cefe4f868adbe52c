import { afterEach, describe, expect, it, vi } from "vitest";
import { openRelink, RelinkCancelledError } from "../src/index.ts";
import { expectAccessible, type Mounted, mount, spokenText } from "./support/harness.ts";
import { errorBody, STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The two views of the server's newer answers, against a stubbed connect API (the contract of
 * docs/widget.md): `409 FLOW_SUPERSEDED` on any call, and the hand-off to an admin
 * (`handoff` in the flow, `POST /connect/v1/flow/handoff`).
 */
let m: Mounted | undefined;
let restore: (() => void) | undefined;
let extra: Array<{ type: string; detail: unknown }> = [];
afterEach(() => {
  m?.remove();
  restore?.();
  vi.restoreAllMocks();
  m = restore = undefined;
  extra = [];
});

const SUPERSEDED_AT = "2026-11-30T14:05:00.000Z";
const superseded = () => ({
  status: 409,
  body: errorBody("FLOW_SUPERSEDED", "Someone else reconnected this integration.", {
    superseded_at: SUPERSEDED_AT,
  }),
});
const LINK = { url: "https://relink.test/link#token=handoff.abc", expires_at: "2026-12-08T09:00:00.000Z" };
const medium = (iso: string, lang = "en") =>
  new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

async function mountWith(attributes: Record<string, string | boolean> = {}) {
  const mounted = await mount({ token: "t", server: STUB_SERVER, mode: "inline", ...attributes });
  for (const type of ["relink-superseded", "relink-handed-off"]) {
    mounted.el.addEventListener(type, (e) => extra.push({ type, detail: (e as CustomEvent).detail }));
  }
  return mounted;
}

async function toCredentials(mounted: Mounted) {
  await mounted.step("intro");
  await mounted.click("Get started");
  await mounted.click("Continue");
  await mounted.step("credentials");
}

describe("superseded: someone else already reconnected", () => {
  it("a 409 FLOW_SUPERSEDED on the flow shows a calm view with the date and fires relink-superseded, not relink-error", async () => {
    const stub = stubServer({ "GET /connect/v1/flow": superseded });
    restore = stub.restore;
    m = await mountWith();
    await m.step("superseded");
    expect(m.$("[part~=title]").textContent).toBe("Already reconnected");
    expect(m.text()).toContain(
      `Someone else reconnected this integration on ${medium(SUPERSEDED_AT)}. Nothing more to do.`,
    );
    // Not an error: the success mark, no alert, no error event.
    expect(m.$("[part~=status-icon]").classList.contains("ok")).toBe(true);
    expect(m.root.querySelector("[role=alert]")).toBeNull();
    expect(extra).toEqual([{ type: "relink-superseded", detail: { superseded_at: SUPERSEDED_AT } }]);
    expect(m.events.filter((e) => e.type === "relink-error")).toEqual([]);
    expect(spokenText(m.$("[role=status]"))).toBe("Already reconnected");
    await expectAccessible(m.el);
    // Done ends it without an exit: there is nothing left to do.
    await m.click("Done");
    expect(m.events.filter((e) => e.type === "relink-exit")).toEqual([]);
    expect(stub.calls.filter((c) => c.url.endsWith("/exit"))).toEqual([]);
  });

  it("a 409 FLOW_SUPERSEDED on the credentials clears what was typed and shows the same view", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/credentials": superseded,
    });
    restore = stub.restore;
    m = await mountWith({ mode: "modal", open: true });
    await toCredentials(m);
    await m.type("Subdomain", "initech");
    await m.type("API key", "s3cret");
    await m.click("Connect");
    await m.step("superseded");
    expect(m.$("[part~=title]").textContent).toBe("Already reconnected");
    expect(m.root.querySelector("[part~=input]")).toBeNull();
    expect(extra.map((e) => e.type)).toEqual(["relink-superseded"]);
    expect(m.events.filter((e) => e.type === "relink-error")).toEqual([]);
    // Closing asks nothing (no typed credentials kept) and is no exit.
    await m.click("Close");
    expect(m.el.open).toBe(false);
    expect(m.events.filter((e) => e.type === "relink-exit")).toEqual([]);
  });
});

describe("openRelink()", () => {
  it("rejects with RelinkCancelledError FLOW_SUPERSEDED when someone else reconnected", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/credentials": superseded,
    });
    restore = stub.restore;
    const result = openRelink({ token: "t", server: STUB_SERVER });
    const el = document.querySelector("relink-connect")!;
    const click = async (label: string) => {
      const button = await waitFor(
        () => {
          const found = [...el.shadowRoot!.querySelectorAll("button")].find(
            (b) => b.textContent?.trim() === label,
          );
          if (!found) throw new Error(`no ${label}`);
          return found;
        },
        { timeout: 30_000 },
      );
      button.click();
    };
    await click("Get started");
    await click("Continue");
    const input = await waitFor(
      () =>
        el.shadowRoot!.querySelector<HTMLInputElement>("[part~=input]") ??
        Promise.reject(new Error("no input yet")),
      { timeout: 30_000 },
    );
    for (const field of el.shadowRoot!.querySelectorAll<HTMLInputElement>("[part~=input]")) {
      field.value = "x";
      field.dispatchEvent(new Event("input"));
    }
    expect(input).toBeTruthy();
    await click("Connect");
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelinkCancelledError);
    expect(error).toMatchObject({ step: "checking", reason: "FLOW_SUPERSEDED" });
    await click("Done");
    await waitFor(() => expect(document.querySelector("relink-connect")).toBeNull(), { timeout: 30_000 });
  });
});

describe("hand-off to an admin", () => {
  it("a flow opened from a hand-off link says who asked", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({
        body: { ...stubFlow(), handoff: { requested_by: "Jane Doe", requested_at: "2026-12-01T08:00:00Z" } },
      }),
    });
    restore = stub.restore;
    m = await mountWith();
    await m.step("intro");
    expect(m.text()).toContain("Jane Doe asked you to reconnect Acme HR, as it needs an admin.");
    m.remove();
    stub.restore();

    const anonymous = stubServer({
      "GET /connect/v1/flow": () => ({
        body: { ...stubFlow(), handoff: { requested_by: null, requested_at: "2026-12-01T08:00:00Z" } },
      }),
    });
    restore = anonymous.restore;
    m = await mountWith({ locale: "de" });
    await m.step("intro");
    expect(m.text()).toContain("Eine Kollegin oder ein Kollege bittet Sie, Acme HR erneut zu verbinden");
    m.remove();
    anonymous.restore();

    // Without a hand-off (null, or a server that does not send the field), nobody is named.
    const plain = stubServer({ "GET /connect/v1/flow": () => ({ body: { ...stubFlow(), handoff: null } }) });
    restore = plain.restore;
    m = await mountWith();
    await m.step("intro");
    expect(m.text()).not.toContain("asked you");
  });

  it("sends the link request with who asks, shows the link read-only with Copy and its expiry, fires relink-handed-off", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/flow/handoff": () => ({ status: 201, body: LINK }),
    });
    restore = stub.restore;
    m = await mountWith();
    await toCredentials(m);
    await m.click("I’m not an admin — send this to my admin");
    await m.step("handoff");
    expect(m.$("[part~=title]").textContent).toBe("Send this to your admin");
    expect(m.root.activeElement).toBe(m.$("[part~=title]"));
    const name = m.$<HTMLInputElement>("#handoff-by");
    expect(name.maxLength).toBe(200);
    expect(m.root.querySelector("label[for=handoff-by]")?.textContent).toContain("(optional)");
    await expectAccessible(m.el);
    await m.type("Your name or email", "  Jane Doe <jane@initech.example> ");
    await m.click("Create link");
    await m.step("handoff");
    const call = stub.calls.find((c) => c.url.endsWith("/connect/v1/flow/handoff"))!;
    expect(call.method).toBe("POST");
    expect(call.headers.authorization).toBe("Bearer t");
    expect(JSON.parse(call.body!)).toEqual({ requested_by: "Jane Doe <jane@initech.example>" });
    expect(extra).toEqual([{ type: "relink-handed-off", detail: LINK }]);
    expect(m.$("[part~=title]").textContent).toBe("A link for your admin");
    const url = m.$<HTMLInputElement>("#handoff-url");
    expect(url.readOnly).toBe(true);
    expect(url.value).toBe(LINK.url);
    expect(m.root.querySelector("label[for=handoff-url]")?.textContent).toBe("Link");
    expect(m.$(`#${url.getAttribute("aria-describedby")}`).textContent).toBe(
      `The link works until ${medium(LINK.expires_at)}.`,
    );
    expect(spokenText(m.$("[role=status]"))).toBe("A link for your admin");
    await expectAccessible(m.el);

    // Copy: the clipboard, announced.
    const writeText = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue(undefined);
    await m.click("Copy");
    await waitFor(() => expect(spokenText(m!.$("[role=status]"))).toBe("Link copied."), {
      timeout: 30_000,
    });
    expect(writeText).toHaveBeenCalledWith(LINK.url);
    // A refused clipboard: the link is selected for the keyboard instead.
    writeText.mockRejectedValue(new DOMException("denied", "NotAllowedError"));
    await m.click("Copy");
    await waitFor(
      () =>
        expect(spokenText(m!.$("[role=status]"))).toBe("The link is selected: copy it with your keyboard."),
      { timeout: 30_000 },
    );
    expect(m.root.activeElement).toBe(url);
    expect([url.selectionStart, url.selectionEnd]).toEqual([0, LINK.url.length]);

    // Done: the end user leaves, having handed it off.
    await m.click("Done");
    expect(m.events.at(-1)).toEqual({
      type: "relink-exit",
      detail: { step: "credentials", reason: "HANDED_OFF" },
    });
  });

  it("without a name the request body is empty; Back returns to the credentials", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/flow/handoff": () => ({ status: 201, body: LINK }),
    });
    restore = stub.restore;
    m = await mountWith();
    await toCredentials(m);
    await m.click("I’m not an admin — send this to my admin");
    await m.step("handoff");
    await m.click("Back");
    await m.step("credentials");
    await m.click("I’m not an admin — send this to my admin");
    await m.step("handoff");
    await m.type("Your name or email", "   ");
    await m.click("Create link");
    await m.step("handoff");
    const call = stub.calls.find((c) => c.url.endsWith("/connect/v1/flow/handoff"))!;
    expect(JSON.parse(call.body!)).toEqual({});
  });

  it("is offered for OAuth tools too, and a refused hand-off shows its error with a retry", async () => {
    let answer: { status: number; body: unknown } = { status: 503, body: errorBody("SERVICE_UNAVAILABLE") };
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({
        body: stubFlow({
          tool: {
            id: "acme-oauth",
            name: "Acme Cloud",
            category: "HRIS",
            logo_url: null,
            auth: { method: "OAUTH2", fields: [] },
          },
        }),
      }),
      "POST /connect/v1/flow/handoff": () => answer,
    });
    restore = stub.restore;
    m = await mountWith();
    await toCredentials(m);
    await m.click("I’m not an admin — send this to my admin");
    await m.step("handoff");
    await m.click("Create link");
    await m.step("error");
    expect(m.events.filter((e) => e.type === "relink-error").at(-1)?.detail).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
    });
    answer = superseded();
    await m.click("Try again");
    await m.step("superseded");
    expect(extra.map((e) => e.type)).toEqual(["relink-superseded"]);
    expect(stub.calls.filter((c) => c.url.endsWith("/flow/handoff"))).toHaveLength(2);
  });
});
