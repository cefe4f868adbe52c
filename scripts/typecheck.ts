/**
 * `pnpm typecheck`: the whole workspace (root tsconfig: sources, tests, scripts, examples, with
 * both DOM and Node types) and each package on its own tsconfig with the lib it really has.
 * Runs the checks side by side, as many at once as the machine has cores, prints each one's
 * result as it ends, and fails with the compiler's output of every check that failed.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

/** Folder and tsconfig of each check; the largest first so that the others fill the other cores. */
const CHECKS: ReadonlyArray<readonly [folder: string, project: string]> = [
  [".", "tsconfig.json"],
  ["packages/server", "tsconfig.json"],
  ["examples/demo-hris", "tsconfig.json"],
  ["packages/dashboard", "tsconfig.json"],
  ["packages/widget", "tsconfig.json"],
  ["packages/sdk", "tsconfig.json"],
  ["packages/connectors", "tsconfig.json"],
  ["packages/dashboard", "tsconfig.node.json"],
  ["packages/widget", "tsconfig.node.json"],
];

interface Outcome {
  name: string;
  ok: boolean;
  output: string;
}

function check(folder: string, project: string): Promise<Outcome> {
  const name = join(folder, project);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, "-p", project, "--noEmit"], {
      cwd: join(root, folder),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("close", (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`typecheck: ${name} ${code === 0 ? "ok" : "FAILED"} (${seconds} s)`);
      resolve({ name, ok: code === 0, output });
    });
  });
}

const queue = [...CHECKS];
const outcomes: Outcome[] = [];
const slots = Math.max(1, Math.min(availableParallelism(), queue.length));
console.log(`typecheck: ${queue.length} checks, ${slots} at a time`);
await Promise.all(
  Array.from({ length: slots }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await check(...next));
  }),
);

const failed = outcomes.filter((outcome) => !outcome.ok);
for (const outcome of failed) console.error(`\n== ${outcome.name}\n${outcome.output.trim()}`);
if (failed.length > 0) {
  console.error(`\ntypecheck: ${failed.length} of ${outcomes.length} checks failed (their errors above)`);
  process.exit(1);
}
