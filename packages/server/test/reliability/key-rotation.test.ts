import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { mintRelinkToken } from "@relink/sdk/server";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { createDatabase, migrateToLatest } from "../../src/db/connect.ts";
import { reencryptAll } from "../../src/domain/reencrypt.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { generateEncryptionKey, SecretBox } from "../../src/secrets.ts";
import {
  createTestDatabase,
  createTestRelink,
  postgresAdminUrl,
  scriptedConnector,
} from "../../src/testing/index.ts";
import { startReceiver, validSignatures } from "../webhook-receiver.ts";
import { checkInvariants } from "./invariants.ts";
import { cleanupStack, ROOT, report, type ServerProcess, serverProcess, sleep, waitFor } from "./support.ts";

/**
 * Issue 11 item 5: encryption key rotation without downtime. Two replicas (PostgreSQL when the
 * test server runs, else one on SQLite) are restarted one at a time onto the new key with the old
 * one as previous, `relink-server rotate-encryption-key` re-seals every sealed column while they
 * serve, and afterwards the old key can be dropped: every credential, signing secret, webhook
 * secret and OAuth state still opens. Traffic runs throughout and must see no error.
 */

const run = promisify(execFile);
const cleanup = cleanupStack();
afterAll(() => cleanup.run());

describe("encryption key rotation", () => {
  it("re-seals every sealed column while the servers keep serving", async () => {
    const pgAvailable = postgresAdminUrl() !== null;
    let databaseUrl: string;
    if (pgAvailable) {
      const database = await createTestDatabase("postgres");
      await database.db.destroy().catch(() => {});
      cleanup.add(() => database.close());
      databaseUrl = database.url;
    } else {
      const dir = mkdtempSync(join(tmpdir(), "relink-rel-rotate-"));
      cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
      databaseUrl = `sqlite:${join(dir, "relink.db")}`;
    }
    const oldKey = generateEncryptionKey();
    const newKey = generateEncryptionKey();
    const logDir = mkdtempSync(join(tmpdir(), "relink-rel-rotate-logs-"));
    cleanup.add(() => rmSync(logDir, { recursive: true, force: true }));
    const database = createDatabase(databaseUrl);
    cleanup.add(() => database.close());
    await migrateToLatest(database.db);
    const { apiKey, workspaceId } = await createWorkspace(
      { db: database.db, clock: systemClock },
      "Rotation",
    );
    const hris = await startDemoHris({ port: 0 });
    cleanup.add(() => hris.close());
    const receiver = await startReceiver();
    cleanup.add(() => receiver.close());

    const base = {
      DATABASE_URL: databaseUrl,
      ...demoHrisServerEnv(hris.url),
      RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
      RELINK_WEBHOOK_TICK: "50ms",
      RELINK_SYNC_INTERVAL: "1h",
    };
    const replicas = pgAvailable ? 2 : 1;
    const servers: ServerProcess[] = [];
    // Replicas being restarted: like a load balancer, the traffic leaves them first.
    const draining = new Set<ServerProcess>();
    const withKeys = (current: string, previous: string | null) => ({
      ...base,
      RELINK_ENCRYPTION_KEY: current,
      ...(previous ? { RELINK_PREVIOUS_ENCRYPTION_KEYS: previous } : {}),
    });
    for (let i = 0; i < replicas; i++) {
      const s = await serverProcess(`rotate-${i}`, withKeys(oldKey, null), logDir);
      cleanup.add(() => s.kill());
      servers.push(s);
      await s.start();
    }
    /** Requests sent to each replica and not answered yet: a replica is stopped once it has none. */
    const inFlight = new Map<ServerProcess, number>();
    const call = async (method: string, path: string, body?: unknown, bearer = apiKey.key) => {
      const live = servers.filter((s) => s.alive() && !draining.has(s));
      const server = live[Math.floor(Math.random() * live.length)];
      if (!server) throw new Error("no replica up");
      inFlight.set(server, (inFlight.get(server) ?? 0) + 1);
      try {
        const response = await fetch(server.url + path, {
          method,
          headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return {
          status: response.status,
          body: (await response.json().catch(() => null)) as Record<string, unknown>,
        };
      } finally {
        inFlight.set(server, (inFlight.get(server) ?? 1) - 1);
      }
    };

    // Something sealed in every column: credentials, an HS256 signing secret, a webhook secret
    // (and a previous one, by rotating it).
    const integrations: string[] = [];
    for (let i = 0; i < 12; i++) {
      const key = (await (
        await fetch(`${hris.url}/admin/api-keys`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ company_id: "acme", permissions: ["employees:read", "teams:read"] }),
        })
      ).json()) as { key: string };
      const created = await call("POST", "/v1/integrations", {
        tool: "demo-hris",
        end_user: { origin_id: `o${i}`, organization_name: `Org ${i}` },
        credentials: { api_key: key.key },
      });
      expect(created.status).toBe(201);
      integrations.push(created.body.id as string);
    }
    const signingKey = await call("POST", "/v1/signing-keys", { algorithm: "HS256" });
    expect(signingKey.status).toBe(201);
    const endpoint = await call("POST", "/v1/webhook-endpoints", { url: receiver.url });
    expect(endpoint.status).toBe(201);
    const rotated = await call("POST", `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`, {});
    expect(rotated.status).toBeLessThan(300);
    const webhookSecret = (rotated.body.secret ?? endpoint.body.secret) as string;

    // Traffic that opens sealed values on every request, from start to end.
    let stop = false;
    let requests = 0;
    const errors: string[] = [];
    const traffic = (async () => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const id = integrations[i % integrations.length] as string;
        const token = await mintRelinkToken({
          integrationId: id,
          key: { id: signingKey.body.id as string, secret: signingKey.body.secret as string },
          workspaceId,
          expiresIn: 600,
        });
        for (const [method, path, bearer] of [
          ["POST", `/v1/integrations/${id}/check-auth`, undefined],
          ["GET", "/connect/v1/flow", token],
        ] as const) {
          try {
            const r = await call(method, path, undefined, bearer);
            requests++;
            if (r.status >= 300) errors.push(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
          } catch (error) {
            // A replica being restarted: a load balancer would not route to it.
            if (servers.some((s) => s.alive() && !draining.has(s)))
              errors.push(`${method} ${path}: ${(error as Error).message}`);
          }
        }
      }
    })();

    // Rolling restart onto the new key (old key still opens), then the re-encryption, live.
    const rolling = async (current: string, previous: string | null) => {
      for (const [i, s] of servers.entries()) {
        draining.add(s);
        // Requests already sent to it finish (a fixed 200 ms was not enough on a busy machine).
        await waitFor("the draining replica's requests to finish", () => (inFlight.get(s) ?? 0) === 0);
        await s.stop();
        const next = await serverProcess(
          `rotate-${i}-b${Math.random().toString(36).slice(2, 6)}`,
          withKeys(current, previous),
          logDir,
        );
        cleanup.add(() => next.kill());
        await next.start();
        servers[i] = next;
        await sleep(300);
      }
    };
    await sleep(500);
    await rolling(newKey, oldKey);
    const cli = await run(
      process.execPath,
      ["--import", "tsx", "packages/server/src/cli.ts", "rotate-encryption-key", "--batch-size", "5"],
      { cwd: ROOT, env: { ...process.env, ...withKeys(newKey, oldKey) } },
    );
    const result = JSON.parse(cli.stdout.trim().split("\n").pop() ?? "{}") as {
      resealed: Record<string, number>;
      failed: unknown[];
    };
    expect(result.failed).toEqual([]);
    expect(result.resealed["integrations.credentials_sealed"]).toBe(integrations.length);
    expect(result.resealed["signing_keys.secret_sealed"]).toBeGreaterThanOrEqual(1);
    expect(result.resealed["webhook_endpoints.secret_sealed"]).toBe(1);
    expect(result.resealed["webhook_endpoints.previous_secret_sealed"]).toBe(1);

    // Nothing is left on the old key; a second run has nothing to do.
    const newBox = new SecretBox(newKey);
    const after = await checkInvariants(database.db, { secrets: newBox });
    expect(after.violations).toEqual([]);
    const again = await run(
      process.execPath,
      ["--import", "tsx", "packages/server/src/cli.ts", "reencrypt"],
      {
        cwd: ROOT,
        env: { ...process.env, ...withKeys(newKey, oldKey) },
      },
    );
    expect(Object.values(JSON.parse(again.stdout.trim()).resealed).every((n) => n === 0)).toBe(true);

    // The old key can go: replicas restarted with the new key alone still open everything.
    await rolling(newKey, null);
    await sleep(500);
    stop = true;
    await traffic;
    expect(errors).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    const before = receiver.received.length;
    const test = await call("POST", `/v1/webhook-endpoints/${endpoint.body.id}/test`, {});
    expect(test.status).toBeLessThan(300);
    await waitFor("the test webhook", () => receiver.received.length > before, { intervalMs: 50 });
    const last = receiver.received.at(-1);
    expect(last && (await validSignatures(webhookSecret, last)).some(Boolean)).toBe(true);
    for (const s of servers) await s.stop();
    report("secrets/key-rotation", { replicas, note: `${requests} requests during the rotation, 0 errors` });
  }, 600_000);
});

