/**
 * Child processes of the suite: each benchmark script, server, floor and load generator runs in its
 * own process (its own group, so a timeout ends it and whatever it started, by its id).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** `node --import tsx <file>`: TypeScript from source, like `pnpm exec tsx`. */
export function nodeArgs(file: string, args: string[] = [], flags: string[] = []): string[] {
  return [...flags, "--import", "tsx", file, ...args];
}

/** Every child still running: ended (by its group id) if the suite is interrupted. */
const live = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of live) killGroup(child);
    process.exit(130);
  });
}

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL") {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export interface RunOptions {
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  /** Prefix for the lines echoed to stderr while it runs (progress); none echoes nothing. */
  echo?: string;
}

/** Runs a script to completion; resolves with its stdout, rejects on a non-zero exit or a timeout. */
export function runScript(file: string, args: string[], options: RunOptions): Promise<string> {
  return runCommand(process.execPath, nodeArgs(file, args), options);
}

export function runCommand(command: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    track(child);
    let stdout = "";
    let stderr = "";
    const echo = (chunk: string) => {
      if (!options.echo) return;
      for (const line of chunk.split("\n"))
        if (line.trim()) process.stderr.write(`  [${options.echo}] ${line}\n`);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      echo(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      echo(chunk);
    });
    const timer = setTimeout(() => {
      killGroup(child);
      reject(
        new Error(
          `${args.join(" ")}: timed out after ${options.timeoutMs / 1000} s\n${tail(stderr || stdout)}`,
        ),
      );
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      killGroup(child); // anything it left behind in its group
      if (code === 0) resolve(stdout);
      else reject(new Error(`${args.join(" ")}: exit ${code ?? signal}\n${tail(stderr || stdout)}`));
    });
  });
}

const tail = (text: string) => text.trim().split("\n").slice(-15).join("\n");

/** A long-running child that reports over IPC (a server, a floor). */
export interface Child<M> {
  pid: number;
  /** The next message satisfying `match` (or the first one already received). */
  message(match?: (m: M) => boolean, timeoutMs?: number): Promise<M>;
  send(message: unknown): void;
  stop(): Promise<void>;
  /** Current resident set size, from /proc (Linux), in bytes. */
  rss(): number;
  /** CPU time used so far (user + system), from /proc (Linux), in milliseconds. */
  cpuMs(): number;
}

export function startChild<M>(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  /** Node flags, e.g. `--cpu-prof` to see what bounds a server. */
  flags: string[] = [],
): Child<M> {
  const child = spawn(process.execPath, nodeArgs(file, args, flags), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: true,
  });
  track(child);
  const received: M[] = [];
  const waiters: Array<{ match: (m: M) => boolean; resolve: (m: M) => void }> = [];
  let exited: string | null = null;
  const failures: Array<(error: Error) => void> = [];
  child.on("message", (m: M) => {
    const waiter = waiters.find((w) => w.match(m));
    if (waiter) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(m);
    } else received.push(m);
  });
  child.on("exit", (code, signal) => {
    exited = `exited (${code ?? signal})`;
    for (const fail of failures) fail(new Error(`${file}: ${exited}`));
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    message(match = () => true, timeoutMs = 120_000) {
      const found = received.find(match);
      if (found) {
        received.splice(received.indexOf(found), 1);
        return Promise.resolve(found);
      }
      if (exited) return Promise.reject(new Error(`${file}: ${exited}`));
      return new Promise<M>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${file}: no message in ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        failures.push(reject);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    send(message) {
      child.send?.(message as never);
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
    cpuMs() {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return Number.NaN;
      }
    },
    rss() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        return kb * 1024;
      } catch {
        return Number.NaN;
      }
    },
  };
}
