import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../src/testing/index.ts";
import { freePort } from "../src/testing/ports.ts";

const root = resolve(import.meta.dirname, "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const cli = join(root, "packages/server/src/cli.ts");
const run = promisify(execFile);
/**
 * Each CLI call starts a fresh tsx process that compiles the server: about 2 s on a quiet
 * machine, several times that on a busy one. The tests get room for it.
 */
const CLI_TEST_TIMEOUT_MS = 120_000;

describe("relink-server CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "relink-cli-"));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${join(dir, "relink.db")}`,
    RELINK_DATA_DIR: dir,
    LOG_LEVEL: "warn",
  };
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  it(
    "init --json prints the workspace id and API key alone; migrate is idempotent",
    async () => {
      const { stdout } = await run(tsx, [cli, "init", "--json"], { env });
      const created = JSON.parse(stdout);
      expect(Object.keys(created).sort()).toEqual(["api_key", "workspace_id"]);
      expect(created.workspace_id).toMatch(/^ws_/);
      expect(created.api_key).toMatch(/^rlk_/);
      const migrate = await run(tsx, [cli, "migrate"], { env });
      expect(migrate.stdout).toContain("up to date");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "init without --json shows a usable curl line, never a URL with port 0 when PORT=0",
    async () => {
      const { stdout } = await run(tsx, [cli, "init"], { env: { ...env, PORT: "0" } });
      expect(stdout).toMatch(/API key \(shown once, store it now\): rlk_/);
      expect(stdout).not.toContain(":0/");
      expect(stdout).toContain("<the URL `relink-server serve` prints>/v1/tools");
      const fixed = await run(tsx, [cli, "init"], { env: { ...env, PORT: "9123" } });
      expect(fixed.stdout).toContain("http://127.0.0.1:9123/v1/tools");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "refuses bad configuration with a message naming the variable",
    async () => {
      const failure = await run(tsx, [cli, "serve"], {
        env: { ...env, RELINK_PAUSE_AFTER: "three days" },
      }).catch((e) => e);
      expect(failure.code).toBe(78);
      expect(failure.stderr).toContain('RELINK_PAUSE_AFTER: "three days" is not a duration');
      const usage = await run(tsx, [cli, "frobnicate"], { env }).catch((e) => e);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("Usage:");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it("pnpm start serves /healthz, /openapi.json and /v1/tools with the printed API key", async () => {
    const [port, hrisPort] = [await freePort(), await freePort()];
    const child = spawn(tsx, [join(root, "scripts/start.ts")], {
      cwd: dir,
      env: {
        ...env,
        PORT: String(port),
        DEMO_HRIS_PORT: String(hrisPort),
        CUSTOMER_APP_PORT: "0",
        RELINK_DEMO_SKIP_BUILDS: "1",
        DATABASE_URL: `sqlite:${join(dir, "start.db")}`,
      },
    });
    children.push(child);
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    let exited: number | null = null;
    child.once("exit", (code) => {
      exited = code;
    });
    const apiKey = await waitFor(
      "pnpm start to print the API key",
      () => {
        if (exited !== null) throw new Error(`pnpm start exited with ${exited}: ${output}`);
        return /API key\s+(rlk_\w+)/.exec(output)?.[1];
      },
      { timeoutMs: 90_000, intervalMs: 100, describe: () => output },
    );
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await (await fetch(`${base}/openapi.json`)).json()).openapi).toBe("3.1.0");
    const tools = await (
      await fetch(`${base}/v1/tools`, { headers: { authorization: `Bearer ${apiKey}` } })
    ).json();
    // The demo's tools (RELINK_DEMO_HRIS_URL is set by the demo), then the catalog's: ready ones, then
    // the OAuth ones, which lack a client id and secret.
    const ids = tools.data.map((t: { id: string }) => t.id);
    expect(ids.slice(0, 2)).toEqual(["demo-hris", "demo-hris-oauth"]);
    expect(ids).toEqual(expect.arrayContaining(["bamboohr", "personio", "gusto"]));
    expect(tools.data.find((t: { id: string }) => t.id === "gusto")).toMatchObject({ ready: false });
    const code = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    expect(await code).toBe(0);
  }, 180_000);
});
