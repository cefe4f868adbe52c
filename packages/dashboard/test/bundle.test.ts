import { readdirSync, readFileSync } from "node:fs";
import { WEBHOOK_EVENT_TYPES } from "@relink/sdk/names";
import { build, type Rolldown } from "vite";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);

/** The production build in memory: every chunk with the modules it carries. */
async function chunks(): Promise<Rolldown.OutputChunk[]> {
  const result = await build({
    root: root.pathname,
    configFile: new URL("vite.config.ts", root).pathname,
    logLevel: "silent",
    build: { write: false },
  });
  return (Array.isArray(result) ? result : [result])
    .flatMap((output) => ("output" in output ? output.output : []))
    .filter((file): file is Rolldown.OutputChunk => file.type === "chunk");
}

/** The JavaScript the server serves: `dist/` as the global setup built it. */
function servedScripts(): string[] {
  const assets = new URL("dist/assets/", root);
  return readdirSync(assets)
    .filter((name) => name.endsWith(".js"))
    .map((name) => readFileSync(new URL(name, assets), "utf8"));
}

describe("the dashboard's production bundle", () => {
  it("carries no zod: it takes the SDK's names and client, never the schemas", async () => {
    const built = await chunks();
    const modules = built.flatMap((chunk) => Object.keys(chunk.modules));
    expect(modules.some((id) => id.includes("/sdk/src/names.ts"))).toBe(true);
    expect(modules.some((id) => id.includes("/sdk/src/client.ts"))).toBe(true);
    expect(modules.filter((id) => /[\\/]zod[\\/]/.test(id))).toEqual([]);
    // zod's own class names, present in any bundle that holds a schema
    for (const script of [...servedScripts(), ...built.map((chunk) => chunk.code)]) {
      expect(script.includes("ZodError")).toBe(false);
      expect(script.includes("$ZodType")).toBe(false);
    }
  }, 120_000);

  it("carries Lit's production build, though the tests build it from inside Vitest (NODE_ENV=test)", async () => {
    // Lit's development build warns in the console with this sentence, and checks more on every update.
    for (const script of [...servedScripts(), ...(await chunks()).map((chunk) => chunk.code)])
      expect(script.includes("Lit is in dev mode")).toBe(false);
  }, 120_000);

  it("offers the SDK's webhook event types by construction: it imports them and keeps no copy", () => {
    const page = readFileSync(new URL("src/pages/webhooks.ts", root), "utf8");
    expect(page).toMatch(/import \{[^}]*\bWEBHOOK_EVENT_TYPES\b[^}]*\} from "@relink\/sdk\/names"/);
    for (const file of readdirSync(new URL("src/", root), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts")) continue;
      const source = readFileSync(new URL(`src/${file}`, root), "utf8");
      // a list of event types written out: two of them side by side in an array
      expect(source, file).not.toMatch(
        /"(integration|connection|sync|relink)-[a-z-]+",\s*"(integration|connection|sync|relink)-[a-z-]+"/,
      );
    }
    const served = servedScripts().join("\n");
    // the minifier writes strings in any of the three quotes
    const quoted = (type: string) => ['"', "'", "`"].some((q) => served.includes(`${q}${type}${q}`));
    expect(WEBHOOK_EVENT_TYPES.filter((type) => !quoted(type))).toEqual([]);
  });
});
