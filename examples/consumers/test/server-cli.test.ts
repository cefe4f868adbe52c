import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestDatabase } from "@relink/server/testing";
import { describe, expect, it } from "vitest";
import { consumerDir, startPackedServer } from "./support.ts";

const ROOT = join(import.meta.dirname, "../../..");

/** The image's command: ENTRYPOINT and CMD of the Dockerfile's last stage, and its ENV. */
function imageCommand(): { command: string[]; args: string[]; env: Record<string, string>; workdir: string } {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const json = (instruction: string) => {
    const line = lastStage.split("\n").find((l) => l.startsWith(`${instruction} [`));
    if (!line) throw new Error(`the Dockerfile's last stage has no ${instruction} in exec form`);
    return JSON.parse(line.slice(instruction.length + 1)) as string[];
  };
  const env: Record<string, string> = {};
  const envLine = lastStage.split("\n").find((l) => l.startsWith("ENV "));
  for (const [, name, value] of envLine?.matchAll(/([A-Z_]+)=(\S+)/g) ?? []) env[name!] = value!;
  const workdir = lastStage
    .split("\n")
    .find((l) => l.startsWith("WORKDIR "))
    ?.slice("WORKDIR ".length)
    .trim();
  return { command: json("ENTRYPOINT"), args: json("CMD"), env, workdir: workdir ?? "/" };
}

/** compose.yaml's environment for the relink service, `${VAR:-default}` resolved to its default. */
function composeEnvironment(): Record<string, string> {
  const compose = readFileSync(join(ROOT, "compose.yaml"), "utf8");
  const relink = compose.slice(compose.indexOf("\n  relink:"));
  const block = relink.slice(relink.indexOf("environment:"), relink.indexOf("ports:"));
  const env: Record<string, string> = {};
  for (const [, name, value] of block.matchAll(/^\s+([A-Z_]+):\s*(.+)$/gm)) env[name!] = value!.trim();
  return env;
}

describe("the packed @relink/server, run as a self-hoster runs it", () => {
  it("npx relink-server serve from the installed tarball serves the API, the versioned widget, the dashboard and /healthz", async () => {
    const server = await startPackedServer();
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await server.api<{ data: unknown[] }>("GET", "/v1/integrations")).data).toEqual([]);
      const version = JSON.parse(
        readFileSync(join(consumerDir(), "node_modules/@relink/widget/package.json"), "utf8"),
      ).version;
      const widget = await fetch(`${server.url}/widget/v${version}/relink-widget.js`);
      expect(widget.status).toBe(200);
      expect(widget.headers.get("cache-control")).toContain("immutable");
      expect(await widget.text()).toContain("relink-connect");
      const dashboard = await fetch(`${server.url}/dashboard/`);
      expect(dashboard.status).toBe(200);
      // The app itself, not only its page: the build kept the module that defines the elements.
      expect(await dashboard.text()).toMatch(
        /<script type="module"[^>]* src="\/dashboard\/assets\/[^"]+\.js"/,
      );
    } finally {
      await server.stop();
    }
  });

  it("the Dockerfile's runtime command runs from the packed install, and compose.yaml's environment gives relink on PostgreSQL", async (context) => {
    const image = imageCommand();
    expect(image.workdir).toBe("/app");
    expect(image.args).toEqual(["serve"]);
    // The image installs the tarballs into /app exactly as the consumer project is installed.
    const command = image.command.map((part) => part.replace(/^\/app(?=\/)/, consumerDir()));
    expect(command).toEqual([join(consumerDir(), "node_modules/.bin/relink-server")]);

    const compose = composeEnvironment();
    expect(Object.keys(compose).sort()).toEqual([
      "DATABASE_URL",
      "LOG_LEVEL",
      "RELINK_ENCRYPTION_KEY",
      "RELINK_PUBLIC_URL",
    ]);
    expect(compose.DATABASE_URL).toMatch(
      /^postgres:\/\/relink:\$\{POSTGRES_PASSWORD\}@postgres:5432\/relink$/,
    );
    if (!process.env.RELINK_TEST_POSTGRES_URL) {
      if (process.env.CI) throw new Error("RELINK_TEST_POSTGRES_URL is required in CI");
      context.skip("set RELINK_TEST_POSTGRES_URL to run relink on PostgreSQL from the image's command");
    }
    const database = await createTestDatabase("postgres");
    const server = await startPackedServer(
      {
        ...image.env,
        HOST: "127.0.0.1", // the image listens on every interface; the test on loopback
        PORT: "0",
        DATABASE_URL: database.url,
        RELINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
        LOG_LEVEL: compose.LOG_LEVEL!,
      },
      command,
    );
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      // `init` and `serve` worked on this PostgreSQL database: the workspace is there.
      const workspaces = await database.db.selectFrom("workspaces").select("id").execute();
      expect(workspaces.map((w) => w.id)).toEqual([server.workspaceId]);
      expect((await server.api<{ data: unknown[] }>("GET", "/v1/integrations")).data).toEqual([]);
    } finally {
      await server.stop();
      await database.close();
    }
  });
});
