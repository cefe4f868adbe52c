/**
 * The builds the demo needs once (the widget served at /widget/relink-widget.js, the dashboard at
 * /dashboard): on a first start they take half a minute, so each says what it builds, keeps saying
 * it is still at it, and how long it took. A failed build shows its output; the demo goes on.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export interface DemoBuild {
  /** What the user reads: "the widget". */
  name: string;
  /** The file the build makes; present = nothing to do. */
  output: string;
  /** The command and its arguments. */
  command: string[];
  /** The command to suggest when it fails (default: the command). */
  retry?: string;
}

export interface RunBuildsOptions {
  builds: DemoBuild[];
  cwd: string;
  log?: (line: string) => void;
  /** How often to say a build is still running (default 5 s). */
  tickMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the builds whose output is missing, one after the other; false when one failed. */
export async function runBuilds(options: RunBuildsOptions): Promise<boolean> {
  const log = options.log ?? ((line: string) => console.log(line));
  const missing = options.builds.filter((build) => !existsSync(build.output));
  let ok = true;
  for (const [index, build] of missing.entries()) {
    log(`Building ${build.name} (${index + 1} of ${missing.length}; first start only)…`);
    const started = Date.now();
    const ticker = setInterval(
      () => log(`  … still building ${build.name} (${Math.round((Date.now() - started) / 1000)} s)`),
      options.tickMs ?? 5_000,
    );
    const [command, ...args] = build.command;
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      let output = "";
      const child = spawn(command as string, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (d) => {
        output += d;
      });
      child.stderr.on("data", (d) => {
        output += d;
      });
      child.once("error", (error) => resolve({ code: null, output: `${output}${error.message}\n` }));
      child.once("close", (code) => resolve({ code, output }));
    });
    clearInterval(ticker);
    const took = seconds(Date.now() - started);
    if (result.code === 0) {
      log(`  ${build.name} built in ${took}`);
    } else {
      ok = false;
      log(result.output.trimEnd());
      log(`  ${build.name} build failed after ${took}: run \`${build.retry ?? build.command.join(" ")}\`.`);
    }
  }
  return ok;
}
