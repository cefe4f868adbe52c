import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { ensureDashboardBuilt } from "@relink/dashboard/build";
import { ensureWidgetBuilt } from "@relink/widget/build";

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, "../../..");
/**
 * The packed packages, in build order, with their folders: the published ones, and the demo HR
 * system (`@relink/demo-hris`, not published), whose connector module the packed server loads
 * through `RELINK_CONNECTOR_MODULES` as it would load anyone's.
 */
const PACKAGES = ["sdk", "connectors", "widget", "dashboard", "server", "demo-hris"] as const;
const FOLDER: Record<(typeof PACKAGES)[number], string> = {
  sdk: "packages/sdk",
  connectors: "packages/connectors",
  widget: "packages/widget",
  dashboard: "packages/dashboard",
  server: "packages/server",
  "demo-hris": "examples/demo-hris",
};

/**
 * What a product team installs from npm besides relink, for the consumer projects: a Vite build
 * of React 19 and of Vue 3, and TypeScript.
 */
const THIRD_PARTY = {
  "@types/node": "^20.17.0",
  "@vitejs/plugin-react": "^6.3.0",
  "@vitejs/plugin-vue": "^6.0.11",
  react: "^19.3.1",
  "react-dom": "^19.3.1",
  typescript: "~5.9.3",
  vite: "^8.3.8",
  vue: "^3.5.45",
};

/** Bump when `prepare` installs differently, so that existing consumer projects are not reused. */
const INSTALL_LAYOUT = 1;

/**
 * Builds `@relink/sdk`, `@relink/connectors`, `@relink/widget`, `@relink/dashboard`, `@relink/server`
 * and `@relink/demo-hris`, packs them with `pnpm pack` and installs the tarballs with plain npm
 * into a project under the system's temporary folder, outside the workspace; returns its folder.
 * Done once per set of sources: the project is kept under a name derived from them and reused
 * while they are unchanged; several test files or runs asking at once wait for the one that holds
 * the lock. Called by each test file (`setup.ts`), not by a global setup, so that the other
 * projects' tests run meanwhile instead of waiting minutes for it.
 */
export async function ensureConsumerProject(): Promise<string> {
  const base = join(tmpdir(), "relink-consumers");
  mkdirSync(base, { recursive: true });
  const fingerprint = fingerprintOfSources();
  const dir = join(base, fingerprint.slice(0, 16));
  const ready = join(dir, ".ready");
  if (!existsSync(ready)) {
    const release = await lock(`${dir}.lock`, () => existsSync(ready));
    try {
      if (!existsSync(ready)) {
        const started = Date.now();
        console.log(`consumers: building, packing and installing the packages into ${dir} (a few minutes)`);
        await prepare(base, dir);
        console.log(`consumers: packages installed in ${Math.round((Date.now() - started) / 1000)} s`);
      }
      writeFileSync(ready, `${fingerprint}\n`);
    } finally {
      release();
    }
  }
  // Projects built from older sources are of no more use: moved aside at once, deleted in the
  // background (hundreds of megabytes; deleting them here would hold up the tests).
  for (const entry of readdirSync(base)) {
    if (
      /^[0-9a-f]{16}$/.test(entry) &&
      join(base, entry) !== dir &&
      existsSync(join(base, entry, ".ready"))
    ) {
      const trash = join(base, `trash-${entry}-${process.pid}`);
      renameSync(join(base, entry), trash);
      spawn("rm", ["-rf", trash], { detached: true, stdio: "ignore" }).unref();
    }
  }
  return dir;
}

