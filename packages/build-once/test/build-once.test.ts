import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildOnce, STAMP_FILE } from "../src/index.ts";

/** A tiny Vite library project in a temporary folder. */
function project() {
  const root = mkdtempSync(join(tmpdir(), "build-once-"));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src/entry.js"), 'export const answer = "first";\n');
  writeFileSync(
    join(root, "vite.config.mjs"),
    'export default { build: { lib: { entry: "src/entry.js", formats: ["es"], fileName: () => "out.js" }, minify: false } };\n',
  );
  const options = {
    root,
    configFile: join(root, "vite.config.mjs"),
    outDir: join(root, "dist"),
    inputs: [join(root, "src"), join(root, "vite.config.mjs")],
  };
  return { root, options };
}

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("buildOnce", () => {
  it("builds once when several ask at once, and leaves one complete output and no leftovers", async () => {
    const { root, options } = project();
    roots.push(root);
    const results = await Promise.all([buildOnce(options), buildOnce(options), buildOnce(options)]);
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(readFileSync(join(root, "dist/out.js"), "utf8")).toContain('"first"');
    expect(readdirSync(root).sort()).toEqual(["dist", "src", "vite.config.mjs"]);
    expect(await buildOnce(options)).toEqual({ built: false });
  });

  it("rebuilds when an input changed, replacing the output whole", async () => {
    const { root, options } = project();
    roots.push(root);
    await buildOnce(options);
    const stamp = readFileSync(join(root, "dist", STAMP_FILE), "utf8");
    writeFileSync(join(root, "src/entry.js"), 'export const answer = "second";\n');
    expect(await buildOnce(options)).toEqual({ built: true });
    expect(readFileSync(join(root, "dist/out.js"), "utf8")).toContain('"second"');
    expect(readFileSync(join(root, "dist", STAMP_FILE), "utf8")).not.toBe(stamp);
  });

  it("takes over the lock of a process that died mid-build", async () => {
    const { root, options } = project();
    roots.push(root);
    const dead = spawn(process.execPath, ["-e", ""]);
    const pid = dead.pid!;
    await new Promise((r) => dead.once("exit", r));
    mkdirSync(`${options.outDir}.lock`);
    writeFileSync(join(`${options.outDir}.lock`, "owner"), `${pid}\n`);
    expect(await buildOnce({ ...options, waitMs: 60_000 })).toEqual({ built: true });
    expect(readFileSync(join(root, "dist/out.js"), "utf8")).toContain('"first"');
  });
});
