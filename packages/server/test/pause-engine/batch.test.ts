import { CompiledQuery } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Dialect } from "../../src/db/connect.ts";
import { claimDue } from "../../src/domain/integration-store.ts";
import { AUTH_CHECK_PRUNE_EVERY, AUTH_CHECK_RETENTION } from "../../src/domain/pause-engine.ts";
import {
  applyClaimed,
  loadScopeModels,
  retryDelayMs,
  runClaimedNetwork,
} from "../../src/domain/sync-runs.ts";
import { availableDialects } from "../../src/testing/index.ts";
import { HOUR, type PauseWorld, pauseWorld, seedOldAuthChecks, transitions } from "./helpers.ts";

/** Makes every insert of a sync run of `integrationId` fail, inside whatever transaction does it. */
async function failRunsOf(
  w: PauseWorld,
  dialect: Dialect,
  integrationId: string,
): Promise<() => Promise<void>> {
  const db = w.t.database.db;
  if (dialect === "sqlite") {
    await db.executeQuery(
      CompiledQuery.raw(
        `create trigger fail_runs before insert on sync_runs when new.integration_id = '${integrationId}'
         begin select raise(abort, 'simulated failure'); end`,
      ),
    );
    return async () => void (await db.executeQuery(CompiledQuery.raw("drop trigger fail_runs")));
  }
  await db.executeQuery(
    CompiledQuery.raw(
      `create function fail_runs() returns trigger language plpgsql as $$
       begin
         if new.integration_id = '${integrationId}' then raise exception 'simulated failure'; end if;
         return new;
       end $$`,
    ),
  );
  await db.executeQuery(
    CompiledQuery.raw(
      "create trigger fail_runs before insert on sync_runs for each row execute function fail_runs()",
    ),
  );
  return async () => {
    await db.executeQuery(CompiledQuery.raw("drop trigger fail_runs on sync_runs"));
    await db.executeQuery(CompiledQuery.raw("drop function fail_runs()"));
  };
}

/**
 * Everything a scheduled run writes about these integrations; `lease_owner` is the claim's holder:
 * the row's lease on PostgreSQL, the process's claims on SQLite (whose rows are never leased).
 */
async function written(w: PauseWorld, ids: string[]) {
  const db = w.t.database.db;
  const claims = w.t.server.ctx.claims;
  const rows = await db
    .selectFrom("integrations")
    .select([
      "id",
      "state",
      "failing_since",
      "failed_checks",
      "last_checked_at",
      "next_sync_at",
      "retry_attempt",
      "last_sync_id",
      "lease_owner",
    ])
    .where("id", "in", ids)
    .orderBy("id")
    .execute();
  if (claims) expect(rows.map((row) => row.lease_owner)).toEqual(rows.map(() => null));
  return {
    integrations: rows.map((row) =>
      claims ? { ...row, lease_owner: claims.held.get(row.id)?.owner ?? null } : row,
    ),
    checks: await db
      .selectFrom("auth_checks")
      .select(["id", "trigger"])
      .where("integration_id", "in", ids)
      .orderBy("id")
      .execute(),
    runs: await db
      .selectFrom("sync_runs")
      .select("id")
      .where("integration_id", "in", ids)
      .orderBy("id")
      .execute(),
    events: await db
      .selectFrom("events")
      .select(["id", "type"])
      .where("integration_id", "in", ids)
      .orderBy("seq")
      .execute(),
  };
}

