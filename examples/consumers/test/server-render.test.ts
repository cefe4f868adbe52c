import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, workDir } from "./support.ts";

/**
 * What a server render (Next.js, Remix, Astro) does with the widget: the page module imports
 * `@relink/widget` in Node, where there is no DOM, and renders `<relink-connect>` to HTML. The
 * import must not crash, and the element is defined only once the page runs in the browser.
 */
describe("@relink/widget from its tarball in a server render (Node, no DOM)", () => {
  it("imports without a DOM, renders the element to HTML with React's server renderer and defines nothing", async () => {
    const dir = workDir("ssr");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, "page.js"),
      `import * as widget from "@relink/widget";
import { createElement } from "react";
import { renderToString } from "react-dom/server";

const html = renderToString(
  createElement("main", null, createElement("relink-connect", { server: "https://relink.example.com", mode: "inline" })),
);
console.log(JSON.stringify({
  html,
  exports: Object.keys(widget).sort(),
  window: typeof window,
  defined: typeof customElements === "undefined" ? false : customElements.get("relink-connect") !== undefined,
}));
`,
    );
    const { stdout } = await run(process.execPath, ["page.js"], { cwd: dir });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result.html).toBe(
      '<main><relink-connect server="https://relink.example.com" mode="inline"></relink-connect></main>',
    );
    expect(result.exports).toEqual(
      expect.arrayContaining(["RelinkConnect", "openRelink", "RelinkCancelledError"]),
    );
    expect(result.window).toBe("undefined");
    expect(result.defined).toBe(false);
  });
});