describe("re-encryption during an auth check", () => {
  it("a check running while its credentials are re-sealed is not refused as a concurrent relink", async () => {
    const oldKey = generateEncryptionKey();
    const newKey = generateEncryptionKey();
    const tool = scriptedConnector("scripted");
    tool.setKey("k1");
    const t = await createTestRelink({
      connectors: [tool.connector],
      config: { encryptionKey: newKey, previousEncryptionKeys: [oldKey] },
    });
    try {
      const created = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "o1", organization_name: "Org" },
          credentials: { api_key: "k1" },
        },
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      // As if sealed before the rotation began: under the old key.
      await t.database.db
        .updateTable("integrations")
        .set({ credentials_sealed: new SecretBox(oldKey).sealJson({ api_key: "k1" }, id) })
        .where("id", "=", id)
        .execute();
      const release = tool.block();
      const checksBefore = tool.calls.checkAuth;
      const checking = t.request("POST", `/v1/integrations/${id}/check-auth`);
      // Until the check is inside the tool call, holding the credentials it opened.
      await waitFor("the auth check under way", () => tool.calls.checkAuth > checksBefore, { intervalMs: 5 });
      const moved = await reencryptAll({ db: t.database.db, secrets: t.server.ctx.secrets });
      expect(moved.resealed["integrations.credentials_sealed"]).toBe(1);
      release();
      const answer = await checking;
      expect(answer.status, await answer.clone().text()).toBe(200);
    } finally {
      await t.close();
    }
  });
});
