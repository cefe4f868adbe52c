import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { type Integration, RelinkClient } from "@relink/sdk";
import { availableDialects, createTestDatabase, freePort, waitFor } from "@relink/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CustomerStore,
  type RunningCustomerBackend,
  type StoredEmployees,
  startCustomerBackend,
} from "../src/index.ts";

/**
 * The example product's own sync (`pnpm --filter @relink/example-customer-backend sync`, issue 17)
 * black-box, every part its own process talking HTTP: the demo HR system, a relink server on each
 * database, and the sync command. A healthy integration's sync session hands out credentials the
 * command syncs the demo HR employees with (what the product stored is what the HR system holds,
 * within the scope); on a revoked key relink refuses the session, the command shows the refusal,
 * the stored data stays, and the streak opens. The product's backend (`POST /api/sync`) does the
 * same for its signed-in customer and asks the customer to reconnect on a refusal.
 */

const ROOT = resolve(import.meta.dirname, "../../..");
const EXAMPLE = resolve(import.meta.dirname, "..");

interface Run {
  code: number | null;
  output: string;
}

/** A TypeScript entry point as its own process (`node --import tsx`), from `cwd`. */
function run(cwd: string, script: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<Run>((r) => child.once("exit", (code) => r({ code, output })));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ready(url: string, process: ReturnType<typeof run>) {
  await waitFor(
    `${url} to answer`,
    async () => {
      if (process.child.exitCode !== null) throw new Error(`exited early:\n${process.output()}`);
      return (await fetch(url).catch(() => null))?.ok === true;
    },
    { timeoutMs: 120_000, intervalMs: 100, describe: () => process.output() },
  );
}

describe.each(availableDialects())("the product's own sync through a session (%s)", (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), "relink-own-sync-"));
  const employeesFile = join(dir, "employees.json");
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let hris: ReturnType<typeof run>;
  let relinkServer: ReturnType<typeof run>;
  let hrisUrl: string;
  let relinkUrl: string;
  let relink: RelinkClient;
  let syncKey: string;
  let toolKey: string;
  let integration: Integration;
  let backend: RunningCustomerBackend;
  let cookie: string;

  const sync = () =>
    run(EXAMPLE, "src/sync-main.ts", [], {
      RELINK_URL: relinkUrl,
      RELINK_SYNC_API_KEY: syncKey,
      RELINK_INTEGRATION_ID: integration.id,
      DEMO_HRIS_URL: hrisUrl,
      EMPLOYEES_FILE: employeesFile,
    }).exited;
  const stored = () => JSON.parse(readFileSync(employeesFile, "utf8")) as StoredEmployees[];

  beforeAll(async () => {
    const hrisPort = await freePort();
    hrisUrl = `http://127.0.0.1:${hrisPort}`;
    hris = run(ROOT, "examples/demo-hris/src/main.ts", [], { PORT: String(hrisPort) });
    await ready(`${hrisUrl}/health`, hris);

    let databaseUrl = `sqlite:${join(dir, "relink.db")}`;
    if (dialect === "postgres") {
      database = await createTestDatabase("postgres");
      databaseUrl = database.url;
    }
    const relinkPort = await freePort();
    relinkUrl = `http://127.0.0.1:${relinkPort}`;
    const env = {
      DATABASE_URL: databaseUrl,
      RELINK_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...demoHrisServerEnv(hrisUrl),
      RELINK_PUBLIC_URL: relinkUrl,
      HOST: "127.0.0.1",
      PORT: String(relinkPort),
    };
    const init = await run(ROOT, "packages/server/src/cli.ts", ["init", "--json"], env).exited;
    expect(init.code, init.output).toBe(0);
    const { api_key, workspace_id } = JSON.parse(init.output.trim().split("\n").at(-1)!) as {
      api_key: string;
      workspace_id: string;
    };
    relinkServer = run(ROOT, "packages/server/src/cli.ts", ["serve"], env);
    await ready(`${relinkUrl}/readyz`, relinkServer);

    relink = new RelinkClient({ baseUrl: relinkUrl, apiKey: api_key });
    // The product keeps names and roles, not personal data: the scope leaves those fields out.
    await relink.scopeConfigs.create({
      name: "Employees",
      category: "HRIS",
      is_default: true,
      models: {
        employees: { setting: "ENABLED", fields: { date_of_birth: "DISABLED", home_address: "DISABLED" } },
      },
    });
    // The product's sync service gets a key that can only open sync sessions.
    syncKey = (await relink.apiKeys.create({ name: "product sync", scopes: ["credentials:read"] })).key;

    // The customer's key reads personal data too: the product must still keep only what the scope enables.
    const issued = await fetch(`${hrisUrl}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        company_id: "acme",
        permissions: ["employees:read", "employees.personal:read"],
      }),
    });
    toolKey = ((await issued.json()) as { key: string }).key;
    integration = await relink.integrations.create({
      tool: "demo-hris",
      end_user: { origin_id: "acme", organization_name: "Acme Corp" },
      credentials: { api_key: toolKey },
    });

    // The product's backend, with its own sync through sync sessions, and the customer signed in.
    const signingKey = await relink.signingKeys.create({ algorithm: "HS256" });
    backend = await startCustomerBackend({
      port: 0,
      relink: {
        url: relinkUrl,
        apiKey: api_key,
        workspaceId: workspace_id,
        signingKey: { id: signingKey.id, secret: signingKey.secret },
        webhookSecret: `whsec_${randomBytes(24).toString("base64")}`,
      },
      customers: new CustomerStore([
        { id: "acme", name: "Acme Corp", tool: "demo-hris", integrationId: integration.id },
      ]),
      ownSync: { apiKey: syncKey, hrisUrl },
    });
    const signIn = await fetch(`${backend.url}/api/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customer_id: "acme" }),
    });
    expect(signIn.status).toBe(200);
    cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  });
  const product = (method: string, path: string) =>
    fetch(`${backend.url}${path}`, { method, headers: { cookie } });

  afterAll(async () => {
    await backend?.close();
    await relinkServer?.stop();
    await hris?.stop();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a healthy integration: the session's credentials sync the demo HR employees into the product's storage", async () => {
    const result = await sync();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(
      new RegExp(`${integration.id}: synced \\d+ employees \\(relink sync sync_`),
    );

    // What the HR system holds, read with the customer's key: the product got the same, minus
    // the fields its scope leaves out.
    const hrisEmployees = (
      (await (
        await fetch(`${hrisUrl}/api/employees?limit=500`, {
          headers: { authorization: `Bearer ${toolKey}` },
        })
      ).json()) as { data: Array<{ id: string } & Record<string, unknown>> }
    ).data;
    expect(hrisEmployees.length).toBeGreaterThan(0);
    expect(hrisEmployees[0]).toHaveProperty("date_of_birth");
    const [kept] = stored();
    expect(kept?.integration_id).toBe(integration.id);
    expect(kept?.session_id).toMatch(/^ss_/);
    expect(kept?.granted_permissions).toEqual(["employees:read", "employees.personal:read"]);
    expect(kept?.employees).toEqual(
      hrisEmployees.map(({ id, date_of_birth: _dob, home_address: _home, ...work }) => ({
        remote_id: id,
        fields: work,
      })),
    );

    // relink recorded the product's sync (trigger EXTERNAL) and who took the credentials.
    const after = await relink.integrations.get(integration.id);
    expect(after.last_sync).toMatchObject({
      trigger: "EXTERNAL",
      sync_state: "SUCCEEDED",
      records: { employees: hrisEmployees.length },
    });
    const sessions = await relink.integrations.syncSessions(integration.id);
    const keys = await relink.apiKeys.list();
    expect(sessions.data[0]).toMatchObject({
      id: kept?.session_id,
      status: "FINISHED",
      outcome: "SUCCEEDED",
      sync_id: after.last_sync?.id,
      api_key_id: keys.data.find((k) => k.name === "product sync")?.id,
    });
    expect(after.auth).toMatchObject({ status: "OK", failing_since: null });
  });

  it("the product's backend syncs its signed-in customer the same way (POST /api/sync)", async () => {
    expect((await fetch(`${backend.url}/api/sync`, { method: "POST" })).status).toBe(401);
    const synced = await product("POST", "/api/sync");
    expect(synced.status).toBe(200);
    const [fromCommand] = stored();
    expect(await synced.json()).toMatchObject({ status: "SYNCED", employees: fromCommand?.employees.length });
    const kept = (await (await product("GET", "/api/employees")).json()) as StoredEmployees;
    expect(kept.employees).toEqual(fromCommand?.employees);
    expect(kept.session_id).not.toBe(fromCommand?.session_id);
  });

  it("a revoked key: relink refuses the session, the product shows why and keeps its data, and the streak opens", async () => {
    const before = readFileSync(employeesFile, "utf8");
    const syncsBefore = (await relink.integrations.syncs(integration.id)).data.length;
    expect((await fetch(`${hrisUrl}/admin/api-keys/${toolKey}`, { method: "DELETE" })).status).toBe(204);

    const result = await sync();
    expect(result.code, result.output).toBe(3);
    const after = await relink.integrations.get(integration.id);
    expect(after.state).toBe("ACTIVE");
    expect(after.auth).toMatchObject({ status: "FAILING", failed_checks: 1 });
    expect(after.auth.failing_since).not.toBeNull();
    expect(after.auth.pauses_at).not.toBeNull();
    expect(result.output).toContain(
      `${integration.id}: not synced: AUTHENTICATION_FAILED. The HR system rejects the credentials since ${after.auth.failing_since}: ask the customer to reconnect before ${after.auth.pauses_at}, when syncing pauses.`,
    );
    expect(result.output).not.toContain(toolKey);

    // Nothing ran: the product's data is as the last good sync left it, and no sync was recorded.
    expect(readFileSync(employeesFile, "utf8")).toBe(before);
    expect((await relink.integrations.syncs(integration.id)).data.length).toBe(syncsBefore);
    const checks = await relink.integrations.authChecks(integration.id, { limit: 1 });
    expect(checks.data[0]).toMatchObject({ outcome: "AUTH_FAILED", trigger: "SESSION" });
  });

  it("the product's backend shows a refusal: 409 with the reason, the customer asked to reconnect before the pause", async () => {
    const before = (await (await product("GET", "/api/employees")).json()) as StoredEmployees;
    const refused = await product("POST", "/api/sync");
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as {
      status: string;
      code: string;
      message: string;
      pauses_at: string;
    };
    const { auth } = await relink.integrations.get(integration.id);
    expect(body).toMatchObject({
      status: "REFUSED",
      code: "AUTHENTICATION_FAILED",
      pauses_at: auth.pauses_at,
    });
    expect(body.message).toContain("ask the customer to reconnect");
    expect(JSON.stringify(body)).not.toContain(toolKey);
    expect(backend.customers.get("acme")?.reconnect).toEqual({
      reasons: ["AUTH_FAILING"],
      since: auth.failing_since,
      pausesAt: auth.pauses_at,
    });
    const me = (await (await product("GET", "/api/me")).json()) as { reconnect: { reasons: string[] } };
    expect(me.reconnect.reasons).toEqual(["AUTH_FAILING"]);
    // What the product held before the refusal is still there.
    expect(await (await product("GET", "/api/employees")).json()).toEqual(before);
  });
});
