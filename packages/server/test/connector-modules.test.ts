import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { ToolListItem } from "@relink/sdk/contract";
import { afterAll, describe, expect, it } from "vitest";
import { createRelinkServer } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { generateEncryptionKey } from "../src/secrets.ts";

const dir = mkdtempSync(join(tmpdir(), "relink-connector-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A module of plain JavaScript, as a self-hoster writes one, whose tool ids come from `env.MY_TOOLS`. */
const FACTORY = `
export default function connectors({ env, clock }) {
  return (env.MY_TOOLS ?? "").split(",").filter(Boolean).map((id) => ({
    tool: {
      id,
      name: id + " (" + (typeof clock.now().getTime() === "number" ? "clock" : "no clock") + ")",
      category: "HRIS",
      logo_url: null,
      auth: { method: "API_KEY", fields: [{ id: "api_key", label: "API key", type: "secret", required: true, help: null, placeholder: null }] },
      models: [],
      permissions: [],
    },
    async checkAuth() { return { outcome: "OK" }; },
    async grantedPermissions() { return []; },
    async accountIdentity() { return { id: "acme" }; },
  }));
}
`;

function moduleFile(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** `GET /v1/tools` of a server started with this environment (the modules read the same one). */
async function toolsOf(env: Record<string, string>): Promise<ToolListItem[]> {
  const config = loadConfig({
    DATABASE_URL: "sqlite::memory:",
    RELINK_ENCRYPTION_KEY: generateEncryptionKey(),
    LOG_LEVEL: "silent",
    // One catalog tool, to see where the modules' tools go (unset, every ready catalog tool would be listed).
    RELINK_TOOLS: "bamboohr",
    ...env,
  });
  const server = await createRelinkServer({ config, env });
  try {
    const { apiKey } = await createWorkspace(server.ctx);
    const response = await server.app.request("/v1/tools", {
      headers: { authorization: `Bearer ${apiKey.key}` },
    });
    return ((await response.json()) as { data: ToolListItem[] }).data;
  } finally {
    await server.close();
  }
}

async function startError(env: Record<string, string>): Promise<unknown> {
  return toolsOf(env).then(
    () => new Error("the server started"),
    (error: unknown) => error,
  );
}

describe("RELINK_CONNECTOR_MODULES: coded connectors a standalone server loads at start", () => {
  it("registers the connectors a module's default export returns, given the environment, before the catalog's", async () => {
    const file = moduleFile("hr.mjs", FACTORY);
    const tools = await toolsOf({
      RELINK_CONNECTOR_MODULES: file,
      MY_TOOLS: "staffbook,peoplebase",
    });
    expect(tools.map((t) => t.id)).toEqual(["staffbook", "peoplebase", "bamboohr"]);
    expect(tools[0]?.name).toBe("staffbook (clock)");
  });

  it("loads several modules in order, a path relative to the working directory among them", async () => {
    const first = moduleFile("first.mjs", FACTORY.replace("env.MY_TOOLS", "env.FIRST_TOOLS"));
    const second = moduleFile("second.mjs", FACTORY.replace("env.MY_TOOLS", "env.SECOND_TOOLS"));
    const relativePath = `./${relative(process.cwd(), second)}`;
    const tools = await toolsOf({
      RELINK_CONNECTOR_MODULES: `${first}, ${relativePath}`,
      FIRST_TOOLS: "one",
      SECOND_TOOLS: "two,three",
    });
    expect(tools.map((t) => t.id)).toEqual(["one", "two", "three", "bamboohr"]);
  });

  it("registers nothing when the variable is unset", async () => {
    expect(loadConfig({}).connectorModules).toEqual([]);
    expect((await toolsOf({ MY_TOOLS: "staffbook" })).map((t) => t.id)).toEqual(["bamboohr"]);
  });

  it("stops the start naming a module that cannot be loaded", async () => {
    const error = await startError({ RELINK_CONNECTOR_MODULES: "relink-no-such-connectors" });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^RELINK_CONNECTOR_MODULES: relink-no-such-connectors: cannot be loaded: /,
    );
  });

  it("stops the start naming a module whose default export is not a function", async () => {
    const file = moduleFile("no-default.mjs", "export const connectors = [];\n");
    const error = await startError({ RELINK_CONNECTOR_MODULES: file });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `RELINK_CONNECTOR_MODULES: ${file}: has no default export that is a function returning connectors`,
    );
  });

  it("stops the start with the module's own message when its default export throws", async () => {
    const file = moduleFile(
      "throws.mjs",
      'export default function () { throw new Error("STAFFBOOK_URL is not set"); }\n',
    );
    const error = await startError({ RELINK_CONNECTOR_MODULES: file });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`RELINK_CONNECTOR_MODULES: ${file}: STAFFBOOK_URL is not set`);
  });

  it("stops the start when a module returns something other than connectors", async () => {
    const file = moduleFile("not-connectors.mjs", 'export default async () => [{ id: "staffbook" }];\n');
    const error = await startError({ RELINK_CONNECTOR_MODULES: file });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("did not return an array of connectors");
  });
});
