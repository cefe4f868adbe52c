import { afterEach, describe, expect, it, vi } from "vitest";
import { type Mounted, mount } from "./support/harness.ts";
import {
  apiKeyTool,
  completed,
  errorBody,
  oauthTool,
  STUB_SERVER,
  stubFlow,
  stubServer,
} from "./support/stub-server.ts";
import { waitFor } from "./support/wait.ts";

let m: Mounted | undefined;
let restore: (() => void) | undefined;
afterEach(() => {
  m?.remove();
  restore?.();
  vi.restoreAllMocks();
  m = restore = undefined;
});

async function toCredentials(mounted: Mounted) {
  await mounted.step("intro");
  await mounted.click("Get started");
  await mounted.click("Continue");
  await mounted.step("credentials");
}

describe("against a stubbed connect API", () => {
  it("generates the form from the tool's auth fields: labels, help, placeholders, masking", async () => {
    const stub = stubServer({ "GET /connect/v1/flow": () => ({ body: stubFlow() }) });
    restore = stub.restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    const inputs = m.$$<HTMLInputElement>("[part~=input]");
    expect(inputs.map((i) => [i.name, i.type, i.placeholder])).toEqual([
      ["subdomain", "text", "yourcompany"],
      ["api_key", "password", ""],
      ["base_url", "url", "https://"],
    ]);
    expect(inputs[0]!.getAttribute("aria-describedby")).toBe(`${inputs[0]!.id}-help`);
    expect(m.$(`#${inputs[0]!.id}-help`).textContent).toBe("The first part of your Acme HR address.");
    expect(m.root.querySelector(`label[for=${inputs[2]!.id}]`)?.textContent).toContain("(optional)");
    expect(m.$$("[part~=reveal-button]")).toHaveLength(1);
    expect(m.$("[part~=reveal-button]").getAttribute("aria-label")).toBe("Show API key");
    // Required checks: both required fields flagged, the optional one not; focus on the first.
    await m.click("Connect");
    expect(inputs.map((i) => i.getAttribute("aria-invalid"))).toEqual(["true", "true", "false"]);
    expect(m.root.activeElement).toBe(inputs[0]);
    expect(stub.calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("invalid credentials keep every value typed, the first field focused and selected", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/credentials": () => ({ status: 422, body: errorBody("CREDENTIALS_INVALID") }),
    });
    restore = stub.restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    await m.type("Subdomain", "  initech ");
    await m.type("API key", "s3cret");
    await m.type("Server URL", "https://hr.initech.example");
    await m.click("Connect");
    await m.step("credentials");
    const posted = JSON.parse(stub.calls.find((c) => c.method === "POST")!.body!);
    expect(posted).toEqual({
      values: { subdomain: "initech", api_key: "s3cret", base_url: "https://hr.initech.example" },
    });
    const inputs = m.$$<HTMLInputElement>("[part~=input]");
    expect(inputs.map((i) => i.value)).toEqual(["  initech ", "s3cret", "https://hr.initech.example"]);
    expect(m.root.activeElement).toBe(inputs[0]);
    expect([inputs[0]!.selectionStart, inputs[0]!.selectionEnd]).toEqual([0, "  initech ".length]);
  });

  it("rate limited and unknown errors offer a retry", async () => {
    let answer = { status: 429, body: errorBody("RATE_LIMITED") as unknown };
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/credentials": () => answer,
    });
    restore = stub.restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    await m.type("Subdomain", "initech");
    await m.type("API key", "k");
    await m.click("Connect");
    await m.step("error");
    expect(m.$("[part~=title]").textContent).toBe("Too many attempts");
    answer = { status: 500, body: { oops: true } };
    await m.click("Try again");
    await m.step("error");
    expect(m.$("[part~=title]").textContent).toBe("Something went wrong");
    answer = { status: 200, body: completed };
    await m.click("Try again");
    await m.step("success");
  });

  it("renders tool-provided text as text, never as HTML", async () => {
    const evil = `<img src=x onerror="window.__pwned=1"><b>bold</b>`;
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({
        body: stubFlow({
          tool: { ...apiKeyTool, name: evil, logo_url: `javascript:window.__pwned=2` },
          end_user: { origin_id: "o", organization_name: evil, email: null },
          required_permissions: [
            {
              id: "p",
              label: evil,
              description: evil,
              where_to_grant: evil,
              newly_required: true,
              optional: false,
            },
          ],
        }),
      }),
    });
    restore = stub.restore;
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await m.step("intro");
    await m.click("Get started");
    await m.step("permissions");
    expect(m.root.querySelectorAll("b")).toHaveLength(0);
    expect(m.root.querySelectorAll("img:not([part~=logo])")).toHaveLength(0);
    expect(m.text()).toContain(evil);
    await new Promise((r) => setTimeout(r, 50));
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("sends the flow token only as a bearer header, never in a URL", async () => {
    const stub = stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow() }),
      "POST /connect/v1/exit": () => ({ status: 204 }),
    });
    restore = stub.restore;
    m = await mount({ token: "the-token", server: `${STUB_SERVER}/`, mode: "inline" });
    await m.step("intro");
    await m.click("Cancel");
    expect(stub.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `GET ${STUB_SERVER}/connect/v1/flow`,
      `POST ${STUB_SERVER}/connect/v1/exit`,
    ]);
    for (const call of stub.calls) expect(call.headers.authorization).toBe("Bearer the-token");
    expect(JSON.parse(stub.calls[1]!.body!)).toEqual({ step: "intro", reason: "USER_CANCELLED" });
  });
});

