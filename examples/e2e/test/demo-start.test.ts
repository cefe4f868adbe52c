/**
 * `pnpm start` as a user runs it in a terminal (issue 15, items 24 and 25): Ctrl+C stops it
 * cleanly, and the first start's builds say what they build and how long it took.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, ROOT, until } from "./support.ts";

describe("pnpm start in a terminal", () => {
  it("Ctrl+C stops it cleanly: exit code 0, no “Command failed with exit code 130”", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relink-start-"));
    // A new process group, like a terminal's foreground job: Ctrl+C signals every process in it.
    const child = spawn("pnpm", ["start"], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        PORT: String(await freePort()),
        DEMO_HRIS_PORT: String(await freePort()),
        CUSTOMER_APP_PORT: String(await freePort()),
        RELINK_DATA_DIR: dir,
        DATABASE_URL: `sqlite:${join(dir, "relink.db")}`,
        RELINK_DEMO_SKIP_BUILDS: "1",
        LOG_LEVEL: "error",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      await until("the demo to start", async () => output.includes("Press Ctrl+C to stop."), 90_000);
      process.kill(-(child.pid as number), "SIGINT");
      const code = await exited;
      expect({ code, failed: /Command failed|exit code 130/.test(output) }).toEqual({
        code: 0,
        failed: false,
      });
      expect(output).toContain("Stopped.");
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  });

  it("says what the first start builds, with progress and the time each build took", async () => {
    const { runBuilds } = await import(join(ROOT, "scripts/demo-builds.ts"));
    const dir = mkdtempSync(join(tmpdir(), "relink-builds-"));
    const lines: string[] = [];
    const slow = `setTimeout(() => require("fs").writeFileSync(${JSON.stringify(join(dir, "a.js"))}, ""), 1500)`;
    const ok = await runBuilds({
      builds: [
        { name: "the widget", output: join(dir, "a.js"), command: [process.execPath, "-e", slow] },
        { name: "the dashboard", output: join(ROOT, "package.json"), command: [process.execPath, "-e", ""] },
      ],
      cwd: ROOT,
      log: (line: string) => lines.push(line),
      tickMs: 400,
    });
    expect(ok).toBe(true);
    expect(lines[0]).toMatch(/^Building the widget \(1 of 1; first start only\)…$/);
    // While it runs: still building, with the time so far.
    expect(lines.some((l) => /^ {2}… still building the widget \(\d+ s\)$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^ {2}the widget built in \d+\.\d s$/);
    expect(lines.join("\n")).not.toContain("the dashboard");
    expect(readFileSync(join(dir, "a.js"), "utf8")).toBe("");
  });

  it("a failed build says so, with its output, and the demo goes on", async () => {
    const { runBuilds } = await import(join(ROOT, "scripts/demo-builds.ts"));
    const lines: string[] = [];
    const ok = await runBuilds({
      builds: [
        {
          name: "the widget",
          output: join(tmpdir(), "relink-never-built.js"),
          command: [process.execPath, "-e", "console.error('vite: boom'); process.exit(2)"],
          retry: "pnpm --filter @relink/widget build",
        },
      ],
      cwd: ROOT,
      log: (line: string) => lines.push(line),
      tickMs: 400,
    });
    expect(ok).toBe(false);
    const said = lines.join("\n");
    expect(said).toContain("vite: boom");
    expect(said).toMatch(
      /the widget build failed after \d+\.\d s: run `pnpm --filter @relink\/widget build`/,
    );
  });
});
