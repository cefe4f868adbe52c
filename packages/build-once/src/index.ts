import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { build } from "vite";

/**
 * Builds a Vite project into `outDir` when the output is missing or was built from other inputs,
 * and does nothing otherwise. Safe when several processes ask at once (test projects' global
 * setups, two `vitest` runs): one builds under a lock while the others wait, and the build goes
 * to a temporary folder that replaces `outDir` by rename, so nobody reads a half-written build.
 */
export interface BuildOnceOptions {
  /** The Vite project's folder. */
  root: string;
  /** Its Vite config file. */
  configFile: string;
  /** Where the build belongs (absolute), e.g. `<root>/dist`. */
  outDir: string;
  /** Files and folders whose contents the build depends on (folders are read recursively). */
  inputs: string[];
  /** How long to wait for another process's build before giving up; default 10 minutes. */
  waitMs?: number;
}

/** The file in `outDir` that records which inputs it was built from. */
export const STAMP_FILE = ".build-stamp";

/** A lock older than this is left over from a process that died mid-build. */
const STALE_LOCK_MS = 5 * 60_000;

export async function buildOnce(options: BuildOnceOptions): Promise<{ built: boolean }> {
  const fingerprint = await fingerprintOf(options.root, options.inputs);
  if (await isCurrent(options.outDir, fingerprint)) return { built: false };

  const lock = `${options.outDir}.lock`;
  const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
  while (!(await tryLock(lock))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for another build of ${options.outDir}`);
    await new Promise((r) => setTimeout(r, 100));
    // The other process may have just built exactly this.
    if (await isCurrent(options.outDir, fingerprint)) return { built: false };
  }
  try {
    if (await isCurrent(options.outDir, fingerprint)) return { built: false };
    const suffix = `${process.pid}-${randomBytes(4).toString("hex")}`;
    const temporary = `${options.outDir}.tmp-${suffix}`;
    try {
      await build({
        root: options.root,
        configFile: options.configFile,
        logLevel: "warn",
        build: { outDir: temporary, emptyOutDir: true },
      });
      await writeFile(join(temporary, STAMP_FILE), `${fingerprint}\n`);
      const previous = `${options.outDir}.old-${suffix}`;
      const hadPrevious = existsSync(options.outDir);
      if (hadPrevious) await rename(options.outDir, previous);
      await rename(temporary, options.outDir);
      if (hadPrevious) await rm(previous, { recursive: true, force: true });
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
    return { built: true };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Whether `outDir` holds a complete build of exactly these inputs. */
async function isCurrent(outDir: string, fingerprint: string): Promise<boolean> {
  const stamp = await readFile(join(outDir, STAMP_FILE), "utf8").catch(() => null);
  return stamp?.trim() === fingerprint;
}

/** `mkdir` is atomic: whoever creates the folder holds the lock. A dead holder's lock is taken over. */
async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    await writeFile(join(lock, "owner"), `${process.pid}\n`);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = Number.parseInt(await readFile(join(lock, "owner"), "utf8").catch(() => ""), 10);
  const age = await stat(lock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  if ((Number.isInteger(owner) && owner > 0 && !isAlive(owner)) || age > STALE_LOCK_MS) {
    await rm(lock, { recursive: true, force: true });
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SHA-256 over the inputs' relative paths and contents, in a stable order. */
async function fingerprintOf(root: string, inputs: string[]): Promise<string> {
  const hash = createHash("sha256");
  const files: string[] = [];
  for (const input of inputs) files.push(...(await filesUnder(input)));
  for (const file of [...new Set(files)].sort()) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(await readFile(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (info === null) return [];
  if (info.isFile()) return [path];
  if (!info.isDirectory() || basename(path) === "node_modules") return [];
  const found: string[] = [];
  for (const entry of await readdir(path)) found.push(...(await filesUnder(join(path, entry))));
  return found;
}
