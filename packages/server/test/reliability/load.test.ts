import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { createDatabase, migrateToLatest } from "../../src/db/connect.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { generateEncryptionKey } from "../../src/secrets.ts";
import { cleanupStack, report, scale, serverProcess, sleep } from "./support.ts";

/**
 * Issue 11 item 7: the management API and the connect API under sustained load from a separate
 * process (quick: ~20 s; full: 3 minutes) against a `relink-server serve` process with its
 * scheduler running: no error at all, and memory flat (RSS at the end against RSS after warm-up).
 */

const run = promisify(execFile);
const cleanup = cleanupStack();
afterAll(() => cleanup.run());

const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

describe("sustained load", () => {
  it("answers every request, memory flat", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relink-rel-load-"));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = `sqlite:${join(dir, "relink.db")}`;
    const database = createDatabase(databaseUrl);
    cleanup.add(() => database.close());
    await migrateToLatest(database.db);
    const { apiKey } = await createWorkspace({ db: database.db, clock: systemClock }, "Load");
    const hris = await startDemoHris({ port: 0 });
    cleanup.add(() => hris.close());
    const server = await serverProcess(
      "load",
      {
        DATABASE_URL: databaseUrl,
        RELINK_ENCRYPTION_KEY: generateEncryptionKey(),
        ...demoHrisServerEnv(hris.url),
        RELINK_SYNC_INTERVAL: "2s",
        LOG_LEVEL: "warn",
      },
      dir,
    );
    cleanup.add(() => server.kill());
    await server.start();
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(r.status, `${path}: ${await r.clone().text()}`).toBeLessThan(300);
      return r.json();
    };
    await api("POST", "/v1/scope-configs", {
      name: "Teams",
      category: "HRIS",
      is_default: true,
      models: { teams: { setting: "ENABLED" } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const key = await (
        await fetch(`${hris.url}/admin/api-keys`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
        })
      ).json();
      const created = await api("POST", "/v1/integrations", {
        tool: "demo-hris",
        end_user: { origin_id: `o${i}`, organization_name: `Org ${i}` },
        credentials: { api_key: key.key },
      });
      ids.push(created.id);
    }
    const tokens = await Promise.all(
      ids
        .slice(0, 5)
        .map(async (id) => (await api("POST", `/v1/integrations/${id}/relink`, {})).token as string),
    );
    const targets = [
      ...ids.map((id) => ({ url: `${server.url}/v1/integrations/${id}`, token: apiKey.key })),
      { url: `${server.url}/v1/integrations?limit=20`, token: apiKey.key },
      { url: `${server.url}/v1/events?limit=50`, token: apiKey.key },
      { url: `${server.url}/v1/tools`, token: apiKey.key },
      { url: `${server.url}/v1/scope-configs`, token: apiKey.key },
      { url: `${server.url}/v1/integrations/${ids[0]}/syncs`, token: apiKey.key },
      ...tokens.map((token) => ({ url: `${server.url}/connect/v1/flow`, token })),
      ...tokens.map((token) => ({ url: `${server.url}/connect/v1/tools`, token })),
    ];
    const seconds = scale(20, 180);
    // At least 50 a second on a quiet machine; on a busy one the load lasts until that many were
    // sent (memory is judged over the requests, not the seconds).
    const minRequests = seconds * 50;
    const pid = server.pid() ?? 0;
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; sampling && i < 10_000; i++) {
        samples.push(rssMb(pid));
        await sleep(500);
      }
    })();
    const loadStarted = Date.now();
    const load = run(
      process.execPath,
      [
        join(import.meta.dirname, "load-client.mjs"),
        JSON.stringify({ targets, seconds, minRequests, concurrency: 16 }),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const { stdout } = await load;
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    sampling = false;
    await sampler;
    const result = JSON.parse(stdout.trim()) as {
      requests: number;
      statuses: Record<string, number>;
      errors: string[];
    };
    expect(result.errors).toEqual([]);
    expect(result.requests).toBeGreaterThanOrEqual(minRequests);
    // Warm-up: the first quarter. Flat: the last quarter's median within 25% (+40 MB of noise) of it.
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const warm = median(samples.slice(quarter, 2 * quarter));
    const end = median(samples.slice(-quarter));
    expect(end, `RSS ${warm.toFixed(0)} MB after warm-up, ${end.toFixed(0)} MB at the end`).toBeLessThan(
      warm * 1.25 + 40,
    );
    expect(server.alive()).toBe(true);
    await server.stop();
    report("load", {
      note: `${result.requests} requests in ${loadSeconds.toFixed(0)}s (${Math.round(result.requests / loadSeconds)}/s), 0 errors, RSS ${warm.toFixed(0)}→${end.toFixed(0)} MB`,
    });
  }, 400_000);
});
