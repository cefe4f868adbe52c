import type { ToolListItem } from "@relink/sdk/contract";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signIn } from "./support/browser.ts";
import { type Stack, startStack } from "./support/stack.ts";

/** The operator sees in Settings which tools are ready and what the others lack, in Chromium against a real server. */
describe("dashboard: the tools of the server in Settings", () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startStack({
        tools: ["bamboohr", "gusto", "microsoft-entra"],
        toolSettings: { MICROSOFT_ENTRA: { clientId: "entra-client-id" } },
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("shows each tool as ready or with the variables it lacks, as GET /v1/tools says", async () => {
    const { data } = await stack.api<{ data: ToolListItem[] }>("GET", "/v1/tools");
    const gusto = data.find((t) => t.id === "gusto");
    expect(gusto?.missing).toEqual(["RELINK_TOOL_GUSTO_CLIENT_ID", "RELINK_TOOL_GUSTO_CLIENT_SECRET"]);
    const page = await browser.newPage();
    try {
      await signIn(page, stack.url, stack.apiKey, "/dashboard/settings");
      const section = page.locator("section", { has: page.getByRole("heading", { name: "Tools" }) });
      const item = (id: string) => section.locator(`li[data-tool="${id}"]`);
      await item("bamboohr").waitFor();
      // Every tool the API lists, and nothing else.
      expect(await section.locator("li").count()).toBe(data.length);
      for (const tool of data) {
        const text = await item(tool.id).textContent();
        expect(text).toContain(tool.name);
        if (tool.ready) {
          expect(text).toMatch(/\bready\b/);
          expect(text).not.toContain("not ready");
        } else {
          expect(text).toContain("not ready");
          for (const name of tool.missing) expect(text).toContain(name);
        }
      }
      expect(await item("bamboohr").textContent()).not.toContain("not ready");
      expect(await item("gusto").textContent()).toContain("RELINK_TOOL_GUSTO_CLIENT_SECRET");
      const entra = await item("microsoft-entra").textContent();
      expect(entra).toContain("RELINK_TOOL_MICROSOFT_ENTRA_CLIENT_SECRET");
      expect(entra).not.toContain("RELINK_TOOL_MICROSOFT_ENTRA_CLIENT_ID");
      // A tool's settings never reach the page.
      expect(await page.content()).not.toContain("entra-client-id");
    } finally {
      await page.close();
    }
  });
});
