import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completedLink, type RelinkStack, startRelinkStack } from "./relink.ts";
import { serveStatic, until, workDir } from "./support.ts";

const ROOT = join(import.meta.dirname, "../../..");

/** docs/widget.md's first code block: the two lines a page without a bundler pastes. */
function pasteSnippet(): string {
  const doc = readFileSync(join(ROOT, "docs/widget.md"), "utf8");
  const block = /```html\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error("docs/widget.md has no html block");
  return block;
}

describe("a plain HTML page loading the widget from the packed server's script URL", () => {
  let stack: RelinkStack;
  beforeAll(async () => {
    stack = await startRelinkStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("docs/widget.md's first snippet, pasted into a plain page, loads the widget from the server and completes a relink", async () => {
    const snippet = pasteSnippet();
    expect(snippet).toMatch(
      /^<script type="module" src="https:\/\/relink\.example\.com\/widget\/relink-widget\.js"><\/script>\n<relink-connect /,
    );
    const dir = workDir("plain-html");
    writeFileSync(
      join(dir, "index.html"),
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Product</title></head><body>\n<h1>Integrations</h1>\n${snippet.replaceAll("https://relink.example.com", stack.server.url)}</body></html>\n`,
    );
    const site = await serveStatic(dir);
    const page = await stack.browser.newPage();
    try {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      const { integrationId, token, newKey } = await stack.relinkable(site.url);
      await page.goto(site.url);
      await page.waitForFunction(() => customElements.get("relink-connect") !== undefined);
      // What the page's own script does with the token its backend minted (the docs' next line).
      await page.evaluate((flowToken) => {
        const flow = document.querySelector("relink-connect") as HTMLElement & {
          token: string;
          show(): void;
        };
        flow.addEventListener("relink-success", (event) => {
          document.title = `success ${(event as CustomEvent<{ integration_id: string }>).detail.integration_id}`;
        });
        flow.token = flowToken;
        flow.show();
      }, token);
      await stack.completeRelink(page, newKey);
      await until("the page to hear relink-success", async () =>
        (await page.title()) === `success ${integrationId}` ? true : undefined,
      );
      expect((await completedLink(stack.server, integrationId)).status).toBe("COMPLETED");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await site.close();
    }
  });
});
