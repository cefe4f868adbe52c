import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { mintConnectToken } from "@relink/sdk/server";
import { afterAll, describe, expect, it } from "vitest";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

const root = resolve(import.meta.dirname, "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const cli = join(root, "packages/server/src/cli.ts");
const run = promisify(execFile);

/** Waits for the server's "relink is listening" log line and returns the URL it names. */
async function listeningUrl(child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 90_000; // tsx compiles the CLI first: a minute or more under load
  while (Date.now() < deadline) {
    for (const line of output().split("\n")) {
      if (!line.includes("relink is listening")) continue;
      return (JSON.parse(line) as { url: string }).url;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not start:\n${output()}`);
}

describe.each(availableDialects())("relink-server serve with PORT=0 on %s", (dialect) => {
  const children: ChildProcess[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    for (const cleanup of cleanups) await cleanup();
  });

  it("advertises the port it bound in the OpenAPI servers, magic links and OAuth redirects", async () => {
    const hris = await startDemoHris({ port: 0 });
    cleanups.push(() => hris.close());
    const dir = mkdtempSync(join(tmpdir(), "relink-port0-"));
    let databaseUrl = `sqlite:${join(dir, "relink.db")}`;
    if (dialect === "postgres") {
      const database = await createTestDatabase(dialect);
      cleanups.push(() => database.close());
      databaseUrl = database.url;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      RELINK_DATA_DIR: dir,
      ...demoHrisServerEnv(hris.url),
      LOG_LEVEL: "info",
      HOST: "127.0.0.1",
      PORT: "0",
    };
    delete env.RELINK_PUBLIC_URL;
    const { stdout } = await run(tsx, [cli, "init", "--json"], { env });
    const { workspace_id: workspaceId, api_key: apiKey } = JSON.parse(stdout) as {
      workspace_id: string;
      api_key: string;
    };

    const child = spawn(tsx, [cli, "serve"], { env });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    const url = await listeningUrl(child, () => output);
    const port = Number(new URL(url).port);
    expect(port).toBeGreaterThan(0);
    const api = async (method: string, path: string, body?: unknown, auth = apiKey) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${auth}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      expect(r.ok, `${method} ${path}: ${text}`).toBe(true);
      return JSON.parse(text);
    };

    const openapi = await api("GET", "/openapi.json");
    expect(openapi.servers).toEqual([{ url }]);

    const issued = await (
      await fetch(`${hris.url}/admin/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"] }),
      })
    ).json();
    const integration = await api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: "acme", organization_name: "Acme" },
      credentials: { api_key: issued.key },
    });
    const link = await api("POST", `/v1/integrations/${integration.id}/relink`, { link_type: "MAGIC_LINK" });
    expect(link.link.startsWith(`${url}/link#token=`), link.link).toBe(true);

    const key = await api("POST", "/v1/signing-keys", { algorithm: "HS256" });
    const token = await mintConnectToken({
      workspaceId,
      key: { id: key.id, secret: key.secret },
      endUser: { originId: "globex", organizationName: "Globex" },
      tool: "demo-hris-oauth",
    });
    const started = await api("POST", "/connect/v1/oauth/start", { origin: url }, token);
    expect(new URL(started.authorize_url).searchParams.get("redirect_uri")).toBe(
      `${url}/connect/v1/oauth/callback`,
    );

    child.kill("SIGTERM");
    expect(await new Promise((r) => child.once("exit", r))).toBe(0);
  }, 120_000);
});
