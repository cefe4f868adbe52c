import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
];

let installedIn: string | undefined;

/** Set by `setup.ts` before each test file. */
export function useConsumerProject(dir: string): void {
  installedIn = dir;
}

/** The project outside the workspace where npm installed the packed tarballs. */
export function consumerDir(): string {
  if (!installedIn) throw new Error("no consumer project: test/setup.ts must run first (vitest setupFiles)");
  return installedIn;
}

/** A fresh folder inside the consumer project (so its `node_modules` resolve), for one test's files. */
export function workDir(name: string): string {
  return mkdtempSync(join(consumerDir(), `run-${name}-`));
}

export interface PackedServer {
  url: string;
  apiKey: string;
  workspaceId: string;
  output: () => string;
  /** Management API call with the workspace's API key. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The packed server as a self-hoster runs it: `npx relink-server init --json`, then
 * `npx relink-server serve` in the consumer project (the Docker image runs the same binary), on a
 * free port, SQLite in a temporary folder.
 */
export async function startPackedServer(
  env: Record<string, string> = {},
  /** The command and arguments before `init`/`serve`; default `npx --no-install relink-server`. */
  command: string[] = ["npx", "--no-install", "relink-server"],
): Promise<PackedServer> {
  const dir = consumerDir();
  const data = workDir("server-data");
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: "0",
    RELINK_DATA_DIR: data,
    DATABASE_URL: `sqlite:${join(data, "relink.db")}`,
    LOG_LEVEL: "info",
    ...env,
  };
  delete fullEnv.RELINK_PUBLIC_URL;
  delete fullEnv.npm_config_prefix;
  const { stdout } = await run(command[0]!, [...command.slice(1), "init", "--json"], {
    cwd: dir,
    env: fullEnv,
  });
  const { workspace_id: workspaceId, api_key: apiKey } = JSON.parse(stdout) as {
    workspace_id: string;
    api_key: string;
  };
  const child: ChildProcess = spawn(command[0]!, [...command.slice(1), "serve"], {
    cwd: dir,
    env: fullEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await until("the packed server to listen", async () => {
    if (child.exitCode !== null) throw new ServerExited(`relink-server exited:\n${output}`);
    for (const line of output.split("\n")) {
      if (line.includes("relink is listening")) return (JSON.parse(line) as { url: string }).url;
    }
    return undefined;
  });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url,
    apiKey,
    workspaceId,
    output: () => output,
    api,
    async stop() {
      // npx runs the server as its child: stop the process group it leads.
      if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
    },
  };
}

/** Serves a folder's files (a production build) on a free port of 127.0.0.1. */
export async function serveStatic(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const { readFile } = await import("node:fs/promises");
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
  };
  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      const ext = file.slice(file.lastIndexOf("."));
      response.writeHead(200, { "content-type": types[ext] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

class ServerExited extends Error {}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof ServerExited) throw error;
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