describe.each(availableDialects())("batched scheduler writes on %s", (dialect) => {
  let w: PauseWorld | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await w?.close();
    w = null;
  });

  it("applies a batch all or nothing: a failure inside it leaves no integration half-applied", async () => {
    const world = await pauseWorld({ dialect });
    w = world;
    world.tool.setKey("ok");
    world.tool.setKey("revoked");
    const ids: string[] = [];
    for (const key of ["ok", "revoked", "ok"]) ids.push((await world.importIntegration(key)).id);
    world.tool.revoke("revoked");
    const ctx = world.t.server.ctx;
    const before = await written(world, ids);

    const claimed = await claimDue(ctx, "batch-owner", 10);
    expect(claimed.map((r) => r.id).sort()).toEqual([...ids].sort());
    const scopes = await loadScopeModels(ctx, claimed);
    const works = await Promise.all(
      claimed.map((row) => runClaimedNetwork(ctx, row, scopes, new AbortController().signal)),
    );
    const restore = await failRunsOf(world, dialect, ids[2] as string);
    await expect(applyClaimed(ctx, "batch-owner", works)).rejects.toThrow(/simulated failure/);

    // Nothing of the batch is written, for any of them (not even the check of the revoked key,
    // nor its FAILING event); all three are still claimed.
    const after = await written(world, ids);
    expect(after).toEqual({
      ...before,
      integrations: before.integrations.map((row) => ({ ...row, lease_owner: "batch-owner" })),
    });

    // Applied again without the failure: each integration gets its check, its run, its events once.
    await restore();
    const outcomes = await applyClaimed(ctx, "batch-owner", works);
    expect(outcomes.map((o) => o.kind)).toEqual(
      claimed.map((row) => (row.id === ids[1] ? "not-synced" : "synced")),
    );
    const done = await written(world, ids);
    expect(done.checks.filter((c) => c.trigger === "SYNC")).toHaveLength(3);
    expect(done.runs).toHaveLength(3);
    expect(done.integrations.every((row) => row.lease_owner === null)).toBe(true);
    for (const id of ids) {
      const types = (await world.events(id)).map((e) => e.type);
      expect(types.filter((t) => t === "sync-finished")).toHaveLength(1);
      expect(types.filter((t) => t === "integration-auth-status-changed")).toHaveLength(
        id === ids[1] ? 1 : 0,
      );
    }
    // A second apply of the same results is a no-op: the claims are gone.
    expect((await applyClaimed(ctx, "batch-owner", works)).map((o) => o.kind)).toEqual([
      "skipped",
      "skipped",
      "skipped",
    ]);
    expect(await written(world, ids)).toEqual(done);
  });

  it("writes every row of one batch, the quiet runs and those that change a streak or a state alike", async () => {
    const world = await pauseWorld({
      dialect,
      scope: false,
      config: { pauseAfterMs: 6 * HOUR, syncIntervalMs: 3 * HOUR },
    });
    w = world;
    const names = ["steady", "opens", "extends", "pauses", "recovers", "flaky"] as const;
    const ids = {} as Record<(typeof names)[number], string>;
    for (const name of names) {
      world.tool.setKey(name);
      ids[name] = (await world.importIntegration(name)).id;
    }
    const t0 = world.t.clock.now().getTime();
    const at = (hours: number) => new Date(t0 + hours * HOUR).toISOString();
    await world.step(0);
    world.tool.revoke("pauses");
    world.tool.revoke("recovers");
    await world.step(3 * HOUR);
    world.tool.revoke("extends");
    await world.step(3 * HOUR);
    world.tool.revoke("opens");
    world.tool.setKey("recovers");
    world.tool.setKey("flaky", { outcome: "INCONCLUSIVE" });

    // One claim, one batch: the six results are applied in the same transaction.
    const apply = vi.spyOn(await import("../../src/domain/sync-runs.ts"), "applyClaimed");
    await world.step(3 * HOUR);
    expect(apply.mock.calls.map(([, , works]) => works.length)).toEqual([6]);

    const rows = await world.t.database.db
      .selectFrom("integrations")
      .select(["id", "state", "failing_since", "failed_checks", "last_checked_at", "next_sync_at"])
      .select(["last_succeeded_at", "retry_attempt", "lease_owner", "last_sync_id"])
      .where("id", "in", Object.values(ids))
      .execute();
    const row = (name: (typeof names)[number]) => rows.find((r) => r.id === ids[name]);
    const common = { last_checked_at: at(9), lease_owner: null };
    expect(row("steady")).toMatchObject({
      ...common,
      state: "ACTIVE",
      failing_since: null,
      failed_checks: 0,
      last_succeeded_at: at(9),
      next_sync_at: at(12),
      retry_attempt: 0,
    });
    expect(row("opens")).toMatchObject({
      ...common,
      state: "ACTIVE",
      failing_since: at(9),
      failed_checks: 1,
      last_succeeded_at: at(6),
      next_sync_at: at(12),
    });
    expect(row("extends")).toMatchObject({
      ...common,
      state: "ACTIVE",
      failing_since: at(6),
      failed_checks: 2,
      next_sync_at: at(12),
    });
    expect(row("pauses")).toMatchObject({
      ...common,
      state: "INVALID",
      failing_since: at(3),
      failed_checks: 3,
      next_sync_at: null,
    });
    expect(row("recovers")).toMatchObject({
      ...common,
      state: "ACTIVE",
      failing_since: null,
      failed_checks: 0,
      last_succeeded_at: at(9),
      next_sync_at: at(12),
    });
    expect(row("flaky")).toMatchObject({
      ...common,
      state: "ACTIVE",
      failing_since: null,
      retry_attempt: 1,
      next_sync_at: new Date(t0 + 9 * HOUR + retryDelayMs(0, 3 * HOUR)).toISOString(),
    });
    for (const name of names) {
      const runs = await (await world.t.request("GET", `/v1/integrations/${ids[name]}/syncs?limit=1`)).json();
      expect(row(name)?.last_sync_id, name).toBe((runs as { data: Array<{ id: string }> }).data[0]?.id);
    }
    expect(transitions(await world.events(ids.opens))).toEqual(["integration-created", "auth:FAILING"]);
    expect(transitions(await world.events(ids.pauses))).toEqual([
      "integration-created",
      "auth:FAILING",
      "state:INVALID:AUTHENTICATION_FAILED",
    ]);
    expect(transitions(await world.events(ids.recovers))).toEqual([
      "integration-created",
      "auth:FAILING",
      "auth:OK",
    ]);
    for (const name of ["steady", "extends", "flaky"] as const) {
      expect(transitions(await world.events(ids[name])), name).toEqual(
        name === "extends" ? ["integration-created", "auth:FAILING"] : ["integration-created"],
      );
    }
  });

  it("the scheduler writes the rest of a failed batch one by one; the failing one keeps its claim until the lease expires", async () => {
    const world = await pauseWorld({ dialect });
    w = world;
    world.tool.setKey("k");
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await world.importIntegration("k")).id);
    const poisoned = ids[1] as string;
    const [poisonedBefore] = (await written(world, [poisoned])).integrations;
    const restore = await failRunsOf(world, dialect, poisoned);

    const { outcomes } = await world.t.server.scheduler.runDue();
    expect(outcomes.filter((o) => o.kind === "synced")).toHaveLength(3);
    expect(outcomes.filter((o) => o.kind === "skipped")).toHaveLength(1);
    for (const id of ids.filter((id) => id !== poisoned)) {
      expect((await world.get(id)).last_sync?.sync_state).toBe("SUCCEEDED");
    }
    const stuck = await written(world, [poisoned]);
    expect(stuck.integrations[0]).toEqual({ ...poisonedBefore, lease_owner: world.t.server.scheduler.owner });
    expect(stuck.checks.map((c) => c.trigger)).toEqual(["IMPORT"]);
    expect(stuck.runs).toEqual([]);
    expect(stuck.events.map((e) => e.type)).toEqual(["integration-created"]);

    await restore();
    await world.step(0);
    expect((await world.get(poisoned)).last_sync).toBeNull(); // still claimed
    await world.step(world.t.server.ctx.config.leaseMs + 1);
    expect((await world.get(poisoned)).last_sync?.sync_state).toBe("SUCCEEDED");
  });

  it("writes a batch's events in order, each with one pending delivery per subscribed endpoint", async () => {
    const world = await pauseWorld({ dialect });
    w = world;
    world.tool.setKey("good");
    world.tool.setKey("bad");
    const good = await world.importIntegration("good");
    const bad = await world.importIntegration("bad");
    world.tool.revoke("bad");
    const at = world.t.clock.now().toISOString();
    const endpoint = (id: string, eventTypes: string[] | null, enabled = true) => ({
      id,
      workspace_id: world.t.workspaceId,
      url: `https://example.com/${id}`,
      description: null,
      event_types: eventTypes === null ? null : JSON.stringify(eventTypes),
      enabled,
      secret_sealed: "sealed",
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      created_at: at,
      updated_at: at,
    });
    await world.t.database.db
      .insertInto("webhook_endpoints")
      .values([
        endpoint("we_all", null),
        endpoint("we_auth", ["integration-auth-status-changed"]),
        endpoint("we_off", null, false),
      ])
      .execute();
    const { outcomes } = await world.t.server.scheduler.runDue();
    expect(outcomes).toHaveLength(2);

    const db = world.t.database.db;
    const events = await db
      .selectFrom("events")
      .select(["id", "seq", "type", "integration_id"])
      .where("integration_id", "in", [good.id, bad.id])
      .where("type", "!=", "integration-created")
      .orderBy("seq")
      .execute();
    // Per integration in the order of what happened: the transition, then the run.
    expect(events.filter((e) => e.integration_id === bad.id).map((e) => e.type)).toEqual([
      "integration-auth-status-changed",
      "sync-finished",
    ]);
    expect(events.filter((e) => e.integration_id === good.id).map((e) => e.type)).toEqual(["sync-finished"]);
    const deliveries = await db
      .selectFrom("webhook_deliveries")
      .select(["endpoint_id", "event_id", "event_seq", "integration_id", "status", "attempts"])
      .where("integration_id", "in", [good.id, bad.id])
      .execute();
    const expected = events.flatMap((e) =>
      (e.type === "integration-auth-status-changed" ? ["we_all", "we_auth"] : ["we_all"]).map(
        (endpointId) => ({
          endpoint_id: endpointId,
          event_id: e.id,
          event_seq: Number(e.seq),
          integration_id: e.integration_id,
          status: "PENDING",
          attempts: 0,
        }),
      ),
    );
    const key = (d: { endpoint_id: string; event_id: string }) => `${d.event_id}/${d.endpoint_id}`;
    const sort = <T extends { endpoint_id: string; event_id: string }>(list: T[]) =>
      [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(deliveries.map((d) => ({ ...d, event_seq: Number(d.event_seq) })))).toEqual(sort(expected));
  });

  it("prunes the old checks of every integration of a batch that prunes, and only theirs", async () => {
    const world = await pauseWorld({ dialect, scope: false });
    w = world;
    world.tool.setKey("many");
    const integrations = [];
    for (let i = 0; i < 3; i++) integrations.push(await world.importIntegration("many"));
    for (const integration of integrations) await seedOldAuthChecks(world.t, integration.id, 600);
    const counts = async () => {
      const rows = await world.t.database.db
        .selectFrom("auth_checks")
        .select((eb) => ["integration_id", eb.fn.countAll<number>().as("n")])
        .groupBy("integration_id")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.integration_id, Number(r.n)]));
    };
    const random = vi.spyOn(Math, "random");
    // The first two checks of the batch prune, the third does not.
    random.mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(0.999);
    try {
      await world.step(0);
    } finally {
      random.mockRestore();
    }
    const after = await counts();
    expect(Object.values(after).sort()).toEqual([AUTH_CHECK_RETENTION, AUTH_CHECK_RETENTION, 601 + 1]);
  });

  it(`bounds the retained checks of scheduled runs: at most ${AUTH_CHECK_RETENTION} after each prune`, async () => {
    const world = await pauseWorld({ dialect, scope: false });
    w = world;
    world.tool.setKey("many");
    const integration = await world.importIntegration("many");
    await seedOldAuthChecks(world.t, integration.id, 600);
    const count = async () =>
      Number(
        (
          await world.t.database.db
            .selectFrom("auth_checks")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("integration_id", "=", integration.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const random = vi.spyOn(Math, "random");

    // Checks that do not prune only add.
    random.mockReturnValue(0.999);
    await world.step(0);
    await world.step(3 * HOUR);
    expect(await count()).toBe(601 + 2);

    // The check that prunes keeps the newest ones, itself included.
    random.mockReturnValue(0);
    await world.step(3 * HOUR);
    expect(await count()).toBe(AUTH_CHECK_RETENTION);
    const newest = await world.t.database.db
      .selectFrom("auth_checks")
      .select(["id", "trigger", "checked_at"])
      .where("integration_id", "=", integration.id)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(newest.checked_at).toBe(world.t.clock.now().toISOString());

    // With the real odds, a prune comes about every AUTH_CHECK_PRUNE_EVERY checks.
    random.mockRestore();
    for (let i = 0; i < 8 * AUTH_CHECK_PRUNE_EVERY; i++) await world.step(3 * HOUR);
    expect(await count()).toBeLessThanOrEqual(AUTH_CHECK_RETENTION + 8 * AUTH_CHECK_PRUNE_EVERY);
    expect(await count()).toBeGreaterThanOrEqual(AUTH_CHECK_RETENTION);
  });
});