describe("speed", () => {
  it("renders the intro within one frame of the flow description arriving", async () => {
    let answer!: (response: Response) => void;
    vi.spyOn(globalThis, "fetch").mockImplementation(
      () => new Promise<Response>((resolve) => (answer = resolve)),
    );
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    expect(m.root.querySelector("[part~=title]")?.textContent).toBe("Loading…");
    // The description has arrived and is parsed: from here on nothing may wait for more than a frame.
    const response = new Response(null, { status: 200 });
    response.json = () => Promise.resolve(stubFlow());
    answer(response);
    await new Promise((r) => requestAnimationFrame(r));
    expect(m.root.querySelector("[part~=title]")?.textContent).toBe("Reconnect Acme HR");
  });
});

describe("OAuth popup", () => {
  let starts = 0;
  const oauthFlow = () =>
    stubServer({
      "GET /connect/v1/flow": () => ({ body: stubFlow({ tool: oauthTool }) }),
      "POST /connect/v1/oauth/start": (call) => {
        const body = JSON.parse(call.body!);
        expect(body.origin).toBe(location.origin);
        starts++;
        return { body: { authorize_url: `${STUB_SERVER}/authorize?state=x` } };
      },
    });

  async function startOAuth(): Promise<Window> {
    let popup: Window | null = null;
    const open = window.open.bind(window);
    vi.spyOn(window, "open").mockImplementation((...args) => {
      popup = open(...args);
      return popup;
    });
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    expect(m.text()).toContain("Sign in to Acme Cloud in a new window");
    const before = starts;
    const listeners = vi.spyOn(window, "addEventListener");
    await m.click("Continue with Acme Cloud");
    expect(popup).not.toBeNull();
    expect(m.text()).toContain("Finish in the Acme Cloud window");
    await waitFor(() => expect(starts).toBe(before + 1), { timeout: 30_000 });
    // Until the widget has sent the popup to the authorize URL and listens for its message.
    await waitFor(() => expect(listeners.mock.calls.map(([type]) => type)).toContain("message"), {
      timeout: 30_000,
    });
    return popup!;
  }

  const message = (data: unknown, origin: string, source: Window | null) =>
    window.dispatchEvent(new MessageEvent("message", { data, origin, source }));

  it("accepts the result only from the server's origin, from its popup, of type relink:oauth", async () => {
    restore = oauthFlow().restore;
    const popup = await startOAuth();
    const ok = { type: "relink:oauth", ...completed };
    message(ok, "https://evil.test", popup);
    message(ok, STUB_SERVER, window);
    message({ ...ok, type: "other" }, STUB_SERVER, popup);
    await new Promise((r) => setTimeout(r, 50));
    expect(m!.events.some((e) => e.type === "relink-success")).toBe(false);
    message(ok, STUB_SERVER, popup);
    await m!.step("success");
    expect(m!.events.find((e) => e.type === "relink-success")?.detail).toEqual({
      integration_id: "int_stub",
      flow: "relink",
      scope_config_id: "sc_new",
    });
    // The browser closes a window asynchronously: on a busy machine that takes more than a second.
    await waitFor(() => expect(popup.closed).toBe(true), { timeout: 30_000 });
  });

  it("an error reported by the callback shows its state", async () => {
    restore = oauthFlow().restore;
    const popup = await startOAuth();
    message(
      { type: "relink:oauth", status: "ERROR", code: "ACCOUNT_MISMATCH", message: "other account" },
      STUB_SERVER,
      popup,
    );
    await m!.step("error");
    expect(m!.$("[part~=title]").textContent).toBe("This is another account");
  });

  it("a closed popup brings the user back to the credentials step with a message", async () => {
    restore = oauthFlow().restore;
    const popup = await startOAuth();
    popup.close();
    await waitFor(() => expect(m!.text()).toContain("The window was closed before you finished."), {
      timeout: 30_000,
    });
    expect(m!.$("[part~=alert]").getAttribute("role")).toBe("alert");
    expect(m!.$$("button").map((b) => b.textContent?.trim())).toContain("Continue with Acme Cloud");
  });

  it("a blocked popup says how to allow it", async () => {
    restore = oauthFlow().restore;
    vi.spyOn(window, "open").mockReturnValue(null);
    m = await mount({ token: "t", server: STUB_SERVER, mode: "inline" });
    await toCredentials(m);
    await m.click("Continue with Acme Cloud");
    expect(m.text()).toContain("Allow pop-ups for this site");
    expect(m.events.at(-1)).toEqual({
      type: "relink-error",
      detail: { code: "POPUP_BLOCKED", message: expect.any(String) },
    });
  });

  it("cancel while waiting closes the popup", async () => {
    restore = oauthFlow().restore;
    const popup = await startOAuth();
    await m!.click("Cancel");
    // The browser closes a window asynchronously: on a busy machine that takes more than a second.
    await waitFor(() => expect(popup.closed).toBe(true), { timeout: 30_000 });
    expect(m!.text()).toContain("Continue with Acme Cloud");
  });
});
