import type { Branding, ConnectFlow } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../src/domain/workspaces.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

const UNSET: Branding = { product_name: null, logo_url: null, accent_color: null };

describe.each(availableDialects())("workspace branding on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  tool.setKey("A", { permissions: ["employees:read"] });
  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
  });
  afterAll(() => t?.close());

  const put = (body: unknown, key?: string) => t.request("PUT", "/v1/settings/branding", { body, key });
  const get = async (key?: string) =>
    (await (await t.request("GET", "/v1/settings/branding", { key })).json()) as Branding;

  it("starts unset, is replaced by PUT (normalised) and read back by GET", async () => {
    expect(await get()).toEqual(UNSET);
    const r = await put({
      product_name: " Acme Payroll ",
      logo_url: "https://cdn.acme.example/logo.svg",
      accent_color: "#0F766E",
    });
    expect(r.status, await r.clone().text()).toBe(200);
    const expected = {
      product_name: "Acme Payroll",
      logo_url: "https://cdn.acme.example/logo.svg",
      accent_color: "#0f766e",
    };
    expect(await r.json()).toEqual(expected);
    expect(await get()).toEqual(expected);
    // Short hex is expanded; a field left out is unset.
    expect(await (await put({ product_name: "Acme", accent_color: "#4Fe" })).json()).toEqual({
      product_name: "Acme",
      logo_url: null,
      accent_color: "#44ffee",
    });
    expect(await (await put({ product_name: null })).json()).toEqual(UNSET);
  });

  it.each([
    [{ logo_url: "http://cdn.acme.example/logo.png" }, "body.logo_url"],
    [{ logo_url: "javascript:alert(1)" }, "body.logo_url"],
    [{ logo_url: "data:image/png;base64,AAAA" }, "body.logo_url"],
    [{ logo_url: "https://user:pw@cdn.acme.example/logo.png" }, "body.logo_url"],
    [{ logo_url: "not a url" }, "body.logo_url"],
    [{ accent_color: "red" }, "body.accent_color"],
    [{ accent_color: "#12345" }, "body.accent_color"],
    [{ accent_color: "#1234567" }, "body.accent_color"],
    [{ accent_color: "url(https://x)" }, "body.accent_color"],
    [{ product_name: "" }, "body.product_name"],
    [{ product_name: "x".repeat(81) }, "body.product_name"],
    [{ product_name: "Acme\u0000" }, "body.product_name"],
    [{ product_name: "Acme\u202eyaP" }, "body.product_name"],
    [{ product_name: 42 }, "body.product_name"],
    [{ colour: "#fff" }, "body"],
  ])("refuses %j with 400 INVALID_REQUEST at %s, changing nothing", async (body, path) => {
    await put({ product_name: "Kept" });
    const r = await put(body);
    expect(r.status).toBe(400);
    const error = (
      (await r.json()) as { error: { code: string; details: { issues: Array<{ path: string }> } } }
    ).error;
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.details.issues.map((i) => i.path)).toContain(path);
    expect((await get()).product_name).toBe("Kept");
  });

  it("keeps each workspace's brand its own", async () => {
    await put({ product_name: "Mine" });
    const other = await createWorkspace(t.server.ctx, "Other");
    expect(await get(other.apiKey.key)).toEqual(UNSET);
    await put({ product_name: "Theirs" }, other.apiKey.key);
    expect((await get()).product_name).toBe("Mine");
  });

  it("is carried by the connect API's flow description", async () => {
    await put({
      product_name: "Acme Payroll",
      logo_url: "https://cdn.acme.example/l.png",
      accent_color: "#112233",
    });
    const imported = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "b-1", organization_name: "Globex" },
        credentials: { api_key: "A" },
      },
    });
    const id = ((await imported.json()) as { id: string }).id;
    const link = (await (await t.request("POST", `/v1/integrations/${id}/relink`, { body: {} })).json()) as {
      token: string;
    };
    const flow = (await (
      await t.request("GET", "/connect/v1/flow", { key: link.token })
    ).json()) as ConnectFlow;
    expect(flow.branding).toEqual({
      product_name: "Acme Payroll",
      logo_url: "https://cdn.acme.example/l.png",
      accent_color: "#112233",
    });
  });
});
