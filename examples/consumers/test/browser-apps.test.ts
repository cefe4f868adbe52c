import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completedLink, type RelinkStack, startRelinkStack } from "./relink.ts";
import { run, serveStatic, until, workDir } from "./support.ts";

/**
 * `@relink/widget` from its tarball in production Vite builds of a React 19 and a Vue 3 app, each
 * importing the package as the docs say (`import "@relink/widget"`), rendering `<relink-connect>`,
 * and completing a relink in Chromium against the packed server and the demo HR tool. Before the
 * widget's `sideEffects` named its defining modules, the production build dropped the element.
 */

const INDEX = (entry: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Product</title></head>
<body><div id="app"></div><script type="module" src="/${entry}"></script></body></html>
`;

const REACT_APP = `import "@relink/widget";
import { useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";

const params = new URLSearchParams(location.search);

function Settings() {
  const flow = useRef(null);
  const [result, setResult] = useState("waiting");
  useEffect(() => {
    const element = flow.current;
    const onSuccess = (event) => setResult("success " + event.detail.integration_id);
    element.addEventListener("relink-success", onSuccess);
    element.token = params.get("token"); // from the product's backend
    return () => element.removeEventListener("relink-success", onSuccess);
  }, []);
  return (
    <main>
      <h1>Integrations</h1>
      <relink-connect ref={flow} server={params.get("server")} mode="inline" />
      <output id="result">{result}</output>
    </main>
  );
}

createRoot(document.getElementById("app")).render(<Settings />);
`;

const VUE_APP = `import "@relink/widget";
import { createApp, h, onMounted, ref } from "vue";

const params = new URLSearchParams(location.search);

createApp({
  setup() {
    const flow = ref(null);
    const result = ref("waiting");
    onMounted(() => {
      flow.value.token = params.get("token"); // from the product's backend
    });
    return () =>
      h("main", [
        h("h1", "Integrations"),
        h("relink-connect", {
          ref: flow,
          server: params.get("server"),
          mode: "inline",
          onRelinkSuccess: (event) => {
            result.value = "success " + event.detail.integration_id;
          },
        }),
        h("output", { id: "result" }, result.value),
      ]);
  },
}).mount("#app");
`;

const APPS = {
  "React 19": {
    entry: "main.jsx",
    code: REACT_APP,
    config: `import react from "@vitejs/plugin-react";\nexport default { plugins: [react()] };\n`,
  },
  "Vue 3": {
    entry: "main.js",
    code: VUE_APP,
    config: `import vue from "@vitejs/plugin-vue";\nexport default { plugins: [vue()] };\n`,
  },
};

describe("@relink/widget from its tarball in production Vite builds, in Chromium", () => {
  let stack: RelinkStack;
  beforeAll(async () => {
    stack = await startRelinkStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(Object.entries(APPS))(
    "a production Vite build of a %s app keeps the element and completes a relink with it",
    async (name, app) => {
      const dir = workDir(name.split(" ")[0]!.toLowerCase());
      writeFileSync(join(dir, "index.html"), INDEX(app.entry));
      writeFileSync(join(dir, app.entry), app.code);
      writeFileSync(join(dir, "vite.config.mjs"), app.config);
      await run(
        process.execPath,
        [join(dir, "../node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
        {
          cwd: dir,
          env: { ...process.env, NODE_ENV: "production" },
        },
      );
      const assets = join(dir, "dist/assets");
      const bundle = readdirSync(assets)
        .filter((f) => f.endsWith(".js"))
        .map((f) => readFileSync(join(assets, f), "utf8"))
        .join("\n");
      // The minified definition: customElements.define(`relink-connect`, …), any quotes.
      expect(/define\(\s*[`"']relink-connect[`"']/.test(bundle), "the element is defined in the bundle").toBe(
        true,
      );

      const site = await serveStatic(join(dir, "dist"));
      const page = await stack.browser.newPage();
      try {
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        const { integrationId, token, newKey } = await stack.relinkable(site.url);
        const query = new URLSearchParams({ server: stack.server.url, token });
        await page.goto(`${site.url}/?${query}`);
        expect(await page.evaluate(() => customElements.get("relink-connect") !== undefined)).toBe(true);
        await stack.completeRelink(page, newKey);
        await until("the app to hear relink-success", async () =>
          (await page.locator("#result").textContent()) === `success ${integrationId}` ? true : undefined,
        );
        expect((await completedLink(stack.server, integrationId)).status).toBe("COMPLETED");
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await site.close();
      }
    },
  );
});
