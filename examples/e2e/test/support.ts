import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "@relink/server/testing";
import type { Page } from "playwright-core";

export { freePort } from "@relink/server/testing";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const SCREENSHOTS = join(ROOT, "docs/screenshots/demo");

export interface RunningDemo {
  appUrl: string;
  relinkUrl: string;
  hrisUrl: string;
  apiKey: string;
  integrationId: string;
  output: () => string;
  stop(): Promise<void>;
}

/** `pnpm demo` as a child process, on free ports, with a pause window of seconds. */
export async function startDemo(env: Record<string, string>): Promise<RunningDemo> {
  const [relinkPort, hrisPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "relink-e2e-"));
  const child: ChildProcess = spawn(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/demo.ts")], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(relinkPort),
      DEMO_HRIS_PORT: String(hrisPort),
      CUSTOMER_APP_PORT: String(appPort),
      RELINK_DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, "relink.db")}`,
      LOG_LEVEL: "error",
      // The widget is built by this project's global setup; the dashboard is not needed here.
      RELINK_DEMO_SKIP_BUILDS: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  // The demo starts several servers (tsx compiles each): seconds when quiet, minutes under load.
  const deadline = Date.now() + 180_000;
  while (!output.includes("Press Ctrl+C to stop.")) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const grab = (pattern: RegExp) => {
    const found = pattern.exec(output)?.[1];
    if (!found) throw new Error(`not in the demo's output: ${pattern}\n${output}`);
    return found;
  };
  return {
    appUrl: `http://127.0.0.1:${appPort}`,
    relinkUrl: `http://127.0.0.1:${relinkPort}`,
    hrisUrl: `http://127.0.0.1:${hrisPort}`,
    apiKey: grab(/API key\s+(rlk_\w+)/),
    integrationId: grab(/integration\s+(int_\w+)/),
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 10_000))]);
      if (code === "timeout") child.kill("SIGKILL");
    },
  };
}

/** Writes `docs/screenshots/demo/<name>.png` when RELINK_WRITE_SCREENSHOTS=1 (not in CI: the tree stays clean). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.RELINK_WRITE_SCREENSHOTS !== "1") return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