async function prepare(base: string, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const tarballs = join(dir, "tarballs");
  mkdirSync(tarballs, { recursive: true });

  // The browser bundles through the shared build lock (other test projects build them too), then
  // each package's compiled JavaScript and declarations.
  await ensureWidgetBuilt();
  await ensureDashboardBuilt();
  const pnpm = (cwd: string, ...args: string[]) =>
    run("pnpm", args, { cwd, env: { ...process.env, npm_config_verify_deps_before_run: "false" } });
  await pnpm(join(ROOT, "packages/sdk"), "run", "build");
  await pnpm(join(ROOT, "packages/connectors"), "run", "build");
  await pnpm(join(ROOT, "packages/widget"), "run", "build:lib");
  await pnpm(join(ROOT, "packages/dashboard"), "run", "build:lib");
  await pnpm(join(ROOT, "packages/server"), "run", "build");
  await pnpm(join(ROOT, "examples/demo-hris"), "run", "build");
  for (const name of PACKAGES) await pnpm(join(ROOT, FOLDER[name]), "pack", "--pack-destination", tarballs);

  const tarball = (name: string) => {
    const file = readdirSync(tarballs).find((f) => f.startsWith(`relink-${name}-`) && f.endsWith(".tgz"));
    if (!file) throw new Error(`pnpm pack wrote no tarball for @relink/${name} in ${tarballs}`);
    return `file:${join(tarballs, file)}`;
  };
  const relink = Object.fromEntries(PACKAGES.map((name) => [`@relink/${name}`, tarball(name)]));
  // The server's better-sqlite3 at the workspace's version: its compiled binding is reused below.
  const sqliteDir = dirname(
    createRequire(join(ROOT, "packages/server/package.json")).resolve("better-sqlite3/package.json"),
  );
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, "package.json"), "utf8")).version as string;
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: "relink-consumer",
        private: true,
        dependencies: { ...relink, ...THIRD_PARTY },
        // The packages depend on one another by version; these are not on a registry: the tarballs.
        overrides: {
          ...Object.fromEntries(PACKAGES.map((name) => [`@relink/${name}`, `$@relink/${name}`])),
          "better-sqlite3": sqliteVersion,
        },
      },
      null,
      2,
    )}\n`,
  );
  // Plain npm, one cache for every run. Install scripts are skipped: the only one that matters is
  // better-sqlite3's native build, which takes minutes from source where no prebuilt binary can be
  // downloaded; the workspace's binding of the same version and Node is copied instead.
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--cache",
      join(base, "npm-cache"),
    ],
    { cwd: dir, env: { ...process.env, npm_config_loglevel: "error" }, maxBuffer: 64 * 1024 * 1024 },
  );
  const binding = join(sqliteDir, "build/Release/better_sqlite3.node");
  const target = join(dir, "node_modules/better-sqlite3/build/Release");
  mkdirSync(target, { recursive: true });
  copyFileSync(binding, join(target, "better_sqlite3.node"));
}

/** SHA-256 over the published packages' sources, manifests and build configs, and the third-party dependencies. */
function fingerprintOfSources(): string {
  const hash = createHash("sha256");
  hash.update(`${INSTALL_LAYOUT}\0${JSON.stringify(THIRD_PARTY)}\0`);
  const files: string[] = [];
  const walk = (path: string) => {
    if (!existsSync(path) || path.endsWith("node_modules")) return;
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    else files.push(path);
  };
  for (const name of PACKAGES) {
    const root = join(ROOT, FOLDER[name]);
    for (const entry of readdirSync(root)) {
      if (["node_modules", "dist", "lib", "test", "scripts"].includes(entry) || entry.startsWith("dist."))
        continue;
      walk(join(root, entry));
    }
  }
  walk(join(ROOT, "packages/widget/scripts/minify-templates.ts"));
  for (const file of files.sort()) {
    hash.update(`${relative(ROOT, file)}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** A lock by `mkdir` (atomic); waits while another live process holds it, or until `done()`. */
async function lock(path: string, done: () => boolean): Promise<() => void> {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, "owner"), `${process.pid}\n`);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner = 0;
    try {
      owner = Number.parseInt(readFileSync(join(path, "owner"), "utf8"), 10);
    } catch {
      // Just created by another process, owner not written yet.
    }
    if (owner > 0 && !alive(owner)) rmSync(path, { recursive: true, force: true });
    if (done()) return () => {};
    if (Date.now() > deadline) throw new Error(`timed out waiting for another run holding ${path}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
