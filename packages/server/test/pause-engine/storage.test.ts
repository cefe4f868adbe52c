import type { AuthCheck, CheckAuthResult, ManualSyncResult, SyncRun } from "@relink/sdk/contract";
import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inTransaction } from "../../src/context.ts";
import { raw } from "../../src/db/bulk.ts";
import { toJson } from "../../src/db/schema.ts";
import { claimDue, dueIntegrationsQuery } from "../../src/domain/integration-store.ts";
import { openCredentials } from "../../src/domain/integrations.ts";
import { PRUNE_AUTH_CHECKS, PRUNE_AUTH_CHECKS_MANY } from "../../src/domain/pause-engine.ts";
import { readRecords } from "../../src/domain/records.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { newId } from "../../src/ids.ts";
import { availableDialects, waitFor } from "../../src/testing/index.ts";
import { createScheduler } from "../../src/workers/scheduler.ts";
import { HOUR, type PauseWorld, pauseWorld, seedOldAuthChecks } from "./helpers.ts";

const page = async <T>(r: Response | Promise<Response>) =>
  (await r).json() as Promise<{ data: T[]; next_cursor: string | null }>;

describe.each(availableDialects())("sync runs and auth checks on %s", (dialect) => {
  let w: PauseWorld;
  beforeAll(async () => {
    w = await pauseWorld({ dialect });
  });
  afterAll(() => w.close());

  /** The stored records, opened (their fields are sealed at rest). */
  const records = async (id: string) =>
    (await readRecords(w.t.server.ctx, id)).map((r) => ({
      model: r.model,
      remote_id: r.remote_id,
      data: r.fields,
    }));

  it("syncs the scope's readable models, stores the records, and replaces them on the next sync", async () => {
    w.tool.setKey("rec-all");
    const integration = await w.importIntegration("rec-all");
    await w.step(0);
    let view = await w.get(integration.id);
    expect(view.last_sync).toMatchObject({
      trigger: "SCHEDULE",
      status: "FINISHED",
      sync_state: "SUCCEEDED",
      scope_config_id: integration.scope_config_id,
      warnings: [],
      records: { employees: 2, teams: 2, compensations: 2 },
    });
    expect(view.next_sync_at).toBe(new Date(w.t.clock.now().getTime() + 3 * HOUR).toISOString());
    let stored = await records(integration.id);
    expect(stored.map((r) => `${r.model}/${r.remote_id}`)).toEqual([
      "compensations/compensations_1",
      "compensations/compensations_2",
      "employees/employees_1",
      "employees/employees_2",
      "teams/teams_1",
      "teams/teams_2",
    ]);
    expect(Object.keys(stored.find((r) => r.model === "employees")?.data ?? {}).sort()).toEqual([
      "first_name",
      "job_title",
      "last_name",
      "salary",
      "team_id",
      "work_email",
    ]);

    // The key loses compensation:read: the next run is PARTIALLY_FAILED and stores only what it may read.
    w.tool.setKey("rec-all", { permissions: ["employees:read", "teams:read"] });
    await w.step(3 * HOUR);
    view = await w.get(integration.id);
    expect(view.last_sync?.sync_state).toBe("PARTIALLY_FAILED");
    expect(view.last_sync?.warnings).toEqual([
      {
        code: "PERMISSION_MISSING",
        permission: "compensation:read",
        models: ["compensations"],
        fields: [
          "employees.salary",
          "compensations.employee_id",
          "compensations.amount",
          "compensations.currency",
          "compensations.effective_date",
        ],
      },
    ]);
    expect(view.missing_permissions).toEqual(
      view.last_sync?.warnings.map(({ code: _, ...missing }) => missing),
    );
    stored = await records(integration.id);
    expect(new Set(stored.map((r) => r.model))).toEqual(new Set(["employees", "teams"]));
    expect(stored.find((r) => r.model === "employees")?.data).not.toHaveProperty("salary");
    const granted = await w.t.database.db
      .selectFrom("integrations")
      .select("granted_permissions")
      .where("id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(granted.granted_permissions).toEqual(["employees:read", "teams:read"]);

    // A failed run keeps the records of the last good one.
    w.tool.setOutage("INCONCLUSIVE");
    await w.step(3 * HOUR);
    expect((await w.get(integration.id)).last_sync?.sync_state).toBe("FAILED");
    expect(await records(integration.id)).toHaveLength(4);
    w.tool.setOutage(null);
  });

  it("stores refreshed credentials, sealed, and syncs with them", async () => {
    w.tool.setKey("refresh-old");
    w.tool.setKey("refresh-new");
    const integration = await w.importIntegration("refresh-old");
    w.tool.refreshOnCheck("refresh-old", "refresh-new");
    await w.step(0);
    const row = await w.t.database.db
      .selectFrom("integrations")
      .selectAll()
      .where("id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials_sealed).not.toContain("refresh-new");
    expect(openCredentials(w.t.server.ctx, row)).toEqual({ api_key: "refresh-new" });
    expect(w.tool.calls.syncedWith.at(-1)).toBe("refresh-new");
  });

  it("queues at most one manual sync, runs it with trigger MANUAL after a check, and lists runs newest first", async () => {
    w.tool.setKey("manual");
    const integration = await w.importIntegration("manual");
    await w.step(0);
    w.t.clock.advance(60_000);
    const first = await w.t.request("POST", `/v1/integrations/${integration.id}/sync`);
    expect(first.status).toBe(202);
    const queued = (await first.json()) as ManualSyncResult;
    expect(queued.already_queued).toBe(false);
    const again = (await (
      await w.t.request("POST", `/v1/integrations/${integration.id}/sync`)
    ).json()) as ManualSyncResult;
    expect(again).toEqual({ sync_id: queued.sync_id, already_queued: true });
    expect((await w.get(integration.id)).next_sync_at).toBe(w.t.clock.now().toISOString());

    // While it runs, a request gets the running one.
    const release = w.tool.block("sync");
    const syncs = w.tool.calls.sync;
    let run: Promise<unknown> = Promise.resolve();
    try {
      run = w.t.server.scheduler.runDue();
      await waitFor("a sync call", () => w.tool.calls.sync > syncs, { intervalMs: 2 });
      const during = (await (
        await w.t.request("POST", `/v1/integrations/${integration.id}/sync`)
      ).json()) as ManualSyncResult;
      expect(during).toEqual({ sync_id: queued.sync_id, already_queued: true });
    } finally {
      release();
      await run;
    }

    const runs = await page<SyncRun>(w.t.request("GET", `/v1/integrations/${integration.id}/syncs?limit=1`));
    expect(runs.data[0]).toMatchObject({ id: queued.sync_id, trigger: "MANUAL", sync_state: "SUCCEEDED" });
    expect(runs.next_cursor).not.toBeNull();
    const older = await page<SyncRun>(
      w.t.request("GET", `/v1/integrations/${integration.id}/syncs?limit=5&cursor=${runs.next_cursor}`),
    );
    expect(older.data.map((r) => r.trigger)).toEqual(["SCHEDULE"]);
    expect(older.next_cursor).toBeNull();

    const checks = await page<AuthCheck>(
      w.t.request("GET", `/v1/integrations/${integration.id}/auth-checks`),
    );
    expect(checks.data.map((c) => [c.trigger, c.outcome])).toEqual([
      ["SYNC", "OK"],
      ["SYNC", "OK"],
      ["IMPORT", "OK"],
    ]);
    const next = (await w.get(integration.id)).next_sync_at;
    expect(next).toBe(new Date(w.t.clock.now().getTime() + 3 * HOUR).toISOString());
  });

  it("answers check-auth with the outcome and the integration", async () => {
    w.tool.setKey("check");
    const integration = await w.importIntegration("check");
    w.tool.setOutage("INCONCLUSIVE");
    const response = await w.t.request("POST", `/v1/integrations/${integration.id}/check-auth`);
    w.tool.setOutage(null);
    expect(response.status).toBe(200);
    const body = (await response.json()) as CheckAuthResult;
    expect(body.outcome).toBe("INCONCLUSIVE");
    expect(body.auth_check).toMatchObject({
      trigger: "MANUAL",
      outcome: "INCONCLUSIVE",
      integration_id: integration.id,
    });
    expect(body.integration).toMatchObject({ id: integration.id, state: "ACTIVE", auth: { status: "OK" } });
  });

  it("keeps the newest 500 auth checks of an integration", async () => {
    w.tool.setKey("many");
    const integration = await w.importIntegration("many");
    await seedOldAuthChecks(w.t, integration.id, 600);
    await w.t.request("POST", `/v1/integrations/${integration.id}/check-auth`);
    const kept = await w.t.database.db
      .selectFrom("auth_checks")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("integration_id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(Number(kept.n)).toBe(500);
    const newest = await page<AuthCheck>(
      w.t.request("GET", `/v1/integrations/${integration.id}/auth-checks?limit=2`),
    );
    expect(newest.data[0]?.trigger).toBe("MANUAL");
  });

  it("isolates workspaces: another workspace's key gets 404 on every route", async () => {
    w.tool.setKey("iso");
    const integration = await w.importIntegration("iso");
    const other = await createWorkspace(w.t.server.ctx, "Other");
    for (const [method, path] of [
      ["POST", "sync"],
      ["POST", "check-auth"],
      ["GET", "syncs"],
      ["GET", "auth-checks"],
    ] as const) {
      const response = await w.t.request(method, `/v1/integrations/${integration.id}/${path}`, {
        key: other.apiKey.key,
      });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
    expect(
      await w.t.database.db
        .selectFrom("sync_runs")
        .select("id")
        .where("integration_id", "=", integration.id)
        .where("status", "=", "QUEUED")
        .execute(),
    ).toEqual([]);
  });

  it("takes over the claims of a crashed server once their lease expires, finishing its run as TIMED_OUT", async () => {
    w.tool.setKey("crash");
    const integration = await w.importIntegration("crash");
    await w.step(0);
    w.t.clock.advance(3 * HOUR);
    const ctx = w.t.server.ctx;
    const claimed = await claimDue(ctx, "dead-server", 100);
    expect(claimed.map((r) => r.id)).toContain(integration.id);
    // The dead server had started its run.
    await w.t.database.db
      .insertInto("sync_runs")
      .values({
        id: newId("sync", w.t.clock.now().getTime()),
        workspace_id: w.t.workspaceId,
        integration_id: integration.id,
        trigger: "SCHEDULE",
        status: "RUNNING",
        sync_state: null,
        queued_at: w.t.clock.now().toISOString(),
        started_at: w.t.clock.now().toISOString(),
        ended_at: null,
        scope_config_id: null,
        warnings: toJson([]),
        records: toJson({}),
        error: null,
      })
      .execute();
    // Still claimed: nobody else takes it, and a manual request gets the running one.
    expect((await w.t.server.scheduler.runDue()).claimed).toBe(0);
    const during = (await (
      await w.t.request("POST", `/v1/integrations/${integration.id}/sync`)
    ).json()) as ManualSyncResult;
    expect(during.already_queued).toBe(true);

    w.t.clock.advance(ctx.config.leaseMs + 1);
    const { claimed: taken } = await w.t.server.scheduler.runDue();
    expect(taken).toBeGreaterThanOrEqual(1);
    const runs = await page<SyncRun>(w.t.request("GET", `/v1/integrations/${integration.id}/syncs`));
    expect(runs.data.slice(0, 2).map((r) => r.sync_state)).toEqual(["SUCCEEDED", "TIMED_OUT"]);
    const row = await w.t.database.db
      .selectFrom("integrations")
      .select(["lease_owner", "lease_expires_at"])
      .where("id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_owner: null, lease_expires_at: null });
  });

  it("drops a check result when the integration was relinked while it ran", async () => {
    w.tool.setKey("stale-old", { outcome: "AUTH_FAILED" });
    w.tool.setKey("stale-new");
    w.tool.setKey("stale-import");
    const integration = await w.importIntegration("stale-import");
    w.tool.revoke("stale-import");
    const release = w.tool.block();
    const checkCalls = w.tool.calls.checkAuth;
    let run: Promise<unknown> = Promise.resolve();
    try {
      run = w.t.server.scheduler.runDue();
      await waitFor("an auth check call", () => w.tool.calls.checkAuth > checkCalls, { intervalMs: 2 });
      // A relink completes meanwhile: new credentials.
      const sealed = w.t.server.ctx.secrets.sealJson({ api_key: "stale-new" }, integration.id);
      await w.t.database.db
        .updateTable("integrations")
        .set({ credentials_sealed: sealed })
        .where("id", "=", integration.id)
        .execute();
    } finally {
      release();
      await run;
    }
    const view = await w.get(integration.id);
    // The failure of the old key was not counted; the new key was checked and synced.
    expect(view.auth.status).toBe("OK");
    expect(view.last_sync?.sync_state).toBe("SUCCEEDED");
    const checks = await page<AuthCheck>(
      w.t.request("GET", `/v1/integrations/${integration.id}/auth-checks`),
    );
    expect(checks.data.map((c) => c.outcome)).toEqual(["OK", "OK"]);
  });

  it("stops cleanly: a sync still running is cancelled and its claim released, due as before", async () => {
    w.tool.setKey("stop");
    const integration = await w.importIntegration("stop");
    await w.step(0);
    w.t.clock.advance(3 * HOUR);
    const scheduler = createScheduler(w.t.server.ctx, { stopTimeoutMs: 50 });
    const release = w.tool.block();
    try {
      void scheduler.runDue();
      await waitFor("a run under way", () => scheduler.running > 0, { intervalMs: 2 });
      await scheduler.stop();
    } finally {
      release();
    }
    expect(scheduler.running).toBe(0);
    const leased = await w.t.database.db
      .selectFrom("integrations")
      .select(["id", "next_sync_at"])
      .where("lease_owner", "is not", null)
      .execute();
    expect(leased).toEqual([]);
    const view = await w.get(integration.id);
    expect(Date.parse(view.next_sync_at ?? "")).toBeLessThanOrEqual(w.t.clock.now().getTime());
    // The next server takes it.
    await w.t.server.scheduler.runDue();
    expect((await w.get(integration.id)).last_sync?.sync_state).toBe("SUCCEEDED");
  });

  it("scans only due rows through the integrations_due index", async () => {
    const ctx = w.t.server.ctx;
    const compiled = dueIntegrationsQuery(ctx, w.t.clock.now().toISOString(), 8).compile();
    if (dialect === "sqlite") {
      const plan = await ctx.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      const text = plan.rows.map((r) => r.detail).join("\n");
      expect(text).toMatch(/USING INDEX integrations_due/);
      expect(text).not.toMatch(/TEMP B-TREE/); // the index gives the order
    } else {
      const text = await ctx.db.transaction().execute(async (trx) => {
        await trx.executeQuery(CompiledQuery.raw("set local enable_seqscan = off"));
        const plan = await trx.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
        );
        return plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
      // An index condition on the due index: the rows read are the due ones, whatever the total.
      expect(text).toMatch(/Index Cond: \(next_sync_at <= /);
      expect(text).toMatch(/integrations_due/);
    }
  });

  it("reads an integration's history, its events, its open run and its checks to prune through per-integration indexes", async () => {
    const ctx = w.t.server.ctx;
    const plan = (text: string, params: unknown[]) =>
      inTransaction(ctx, async (tx) => {
        if (dialect === "sqlite") {
          const rows = await raw<{ detail: string }>(tx, dialect, `explain query plan ${text}`, params);
          return rows.map((r) => r.detail).join("\n");
        }
        await raw(tx, dialect, "set local enable_seqscan = off", []);
        const rows = await raw<{ "QUERY PLAN": string }>(tx, dialect, `explain ${text}`, params);
        return rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    const id = newId("int");
    const cases: Array<[string, unknown[], RegExp]> = [
      [
        "select * from sync_runs where integration_id = ? and id < ? order by id desc limit 51",
        [id, "sync_~"],
        /sync_runs_integration/,
      ],
      [
        "select * from auth_checks where integration_id = ? and id < ? order by id desc limit 51",
        [id, "chk_~"],
        /auth_checks_integration/,
      ],
      [
        "select seq from events where workspace_id = ? and integration_id = ? order by seq desc limit 51",
        [w.t.workspaceId, id],
        /events_integration/,
      ],
      [
        "select * from sync_runs where integration_id in (?, ?) and status in ('QUEUED', 'RUNNING')",
        [id, newId("int")],
        /sync_runs_open|sync_runs_integration/,
      ],
      [PRUNE_AUTH_CHECKS, [id, id], /auth_checks_integration/],
    ];
    for (const [text, params, index] of cases) {
      const found = await plan(text, params);
      if (dialect === "sqlite") {
        expect(found, text).toMatch(index);
        expect(found, text).not.toMatch(/SCAN (sync_runs|auth_checks|events)\b(?! USING)/);
        expect(found, text).not.toMatch(/TEMP B-TREE/); // the index gives the order
      } else {
        // Which index depends on the statistics of these few rows; that one exists is the point.
        expect(found, text).not.toMatch(/Seq Scan/);
      }
    }
    // Both halves of the prune (the cut-off and the delete) seek the index.
    if (dialect === "sqlite") {
      expect((await plan(PRUNE_AUTH_CHECKS, [id, id])).match(/auth_checks_integration/g)).toHaveLength(2);
    } else {
      // PostgreSQL prunes a batch's integrations in one statement (their ids as one array).
      const many = await plan(PRUNE_AUTH_CHECKS_MANY, [[id, newId("int")]]);
      expect(many).not.toMatch(/Seq Scan/);
      expect(many).toMatch(/auth_checks_integration/);
    }
  });
});
