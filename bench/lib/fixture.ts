/**
 * One seeded SQLite database per size for the whole run (seeded once in a child process), and
 * relink started on it in its own process.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintRelinkToken } from "../../packages/sdk/src/server/index.ts";
import { type Child, runScript, startChild } from "./proc.ts";
import type { Fixture } from "./relink-process.ts";

const entry = join(import.meta.dirname, "relink-process.ts");
let dir: string | null = null;
const workdir = () => {
  dir ??= mkdtempSync(join(tmpdir(), "relink-bench-"));
  return dir;
};
/** The run's encryption key: what the seeded databases seal opens with it (the servers get it too). */
export const encryptionKey = randomBytes(32).toString("base64");
const seeded = new Map<number, Promise<Seeded>>();

export interface Seeded extends Fixture {
  file: string;
}

/** The database with `count` integrations (seeded on first use). */
export function seededDatabase(count: number): Promise<Seeded> {
  let found = seeded.get(count);
  if (!found) {
    const file = join(workdir(), `relink-${count}.db`);
    found = runScript(entry, ["seed", file, String(count)], {
      timeoutMs: 300_000,
      env: { RELINK_ENCRYPTION_KEY: encryptionKey },
    }).then((out) => ({ ...(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Fixture), file }));
    seeded.set(count, found);
  }
  return found;
}

export interface RunningRelink {
  child: Child<{ url: string }>;
  url: string;
  fixture: Seeded;
  /** A relink flow token (SDK-minted, offline) for the fixture's integration, to the wider scope. */
  token(): Promise<string>;
}

export async function startRelink(
  count: number,
  allowedOrigin?: string,
  flags: string[] = [],
): Promise<RunningRelink> {
  const fixture = await seededDatabase(count);
  const child = startChild<{ url: string }>(
    entry,
    ["serve", fixture.file, ...(allowedOrigin ? [allowedOrigin] : [])],
    {
      RELINK_ENCRYPTION_KEY: encryptionKey,
    },
    flags,
  );
  const { url } = await child.message((m) => Boolean(m.url), 60_000);
  return {
    child,
    url,
    fixture,
    token: () =>
      mintRelinkToken({
        workspaceId: fixture.workspaceId,
        integrationId: fixture.integrationId,
        scopeConfigId: fixture.targetScopeConfigId,
        expiresIn: "1h",
        key: fixture.signingKey,
      }),
  };
}

export function removeFixtures(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
  seeded.clear();
}
