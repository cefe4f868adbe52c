import { DEMO_HRIS_CONNECTOR_MODULE, demoHrisServerEnv } from "@relink/demo-hris/connectors";
import type { ToolListItem } from "@relink/sdk/contract";
import { ConfigError, createRelinkServer, createWorkspace, loadConfig } from "@relink/server";
import { describe, expect, it } from "vitest";

/** `GET /v1/tools` of a server started with this environment, as `relink-server serve` would be. */
async function toolsOf(env: Record<string, string>): Promise<ToolListItem[]> {
  const full = {
    DATABASE_URL: "sqlite::memory:",
    RELINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    LOG_LEVEL: "silent",
    RELINK_TOOLS: "bamboohr",
    ...env,
  };
  const server = await createRelinkServer({ config: loadConfig(full), env: full });
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

describe("the demo's connector module (@relink/demo-hris/connectors)", () => {
  it("registers demo-hris and demo-hris-oauth, before the catalog's tools, when RELINK_CONNECTOR_MODULES names it and RELINK_DEMO_HRIS_URL is set", async () => {
    const tools = await toolsOf(demoHrisServerEnv("http://127.0.0.1:9/"));
    expect(tools.map((t) => t.id)).toEqual(["demo-hris", "demo-hris-oauth", "bamboohr"]);
  });

  it("stops the start when it is named but RELINK_DEMO_HRIS_URL is not set explicitly (there is no default address)", async () => {
    const error = await toolsOf({ RELINK_CONNECTOR_MODULES: DEMO_HRIS_CONNECTOR_MODULE }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "RELINK_CONNECTOR_MODULES: @relink/demo-hris/connectors: RELINK_DEMO_HRIS_URL is not set: set it to the demo HR system's base URL (e.g. http://127.0.0.1:8790)",
    );
  });

  it("stops the start when RELINK_DEMO_HRIS_URL is not an http(s) URL", async () => {
    const error = await toolsOf(demoHrisServerEnv("ftp://hris.example")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      'RELINK_DEMO_HRIS_URL: "ftp://hris.example" must be an http(s) URL',
    );
  });
});
