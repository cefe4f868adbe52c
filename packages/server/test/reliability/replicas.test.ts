import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoHrisConnectors, demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { mintConnectToken, mintRelinkToken } from "@relink/sdk/server";
import { afterAll, describe, expect, it } from "vitest";
import { createRelinkServer } from "../../src/app.ts";
import { createIntegration } from "../../src/domain/lifecycle.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { createLogger } from "../../src/logging.ts";
import { generateEncryptionKey } from "../../src/secrets.ts";
import { createTestDatabase, postgresAdminUrl } from "../../src/testing/index.ts";
import { checkInvariants } from "./invariants.ts";
import {
  type AuditRow,
  checkSlots,
  checkTransitions,
  type EventView,
  installAudit,
  ownerPid,
  readAudit,
  readDeliveryAudit,
  type SyncRunView,
} from "./replicas-audit.ts";
import {
  cleanupStack,
  type LoadTarget,
  report,
  runLoadClient,
  type ServerProcess,
  scale,
  serverProcess,
  startHelper,
  waitFor,
} from "./support.ts";

/**
 * Issue 11 item 1: three real `relink-server serve` processes on one PostgreSQL database, each with
 * its scheduler and its webhook dispatcher, thousands of integrations (2,000 quick, 10,000 full),
 * connect-API and management-API load from a separate process spread over the three, and operator
 * actions (manual syncs, auth checks, a recovery, finally disabling everything) on all three.
 *
 * The integrations use both tools of the demo HR system (API key and OAuth), served by a separate
 * process that makes some credentials fail authentication (for good: FAILING then INVALID within
 * RELINK_PAUSE_AFTER; once: FAILING then OK; every third check: flapping; until healed and checked
 * by the operator: INVALID then ACTIVE again) and others inconclusive (503: FAILED with backoff,
 * never paused). A separate receiver verifies every webhook with the SDK's `verifyWebhook`, and
 * refuses the first attempt of some, so that they are redelivered.
 *
 * After quiescing (everything disabled, every claim released, the outbox drained, the servers
 * stopped cleanly), what the rows went through (written down by test-only triggers, see
 * replicas-audit.ts) is compared with what was recorded and announced: every sync slot ran once,
 * every state and auth-status transition was announced exactly once and in order, every event
 * reached every endpoint subscribed to it, redeliveries carried the same webhook-id and body, the
 * per-integration order held, each of the three replicas ran syncs, delivered webhooks and answered
 * requests; and the invariant checker finds nothing.
 */

const cleanup = cleanupStack();
afterAll(() => cleanup.run());

const REPLICAS = 3;
const INTEGRATIONS = scale(2_000, 10_000);
const THROUGH_API = scale(24, 60);
/**
 * Short in the quick run: what is proved (every slot once, pauses after the window, two runs of
 * every healthy integration) does not depend on the interval's length, and each interval is
 * waited for in real time (twice: the pause window, the second slot).
 */
const INTERVAL_S = scale(6, 60);
const LOAD_SECONDS = scale(8, 120);
/** Healthy integrations must have run at least this many slots before the quiesce. */
const MIN_RUNS = 2;

type Mode = "ok" | "reject" | "reject-once" | "flap" | "unavailable";
type Group = "healthy" | "pause" | "pause-recover" | "reject-once" | "flap" | "inconclusive";
/** Per 20 integrations: 13 healthy, 2 paused for good, 1 paused then recovered, 1 failing once, 2 flapping, 1 inconclusive. */
const GROUPS: Array<[Group, Mode]> = [
  ...Array.from({ length: 13 }, (): [Group, Mode] => ["healthy", "ok"]),
  ["pause", "reject"],
  ["pause", "reject"],
  ["pause-recover", "reject"],
  ["reject-once", "reject-once"],
  ["flap", "flap"],
  ["flap", "flap"],
  ["inconclusive", "unavailable"],
];

const rank = (group: Group | undefined) => (group === "healthy" ? 1 : 0);

