import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { generateEncryptionKey } from "@relink/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const SNIPPETS = join(import.meta.dirname, "../snippets");
/** Debian's Python, where `python3-jwt` is installed (a pyenv `python3` on the PATH may lack it). */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
/** Debian's golang-jwt (v4) in GOPATH mode: `golang-github-golang-jwt-jwt-dev`. */
const GOPATH = "/usr/share/gocode";

/**
 * A tool missing from this machine: CI installs it (`.ci/run`), so there the test fails and says
 * what to install; elsewhere it is skipped, visibly.
 */
async function missing(probe: () => Promise<unknown>, what: string): Promise<string | null> {
  try {
    await probe();
    return null;
  } catch {
    if (process.env.CI) throw new Error(`${what} is required in CI (.ci/run installs it)`);
    return `${what} is not installed here`;
  }
}

/**
 * docs/flow-tokens.md's Python and Go examples, run as programs, mint tokens that a running
 * server accepts: the format is a contract any JWT library can follow.
 */
describe("flow tokens minted in other languages from docs/flow-tokens.md", () => {
  let server: RunningServer;
  let closeHris: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  let integrationId: string;

  const flowWith = async (token: string) => {
    const response = await fetch(`${server.url}/connect/v1/flow`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const hris = await startDemoHris({ port: 0 });
    closeHris = () => hris.close();
    server = await startServer({
      extraConnectors: demoHrisConnectors(hris.url),
      config: defineConfig({
        port: 0,
        databaseUrl: "sqlite::memory:",
        encryptionKey: generateEncryptionKey(),
        runWorkers: false,
        logLevel: "silent",
      }),
    });
    const { workspaceId, apiKey } = await createWorkspace(server.relink.ctx, "Other languages");
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const key = await api<{ id: string; secret: string }>("POST", "/v1/signing-keys", { algorithm: "HS256" });
    const hrisKey = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
    }).then((r) => r.json() as Promise<{ key: string }>);
    integrationId = (
      await api<{ id: string }>("POST", "/v1/integrations", {
        tool: "demo-hris",
        end_user: { origin_id: "org_42", organization_name: "Acme Corp" },
        credentials: { api_key: hrisKey.key },
      })
    ).id;
    env = {
      ...process.env,
      RELINK_WORKSPACE_ID: workspaceId,
      RELINK_SIGNING_KEY_ID: key.id,
      RELINK_SIGNING_SECRET: key.secret,
      RELINK_INTEGRATION_ID: integrationId,
    };
  });
  afterAll(async () => {
    await server?.close();
    await closeHris?.();
  });

  it("Python (PyJWT): the documented relink token is accepted by GET /connect/v1/flow", async (context) => {
    const skip = await missing(
      () => run(PYTHON, ["-c", "import jwt"]),
      "Python 3 with PyJWT (apt: python3-jwt)",
    );
    if (skip) return context.skip(skip);
    const { stdout } = await run(PYTHON, [join(SNIPPETS, "flow_token.py")], { env });
    const token = stdout.trim();
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
    expect(header).toEqual({ alg: "HS256", typ: "relink-flow+jwt", kid: env.RELINK_SIGNING_KEY_ID });
    const { status, body } = await flowWith(token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ flow: "relink", integration_id: integrationId });
  });

  it("Go (golang-jwt): the documented connect token is accepted by GET /connect/v1/flow", async (context) => {
    const goEnv = {
      ...env,
      GOPATH,
      GO111MODULE: "off",
      GOFLAGS: "",
      GOCACHE: mkdtempSync(join(tmpdir(), "relink-gocache-")),
    };
    const skip = await missing(
      () => run("go", ["list", "github.com/golang-jwt/jwt"], { env: goEnv }),
      "Go with golang-jwt (apt: golang-go golang-github-golang-jwt-jwt-dev)",
    );
    if (skip) return context.skip(skip);
    const { stdout } = await run("go", ["run", join(SNIPPETS, "flow_token.go")], { env: goEnv });
    const { status, body } = await flowWith(stdout.trim());
    expect(status).toBe(200);
    expect(body).toMatchObject({ flow: "connect", integration_id: null, end_user: { origin_id: "org_42" } });
  });
});
