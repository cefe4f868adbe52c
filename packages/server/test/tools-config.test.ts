import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ToolListItem } from "@relink/sdk/contract";
import { afterAll, describe, expect, it } from "vitest";
import { createRelinkServer } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { generateEncryptionKey } from "../src/secrets.ts";

const dir = mkdtempSync(join(tmpdir(), "relink-tools-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY = generateEncryptionKey();
const CATALOG_IDS = [
  "bamboohr",
  "deel",
  "factorial",
  "google-workspace",
  "gusto",
  "hibob",
  "microsoft-entra",
  "personio",
  "rippling",
];

/** `GET /v1/tools` of a server started with this environment. */
async function toolsOf(env: Record<string, string>): Promise<ToolListItem[]> {
  const config = loadConfig({
    DATABASE_URL: "sqlite::memory:",
    RELINK_ENCRYPTION_KEY: KEY,
    LOG_LEVEL: "silent",
    ...env,
  });
  const server = await createRelinkServer({ config });
  try {
    const { apiKey } = await createWorkspace(server.ctx);
    const response = await server.app.request("/v1/tools", {
      headers: { authorization: `Bearer ${apiKey.key}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: ToolListItem[] }).data;
  } finally {
    await server.close();
  }
}

const summary = (tools: ToolListItem[]) =>
  Object.fromEntries(tools.map((t) => [t.id, t.ready ? "ready" : t.missing]));

describe("catalog tools from the configuration", () => {
  it("RELINK_TOOLS with the settings of three OAuth tools: those ready, the others listing what they lack", async () => {
    const file = join(dir, "tools.json");
    writeFileSync(
      file,
      JSON.stringify({ "google-workspace": { client_id: "g-id", client_secret: "g-secret" } }),
    );
    const tools = await toolsOf({
      RELINK_TOOLS: "gusto,google-workspace,microsoft-entra,bamboohr,personio",
      RELINK_TOOL_GUSTO_CLIENT_ID: "gusto-id",
      RELINK_TOOL_GUSTO_CLIENT_SECRET: "gusto-secret",
      RELINK_TOOLS_FILE: file,
      RELINK_TOOL_MICROSOFT_ENTRA_CLIENT_ID: "ms-id",
    });
    expect(summary(tools)).toEqual({
      bamboohr: "ready",
      personio: "ready",
      gusto: "ready",
      "google-workspace": "ready",
      "microsoft-entra": ["RELINK_TOOL_MICROSOFT_ENTRA_CLIENT_SECRET"],
    });
    // Ready tools first; a tool's settings never appear in what the API says of it.
    expect(tools.at(-1)?.id).toBe("microsoft-entra");
    const said = JSON.stringify(tools);
    for (const secret of ["gusto-secret", "g-secret", "gusto-id", "ms-id"])
      expect(said).not.toContain(secret);
  });

  it("RELINK_TOOLS unset: every catalog tool, the OAuth ones without a client listing both variables", async () => {
    const tools = await toolsOf({ RELINK_TOOL_GUSTO_CLIENT_ID: "id", RELINK_TOOL_GUSTO_CLIENT_SECRET: "s" });
    expect(tools.map((t) => t.id).sort()).toEqual(CATALOG_IDS);
    const s = summary(tools);
    expect(s.gusto).toBe("ready");
    expect(s.bamboohr).toBe("ready");
    expect(s["google-workspace"]).toEqual([
      "RELINK_TOOL_GOOGLE_WORKSPACE_CLIENT_ID",
      "RELINK_TOOL_GOOGLE_WORKSPACE_CLIENT_SECRET",
    ]);
  });

  it("refuses an unknown tool in RELINK_TOOLS, naming the catalog", async () => {
    await expect(toolsOf({ RELINK_TOOLS: "bamboohr,workdayy" })).rejects.toThrow(
      /RELINK_TOOLS: no catalog tool "workdayy"; the catalog has bamboohr, /,
    );
    expect(() => loadConfig({ RELINK_TOOLS: "Bad Id" })).toThrow(ConfigError);
  });

  it("refuses a tools file that is not an object of client settings", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ gusto: { client_id: 42 } }));
    expect(() => loadConfig({ RELINK_TOOLS_FILE: file })).toThrow(
      `RELINK_TOOLS_FILE: ${file}: "gusto" must be`,
    );
    expect(() => loadConfig({ RELINK_TOOLS_FILE: join(dir, "absent.json") })).toThrow(/RELINK_TOOLS_FILE: /);
  });
});

describe("the demo HR system's tools", () => {
  it("are not registered by a server started without RELINK_DEMO_HRIS_URL", async () => {
    const ids = (await toolsOf({})).map((t) => t.id);
    expect(ids).not.toContain("demo-hris");
    expect(ids).not.toContain("demo-hris-oauth");
  });

  it("are not registered by the server on RELINK_DEMO_HRIS_URL alone: their code lives with the demo, loaded only through RELINK_CONNECTOR_MODULES", async () => {
    const ids = (await toolsOf({ RELINK_DEMO_HRIS_URL: "http://127.0.0.1:9" })).map((t) => t.id);
    expect(ids).not.toContain("demo-hris");
    expect(ids).not.toContain("demo-hris-oauth");
  });
});