interface Seeded {
  id: string;
  group: Group;
  tool: "demo-hris" | "demo-hris-oauth";
  token: string;
}

const json = async (response: Response) => {
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};

describe.skipIf(!postgresAdminUrl())("several replicas on PostgreSQL", () => {
  it(
    `three replicas, ${INTEGRATIONS} integrations, load on all three: every slot once, every transition once, every webhook delivered`,
    async () => {
      const wallStarted = Date.now();
      const phases: string[] = [];
      let phaseStarted = wallStarted;
      const phase = (name: string) => {
        const now = Date.now();
        phases.push(`${name} ${((now - phaseStarted) / 1000).toFixed(1)}s`);
        phaseStarted = now;
      };
      const logDir = mkdtempSync(join(tmpdir(), "relink-rel-replicas-"));
      cleanup.add(() =>
        process.env.KEEP_LOGS ? undefined : rmSync(logDir, { recursive: true, force: true }),
      );

      // ── the world: database (with the audit triggers), tool, receiver, three replicas ──────────
      const database = await createTestDatabase("postgres", { poolSize: 16 });
      cleanup.add(() => database.close());
      const tool = await startHelper("tool", join(import.meta.dirname, "replicas-tool.ts"), logDir);
      cleanup.add(() => tool.stop());
      const receiver = await startHelper(
        "receiver",
        join(import.meta.dirname, "replicas-receiver.ts"),
        logDir,
      );
      cleanup.add(() => receiver.stop());
      const encryptionKey = generateEncryptionKey();
      // The server's own modules in this process (no workers): integrations are created the way
      // the server creates them, credentials sealed with the replicas' key.
      const local = await createRelinkServer({
        extraConnectors: demoHrisConnectors(tool.url),
        db: database,
        config: {
          databaseUrl: database.url,
          encryptionKey,
          runWorkers: false,
          allowPrivateWebhookUrls: true,
          allowHttpWebhookUrls: true,
        },
        logger: createLogger({ level: "warn" }),
      });
      await installAudit(database.db);
      const { workspaceId, apiKey } = await createWorkspace(local.ctx, "Replicas");

      const env = {
        DATABASE_URL: database.url,
        RELINK_ENCRYPTION_KEY: encryptionKey,
        ...demoHrisServerEnv(tool.url),
        RELINK_SYNC_INTERVAL: `${INTERVAL_S}s`,
        // A failing check at or after one interval pauses: the second failing check does.
        RELINK_PAUSE_AFTER: `${INTERVAL_S}s`,
        RELINK_SCHEDULER_TICK: "100ms",
        RELINK_SYNC_CONCURRENCY: "32",
        RELINK_LEASE: "5s",
        RELINK_WEBHOOK_TICK: "100ms",
        RELINK_WEBHOOK_TIMEOUT: "3s",
        RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
        LOG_LEVEL: "warn",
      };
      // The workspace's setup through the same HTTP app, in this process.
      const setup = async (method: string, path: string, body: unknown) =>
        json(
          await local.app.request(path, {
            method,
            headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          }),
        );
      const scope = await setup("POST", "/v1/scope-configs", {
        name: "Teams",
        category: "HRIS",
        is_default: true,
        models: { teams: { setting: "ENABLED" } },
      });
      expect(scope.status, JSON.stringify(scope.body)).toBe(201);
      const transitionsOnly = ["integration-state-changed", "integration-auth-status-changed"];
      const endpoints = {
        all: await setup("POST", "/v1/webhook-endpoints", { url: `${receiver.url}/hooks/all` }),
        transitions: await setup("POST", "/v1/webhook-endpoints", {
          url: `${receiver.url}/hooks/transitions`,
          event_types: transitionsOnly,
        }),
      };
      for (const e of Object.values(endpoints)) expect(e.status, JSON.stringify(e.body)).toBe(201);
      const pathOf = new Map<string, string>([
        [String(endpoints.all.body.id), "/hooks/all"],
        [String(endpoints.transitions.body.id), "/hooks/transitions"],
      ]);
      await fetch(`${receiver.url}/__test/secrets`, {
        method: "POST",
        body: JSON.stringify({
          "/hooks/all": endpoints.all.body.secret,
          "/hooks/transitions": endpoints.transitions.body.secret,
        }),
      });
      const signing = await setup("POST", "/v1/signing-keys", { algorithm: "HS256" });
      expect(signing.status).toBe(201);
      const signingKey = { id: String(signing.body.id), secret: String(signing.body.secret) };
      phase("start");

      // ── thousands of integrations: a mix of tools and of behaviours ─────────────────────────────
      const plan = Array.from({ length: INTEGRATIONS }, (_, i) => {
        const [group, mode] = GROUPS[i % GROUPS.length] as [Group, Mode];
        const oauth = i % 3 === 0;
        return { group, mode, tool: oauth ? ("demo-hris-oauth" as const) : ("demo-hris" as const) };
      });
      const made = (await (
        await fetch(`${tool.url}/__test/credentials`, {
          method: "POST",
          body: JSON.stringify({
            items: plan.map((p) => ({ kind: p.tool === "demo-hris" ? "api_key" : "oauth", mode: p.mode })),
          }),
        })
      ).json()) as { items: Array<Record<string, string>> };
      const seedStarted = Date.now();
      const seeded: Seeded[] = new Array(INTEGRATIONS);
      const scopeConfig = {
        id: String(scope.body.id),
        models: scope.body.models as { teams: { setting: "ENABLED" } },
      };
      // Created in group order (the schedulers take the due ones oldest first): those with a story to
      // tell start it at once, the healthy majority follows.
      const order = plan
        .map((_, i) => i)
        .sort((a, b) => rank(plan[a]?.group) - rank(plan[b]?.group) || a - b);
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let k = next++; k < INTEGRATIONS; k = next++) {
            const i = order[k] as number;
            const p = plan[i] as (typeof plan)[number];
            const credentials = made.items[i] as Record<string, string>;
            const row = await createIntegration(local.ctx, {
              workspaceId,
              tool: { id: p.tool, category: "HRIS" },
              endUser: { origin_id: `org-${i}`, organization_name: `Org ${i}` },
              // What POST /v1/integrations verifies with the tool first; the scheduler checks again
              // before every sync, which is what this test is about.
              verified: {
                credentials,
                granted: ["employees:read", "teams:read"],
                account: { id: "acme", name: "Acme Corp" },
              },
              scopeConfig,
              syncIntervalMs: null,
            });
            seeded[i] = {
              id: row.id,
              group: p.group,
              tool: p.tool,
              token: credentials.api_key ?? credentials.access_token ?? "",
            };
          }
        }),
      );
      const seedMs = Date.now() - seedStarted;
      phase("seed");
      const servers: ServerProcess[] = [];
      for (let i = 0; i < REPLICAS; i++) {
        const server = await serverProcess(`replica-${i}`, env, logDir);
        cleanup.add(() => server.kill());
        servers.push(server);
      }
      // Started once the integrations are there: thousands due at once.
      await Promise.all(servers.map((s) => s.start()));
      phase("replicas");
      const replicaOfPid = new Map(servers.map((s) => [s.pid() ?? -1, s.name]));
      const on = (i: number) => servers[i % REPLICAS] as ServerProcess;
      const call = (i: number, method: string, path: string, body?: unknown) =>
        fetch(on(i).url + path, {
          method,
          headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(json);

      // And some through the import API of each replica (checked with the tool first).
      const apiMade = (await (
        await fetch(`${tool.url}/__test/credentials`, {
          method: "POST",
          body: JSON.stringify({
            items: Array.from({ length: THROUGH_API }, () => ({ kind: "api_key", mode: "ok" })),
          }),
        })
      ).json()) as { items: Array<{ api_key: string }> };
      await Promise.all(
        apiMade.items.map(async (credentials, i) => {
          const created = await call(i, "POST", "/v1/integrations", {
            tool: "demo-hris",
            end_user: { origin_id: `api-org-${i}`, organization_name: `API Org ${i}` },
            credentials,
          });
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          seeded.push({
            id: String(created.body.id),
            group: "healthy",
            tool: "demo-hris",
            token: credentials.api_key,
          });
        }),
      );
      phase("import");
      const idsOf = (group: Group) => seeded.filter((s) => s.group === group).map((s) => s.id);

      // ── load on all three, operator actions on all three, until enough slots have passed ───────
      const byReplica = (i: number) => on(i).url;
      const sample = seeded.filter((_, i) => i % 97 === 0).slice(0, 30);
      const targets: LoadTarget[] = [];
      for (const [n, s] of sample.entries()) {
        const relinkToken = await mintRelinkToken({
          workspaceId,
          key: signingKey,
          integrationId: s.id,
          expiresIn: "1h",
        });
        const connectToken = await mintConnectToken({
          workspaceId,
          key: signingKey,
          endUser: { originId: `new-org-${n}`, organizationName: `New Org ${n}` },
          tool: n % 2 === 0 ? "demo-hris" : "demo-hris-oauth",
          expiresIn: "1h",
        });
        for (let r = 0; r < REPLICAS; r++) {
          targets.push({ url: `${byReplica(n + r)}/connect/v1/flow`, token: relinkToken });
          targets.push({ url: `${byReplica(n + r + 1)}/connect/v1/flow`, token: connectToken });
          targets.push({ url: `${byReplica(n + r + 2)}/v1/integrations/${s.id}`, token: apiKey.key });
        }
      }
      const load = runLoadClient({ targets, seconds: LOAD_SECONDS, concurrency: 16 });
      let loadDone = false;
      const loadResult = load.finally(() => {
        loadDone = true;
      });
      loadResult.catch(() => undefined); // awaited below

      const operator: Record<string, Record<number, number>> = {};
      const operatorCall = async (i: number, method: string, path: string, ok: number[]) => {
        const answer = await call(i, method, path);
        const tally = operator[on(i).name] ?? {};
        operator[on(i).name] = tally;
        tally[answer.status] = (tally[answer.status] ?? 0) + 1;
        expect(ok, `${method} ${path} on ${on(i).name}: ${JSON.stringify(answer.body)}`).toContain(
          answer.status,
        );
        return answer;
      };
      const inParallel = async <T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>) => {
        let k = 0;
        await Promise.all(
          Array.from({ length: width }, async () => {
            for (let i = k++; i < items.length; i = k++) await fn(items[i] as T, i);
          }),
        );
      };
      const stateOf = async (ids: string[]) => {
        const rows = await database.db
          .selectFrom("integrations")
          .select(["id", "state"])
          .where("id", "in", ids)
          .execute();
        return new Map(rows.map((r) => [r.id, r.state]));
      };
      const runsPerIntegration = async () => {
        const rows = await database.db
          .selectFrom("sync_runs")
          .select(["integration_id", database.db.fn.countAll<string>().as("n")])
          .where("status", "=", "FINISHED")
          .groupBy("integration_id")
          .execute();
        return new Map(rows.map((r) => [r.integration_id, Number(r.n)]));
      };

      // Manual syncs of healthy integrations and auth checks of flapping ones, racing the schedulers.
      const manual = (async () => {
        const healthy = idsOf("healthy").filter((_, i) => i % 20 === 0);
        const flapping = idsOf("flap").filter((_, i) => i % 10 === 0);
        await inParallel(healthy, 4, (id, i) =>
          operatorCall(i, "POST", `/v1/integrations/${id}/sync`, [202]).then(() => {}),
        );
        await inParallel(flapping, 4, (id, i) =>
          operatorCall(i, "POST", `/v1/integrations/${id}/check-auth`, [200]).then(() => {}),
        );
      })();
      manual.catch(() => undefined); // awaited below
      // Paused for good, through the pause window.
      const pauseIds = idsOf("pause");
      const recoverIds = idsOf("pause-recover");
      // Deadlines without progress: on a busy machine the schedulers fall behind and hundreds of
      // pauses take longer, but each wait gives up only when nothing moved for this long.
      const deadline = scale(150_000, 600_000);
      let notPaused = -1;
      await waitFor(
        "every always-rejected integration paused (INVALID)",
        async () => {
          const states = await stateOf([...pauseIds, ...recoverIds]);
          notPaused = [...states.values()].filter((s) => s !== "INVALID").length;
          return notPaused === 0;
        },
        {
          timeoutMs: deadline,
          intervalMs: 500,
          progress: () => notPaused,
          describe: () => `${notPaused} not yet`,
        },
      );
      phase("pause");
      // The credentials work again; the operator checks them on some replica: ACTIVE again.
      const recoverTokens = seeded.filter((s) => s.group === "pause-recover").map((s) => s.token);
      await fetch(`${tool.url}/__test/heal`, {
        method: "POST",
        body: JSON.stringify({ tokens: recoverTokens }),
      });
      const recoveredAt = new Date().toISOString();
      await inParallel(recoverIds, 4, async (id, i) => {
        const answer = await operatorCall(i, "POST", `/v1/integrations/${id}/check-auth`, [200]);
        expect((answer.body.integration as { state: string }).state).toBe("ACTIVE");
      });
      await manual;
      let slotsLeft = -1;
      await waitFor(
        `every healthy integration synced ${MIN_RUNS} times, every recovered one synced again, the load over`,
        async () => {
          if (!loadDone) return false;
          const runs = await runsPerIntegration();
          slotsLeft = idsOf("healthy").filter((id) => (runs.get(id) ?? 0) < MIN_RUNS).length;
          if (slotsLeft > 0) return false;
          const after = await database.db
            .selectFrom("sync_runs")
            .select("integration_id")
            .distinct()
            .where("integration_id", "in", recoverIds)
            .where("sync_state", "=", "SUCCEEDED")
            .where("started_at", ">", recoveredAt)
            .execute();
          return after.length === recoverIds.length;
        },
        {
          timeoutMs: deadline,
          intervalMs: 1_000,
          progress: () => (loadDone ? slotsLeft : "load running"),
          describe: async () => {
            const runs = await runsPerIntegration();
            return `load ${loadDone ? "over" : "running"}, ${idsOf("healthy").filter((id) => (runs.get(id) ?? 0) < MIN_RUNS).length} healthy integrations below ${MIN_RUNS} runs`;
          },
        },
      );
      phase("slots");
      const loaded = await loadResult;
      expect(loaded.errors, `load: ${JSON.stringify(loaded.statuses)}`).toEqual([]);

      // ── quiesce: the operator disables everything (through all three), claims end, outbox drains ─
      const quiesceStarted = Date.now();
      const disabled = await runLoadClient({
        targets: seeded.map((s, i) => ({
          url: `${byReplica(i)}/v1/integrations/${s.id}/enabled`,
          token: apiKey.key,
          method: "PUT",
          body: { value: false },
          ok: [200],
        })),
        once: true,
        concurrency: 32,
      });
      expect(disabled.errors, JSON.stringify(disabled.statuses)).toEqual([]);
      expect(disabled.requests).toBe(seeded.length);
      phase("disable");
      await waitFor(
        "every claim released and no sync run open",
        async () => {
          const held = await database.db
            .selectFrom("integrations")
            .select("id")
            .where("lease_owner", "is not", null)
            .limit(1)
            .execute();
          const running = await database.db
            .selectFrom("sync_runs")
            .select("id")
            .where("status", "=", "RUNNING")
            .limit(1)
            .execute();
          return held.length === 0 && running.length === 0;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      phase("release");
      const received = async () =>
        (await (await fetch(`${receiver.url}/__test/received`)).json()) as Array<
          [string, string, string, string, string | null, number, true | string, string]
        >;
      let undelivered = -1;
      await waitFor(
        "the outbox drained (every delivery done)",
        async () => {
          const pending = await database.db
            .selectFrom("webhook_deliveries")
            .select(database.db.fn.countAll<string>().as("n"))
            .where("status", "!=", "SUCCEEDED")
            .executeTakeFirstOrThrow();
          undelivered = Number(pending.n);
          return undelivered === 0;
        },
        {
          timeoutMs: scale(90_000, 300_000),
          intervalMs: 500,
          progress: () => undelivered,
          describe: async () => {
            const left = await database.db
              .selectFrom("webhook_deliveries")
              .select(["status", database.db.fn.countAll<string>().as("n")])
              .groupBy("status")
              .execute();
            return JSON.stringify(left);
          },
        },
      );
      const quiesceMs = Date.now() - quiesceStarted;
      phase("drain");
      await Promise.all(servers.map((s) => s.stop()));
      phase("stop");

      // ── what happened, from the database and the receiver ────────────────────────────────────
      const invariants = await checkInvariants(database.db, { secrets: local.ctx.secrets, clean: true });
      expect(invariants.violations.slice(0, 20), `${invariants.violations.length} violations`).toEqual([]);

      const audit = await readAudit(database.db);
      const runs = (await database.db
        .selectFrom("sync_runs")
        .select(["id", "integration_id", "trigger", "status", "sync_state", "started_at", "ended_at"])
        .execute()) as SyncRunView[];
      const events = (await database.db
        .selectFrom("events")
        .select(["id", "seq", "type", "integration_id", "data"])
        .orderBy("seq")
        .execute()) as EventView[];
      const seqOf = new Map(events.map((e) => [e.id, Number(e.seq)]));

      // Every slot once. Runs left QUEUED are manual syncs asked for just before the disable; they
      // never start on a disabled integration.
      const inactive = new Set(
        (
          await database.db.selectFrom("integrations").select("id").where("state", "=", "INACTIVE").execute()
        ).map((r) => r.id),
      );
      expect(inactive.size).toBe(seeded.length);
      const queued = runs.filter((r) => r.status === "QUEUED");
      const slots = checkSlots(
        audit,
        runs.filter((r) => r.status !== "QUEUED"),
      );
      expect(slots.violations.slice(0, 20), `${slots.violations.length} slot violations`).toEqual([]);

      // Every transition announced once, in order.
      const transitions = checkTransitions(audit, events);
      expect(
        transitions.violations.slice(0, 20),
        `${transitions.violations.length} announcement violations`,
      ).toEqual([]);

      // What each group went through.
      const changes = new Map<string, { state: string[]; auth: string[] }>();
      for (const a of audit as AuditRow[]) {
        if (a.kind !== "state" && a.kind !== "auth") continue;
        const entry = changes.get(a.integration_id) ?? { state: [], auth: [] };
        if (a.kind === "state") entry.state.push(`${a.from_value}→${a.to_value}`);
        else entry.auth.push(String(a.to_value));
        changes.set(a.integration_id, entry);
      }
      const story = (id: string) => changes.get(id) ?? { state: [], auth: [] };
      for (const id of pauseIds) expect(story(id).state, id).toEqual(["ACTIVE→INVALID", "INVALID→INACTIVE"]);
      for (const id of recoverIds)
        expect(story(id).state, id).toEqual(["ACTIVE→INVALID", "INVALID→ACTIVE", "ACTIVE→INACTIVE"]);
      for (const id of idsOf("inconclusive")) {
        expect(story(id), `${id}: a tool outage never pauses`).toEqual({
          state: ["ACTIVE→INACTIVE"],
          auth: [],
        });
      }
      const inconclusive = new Set(idsOf("inconclusive"));
      const notFailed = runs.filter((r) => inconclusive.has(r.integration_id) && r.sync_state !== "FAILED");
      expect(notFailed.slice(0, 5), "an inconclusive check fails the sync, nothing more").toEqual([]);
      for (const id of idsOf("healthy")) expect(story(id).auth, id).toEqual([]);
      const flapTransitions = idsOf("flap").reduce((n, id) => n + story(id).auth.length, 0);
      expect(flapTransitions).toBeGreaterThan(idsOf("flap").length);
      const onceRecovered = idsOf("reject-once").filter(
        (id) => story(id).auth.join() === "FAILING,OK",
      ).length;
      expect(onceRecovered).toBeGreaterThan(idsOf("reject-once").length / 2);

      // Every event reached every endpoint subscribed to it, signed, with a stable id.
      const deliveries = await database.db
        .selectFrom("webhook_deliveries")
        .select(["id", "event_id", "endpoint_id", "status", "attempts"])
        .execute();
      const expectedDeliveries =
        events.length + events.filter((e) => transitionsOnly.includes(e.type)).length;
      expect(deliveries.length).toBe(expectedDeliveries);
      const deliveryKeys = new Set(deliveries.map((d) => `${pathOf.get(d.endpoint_id)} ${d.event_id}`));
      const notQueued = events.flatMap((e) =>
        [
          `/hooks/all ${e.id}`,
          ...(transitionsOnly.includes(e.type) ? [`/hooks/transitions ${e.id}`] : []),
        ].filter((k) => !deliveryKeys.has(k)),
      );
      expect(notQueued.slice(0, 20), `${notQueued.length} events not queued for an endpoint`).toEqual([]);
      const seen = await received();
      const problems: string[] = [];
      const accepted = new Map<string, number>();
      const bodies = new Map<string, string>();
      const attemptsSeen = new Map<string, number>();
      const firstAccepted: Array<{ path: string; integration: string | null; seq: number }> = [];
      let refused = 0;
      for (const [path, webhookId, bodyId, type, integration, status, verified, hash] of seen) {
        const key = `${path} ${webhookId}`;
        if (verified !== true) problems.push(`${key}: ${verified}`);
        if (webhookId !== bodyId) problems.push(`${key}: webhook-id is not the event id ${bodyId}`);
        if (!seqOf.has(webhookId)) problems.push(`${key}: no such event`);
        if (path === "/hooks/transitions" && !transitionsOnly.includes(type))
          problems.push(`${key}: ${type} sent to an endpoint not subscribed to it`);
        const body = bodies.get(key);
        if (body !== undefined && body !== hash) problems.push(`${key}: redelivered with another body`);
        bodies.set(key, hash);
        attemptsSeen.set(key, (attemptsSeen.get(key) ?? 0) + 1);
        if (status === 503) refused++;
        if (status === 200) {
          if (!accepted.has(key)) firstAccepted.push({ path, integration, seq: seqOf.get(webhookId) ?? -1 });
          accepted.set(key, (accepted.get(key) ?? 0) + 1);
        }
      }
      expect(problems.slice(0, 20), `${problems.length} receiver problems`).toEqual([]);
      const missing = [...deliveryKeys].filter((k) => !accepted.has(k));
      expect(missing.slice(0, 20), `${missing.length} deliveries never accepted`).toEqual([]);
      const redelivered = [...attemptsSeen.values()].filter((n) => n > 1).length;
      expect(refused).toBeGreaterThan(0);
      expect(redelivered).toBeGreaterThanOrEqual(refused);
      // Per integration and endpoint, events are accepted in the order they were recorded.
      const lastSeq = new Map<string, number>();
      const outOfOrder: string[] = [];
      for (const { path, integration, seq } of firstAccepted) {
        if (!integration) continue;
        const k = `${path} ${integration}`;
        if ((lastSeq.get(k) ?? -1) > seq) outOfOrder.push(`${k}: seq ${seq} after ${lastSeq.get(k)}`);
        lastSeq.set(k, Math.max(seq, lastSeq.get(k) ?? -1));
      }
      expect(outOfOrder.slice(0, 20), `${outOfOrder.length} out of order`).toEqual([]);

      // Each replica did part of the work: syncs, deliveries, requests.
      const perReplica = new Map(servers.map((s) => [s.name, { runs: 0, deliveries: 0, requests: 0 }]));
      const replicaOf = (owner: string) =>
        replicaOfPid.get(ownerPid(owner) ?? -2) ?? `unknown owner ${owner}`;
      for (const [owner, n] of slots.runsByOwner) {
        const r = perReplica.get(replicaOf(owner));
        expect(r, `runs by ${owner}`).toBeDefined();
        if (r) r.runs += n;
      }
      for (const d of await readDeliveryAudit(database.db)) {
        const r = perReplica.get(replicaOf(d.owner));
        expect(r, `deliveries by ${d.owner}`).toBeDefined();
        if (r) r.deliveries++;
      }
      for (const s of servers) {
        const r = perReplica.get(s.name);
        if (r) r.requests = loaded.byOrigin[s.url]?.requests ?? 0;
        expect(disabled.byOrigin[s.url]?.requests, `${s.name} answered disables`).toBeGreaterThan(0);
      }
      const totalRuns = slots.runs;
      const totalAttempts = [...perReplica.values()].reduce((n, r) => n + r.deliveries, 0);
      for (const [name, r] of perReplica) {
        expect(r.runs, `${name} ran syncs`).toBeGreaterThan(totalRuns * 0.05);
        expect(r.deliveries, `${name} delivered webhooks`).toBeGreaterThan(totalAttempts * 0.05);
        expect(r.requests, `${name} answered requests`).toBeGreaterThan(loaded.requests * 0.2);
      }

      // Nothing went wrong inside: no error in any replica's log.
      const logErrors = servers.flatMap((s) =>
        readFileSync(s.logFile, "utf8")
          .split("\n")
          .filter((line) => /"level":"(error|fatal)"/.test(line))
          .map((line) => `${s.name}: ${line.slice(0, 500)}`),
      );
      expect(logErrors.slice(0, 10), `${logErrors.length} error lines`).toEqual([]);
      const logWarnings = servers.reduce(
        (n, s) =>
          n +
          readFileSync(s.logFile, "utf8")
            .split("\n")
            .filter((l) => l.includes('"level":"warn"')).length,
        0,
      );

      phase("check");
      const lag = (q: number) => Math.round(slots.lags[Math.floor((slots.lags.length - 1) * q)] ?? 0);
      const wallS = Math.round((Date.now() - wallStarted) / 1000);
      const replicasNote = [...perReplica]
        .map(([name, r]) => `${name}: ${r.runs} runs/${r.deliveries} attempts/${r.requests} requests`)
        .join("; ");
      const note =
        `${seeded.length} integrations (${seeded.filter((x) => x.tool === "demo-hris-oauth").length} OAuth; seeded in ${(seedMs / 1000).toFixed(1)}s), ` +
        `${totalRuns} sync runs over ${slots.slots} slots ` +
        `(${slots.takeovers} lease takeovers, start lag p50 ${lag(0.5)} ms p99 ${lag(0.99)} ms, ${queued.length} manual left queued), ` +
        `${transitions.stateTransitions} state + ${transitions.authTransitions} auth transitions, ${events.length} events, ` +
        `${deliveries.length} deliveries (${seen.length} POSTs received, ${refused} refused once and redelivered), ` +
        `${loaded.requests} load requests in ${LOAD_SECONDS}s (${JSON.stringify(loaded.latencyMs)} ms) + ` +
        `${disabled.requests} disables (${JSON.stringify(disabled.latencyMs)} ms), ` +
        `operator ${JSON.stringify(operator)}, ${logWarnings} warnings logged; ${replicasNote}; ` +
        `quiesce ${Math.round(quiesceMs / 1000)}s, wall ${wallS}s (${phases.join(", ")})`;
      console.log(`replicas: ${note}`);
      report("replicas/postgres", {
        replicas: REPLICAS,
        eventsChecked: invariants.eventsChecked,
        note,
      });
    },
    // Failure bounds (every wait has its own deadline without progress); quick takes one to two
    // minutes on 2 quiet cores, several times that with both cores busy.
    scale(1_800_000, 2_400_000),
  );
});
