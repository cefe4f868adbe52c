import { join } from "node:path";
import type { Tool } from "@relink/sdk";
import { ConfigError, createRelinkServer, createWorkspace, loadConfig } from "@relink/server";
import { describe, expect, it } from "vitest";

const MODULE = join(import.meta.dirname, "../src/relink-connectors.ts");

/** `GET /v1/tools` of a server started from this environment, as `relink-server serve` starts. */
async function toolsOf(env: Record<string, string>): Promise<Tool[]> {
  const full = {
    DATABASE_URL: "sqlite::memory:",
    RELINK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
    LOG_LEVEL: "silent",
    RELINK_TOOLS: "bamboohr",
    ...env,
  };
  const relink = await createRelinkServer({ config: loadConfig(full), env: full });
  try {
    const { apiKey } = await createWorkspace(relink.ctx, "Staffbook");
    const response = await relink.app.request("/v1/tools", {
      headers: { authorization: `Bearer ${apiKey.key}` },
    });
    return ((await response.json()) as { data: Tool[] }).data;
  } finally {
    await relink.close();
  }
}

/** The connector as a module a standalone server loads: no code of the server's own to write. */
describe("Staffbook through RELINK_CONNECTOR_MODULES", () => {
  it("a server started with RELINK_CONNECTOR_MODULES naming the module and STAFFBOOK_URL lists Staffbook before the catalog's tools", async () => {
    const tools = await toolsOf({ RELINK_CONNECTOR_MODULES: MODULE, STAFFBOOK_URL: "http://staffbook.test" });
    expect(tools.map((t) => t.id)).toEqual(["staffbook", "bamboohr"]);
  });

  it("a server started without STAFFBOOK_URL stops with the module's message, naming the module", async () => {
    const error = await toolsOf({ RELINK_CONNECTOR_MODULES: MODULE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`RELINK_CONNECTOR_MODULES: ${MODULE}: STAFFBOOK_URL is not set`);
  });
});
