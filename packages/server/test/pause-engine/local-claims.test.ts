import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { CompiledQuery } from "kysely";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRelinkServer, type RelinkServer } from "../../src/app.ts";
import { ManualClock } from "../../src/clock.ts";
import {
  CHANGED,
  claimDue,
  isClaimed,
  QUIET,
  releaseOwnerClaims,
  sqliteIntegrationsUpdate,
} from "../../src/domain/integration-store.ts";
import {
  DUE_ROWIDS,
  holderGone,
  holdFileLease,
  type LocalClaims,
  ROWS_BY_ROWID,
} from "../../src/domain/local-claims.ts";
import { applyClaimed, loadScopeModels, runClaimedNetwork } from "../../src/domain/sync-runs.ts";
import { createWorkspace } from "../../src/domain/workspaces.ts";
import { generateEncryptionKey, scriptedConnector } from "../../src/testing/index.ts";
import { HOUR, type PauseWorld, pauseWorld } from "./helpers.ts";

/**
 * SQLite's claims (`domain/local-claims.ts`): held by the one process that holds the file's lease,
 * in its memory, never written into the integration's row; the row lease stays PostgreSQL's (its
 * replicas are covered by `replicas.postgres.test.ts` and the reliability suites).
 */

/** A process that lives until killed: its pid stands for another relink on this host. */
function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid as number,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function setHolder(w: PauseWorld, owner: string, expiresAt: string): Promise<void> {
  await w.t.database.db
    .insertInto("scheduler_leases")
    .values({ name: "scheduler", owner, expires_at: expiresAt })
    .onConflict((oc) => oc.column("name").doUpdateSet({ owner, expires_at: expiresAt }))
    .execute();
  // The process forgets what it believed it held: the next claim reads the row.
  const claims = w.t.server.ctx.claims;
  if (claims) claims.fileLeaseUntilMs = 0;
}

/** One integration on a key the tool accepts, due now. */
async function oneDue(w: PauseWorld) {
  w.tool.setKey("k");
  const integration = await w.importIntegration("k");
  w.t.clock.advance(3 * HOUR);
  return integration;
}

const warnings = (w: PauseWorld) =>
  w.t.logs.filter((l) => String(l.msg).startsWith("another relink process runs the scheduler"));

describe("the scheduler's claims on SQLite", () => {
  let w: PauseWorld | null = null;
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    await w?.close();
    w = null;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("a claim writes nothing into the integration's row; the check then writes it once, the claim released", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    const integration = await oneDue(w);
    const ctx = w.t.server.ctx;
    const before = await w.t.database.db
      .selectFrom("integrations")
      .selectAll()
      .where("id", "=", integration.id)
      .executeTakeFirstOrThrow();

    const [claimed] = await claimDue(ctx, "owner-a", 10);
    expect(claimed?.id).toBe(integration.id);
    expect(claimed).toMatchObject({ lease_owner: "owner-a" });
    const row = await w.t.database.db
      .selectFrom("integrations")
      .selectAll()
      .where("id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(before);
    const at = ctx.clock.now().toISOString();
    expect(isClaimed(ctx, row, at)).toBe(true);
    // Claimed once: another claim (any owner) skips it until it is released or expires.
    expect(await claimDue(ctx, "owner-b", 10)).toEqual([]);

    const scopes = await loadScopeModels(ctx, [claimed as NonNullable<typeof claimed>]);
    const work = await runClaimedNetwork(
      ctx,
      claimed as NonNullable<typeof claimed>,
      scopes,
      new AbortController().signal,
    );
    // Someone else's claim is not applied.
    expect(await applyClaimed(ctx, "owner-b", [work])).toEqual([{ kind: "skipped", reason: "lease-lost" }]);
    const [outcome] = await applyClaimed(ctx, "owner-a", [work]);
    expect(outcome?.kind).toBe("synced");
    expect(isClaimed(ctx, row, at)).toBe(false);
    expect(ctx.claims?.held.size).toBe(0);
    // Applied once: the same result again is dropped.
    expect(await applyClaimed(ctx, "owner-a", [work])).toEqual([{ kind: "skipped", reason: "lease-lost" }]);
    const view = await w.get(integration.id);
    expect(view.last_sync?.sync_state).toBe("SUCCEEDED");
  });

  it("a claim expires after the lease: another owner takes it, the first one's result is dropped", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    const integration = await oneDue(w);
    const ctx = w.t.server.ctx;
    const [first] = await claimDue(ctx, "owner-a", 10);
    const firstWork = await runClaimedNetwork(
      ctx,
      first as NonNullable<typeof first>,
      await loadScopeModels(ctx, [first as NonNullable<typeof first>]),
      new AbortController().signal,
    );
    w.t.clock.advance(ctx.config.leaseMs + 1);
    const [second] = await claimDue(ctx, "owner-b", 10);
    expect(second?.id).toBe(integration.id);
    expect(await applyClaimed(ctx, "owner-a", [firstWork])).toEqual([
      { kind: "skipped", reason: "lease-lost" },
    ]);
    await releaseOwnerClaims(ctx, "owner-b");
    expect(ctx.claims?.held.size).toBe(0);
  });

  it("while another live process holds the file's lease, schedules nothing and says so once; takes over when it is gone", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    const integration = await oneDue(w);
    const other = otherProcess();
    cleanups.push(() => other.kill());
    const far = new Date(w.t.clock.now().getTime() + 3_600_000).toISOString();
    await setHolder(w, `${hostname()}/${other.pid}/cafe0001`, far);

    expect((await w.t.server.scheduler.runDue()).claimed).toBe(0);
    expect((await w.t.server.scheduler.runDue()).claimed).toBe(0);
    expect(warnings(w)).toHaveLength(1);
    expect(warnings(w)[0]).toMatchObject({ level: "warn", holder: `${hostname()}/${other.pid}/cafe0001` });
    expect((await w.get(integration.id)).last_sync).toBeNull();

    // Killed (a crash): its lease is taken over at once, not after it expires.
    await other.kill();
    expect((await w.t.server.scheduler.runDue()).claimed).toBe(1);
    expect((await w.get(integration.id)).last_sync?.sync_state).toBe("SUCCEEDED");
    const lease = await w.t.database.db.selectFrom("scheduler_leases").selectAll().executeTakeFirstOrThrow();
    expect(lease.owner).toBe(w.t.server.ctx.claims?.processOwner);
    expect(w.t.logs.some((l) => l.msg === "took over the scheduler's lease on the SQLite file")).toBe(true);
  });

  it("a holder on another host is waited for until its lease expires", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    await oneDue(w);
    const until = new Date(w.t.clock.now().getTime() + 60_000).toISOString();
    await setHolder(w, "some-other-host/4242/beef0001", until);
    expect((await w.t.server.scheduler.runDue()).claimed).toBe(0);
    w.t.clock.advance(60_001);
    expect((await w.t.server.scheduler.runDue()).claimed).toBe(1);
  });

  it("results of claims made before another process took the file's lease are not written", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    const integration = await oneDue(w);
    const ctx = w.t.server.ctx;
    const claimed = await claimDue(ctx, "owner-a", 10);
    const works = await Promise.all(
      claimed.map(async (row) =>
        runClaimedNetwork(ctx, row, await loadScopeModels(ctx, [row]), new AbortController().signal),
      ),
    );
    // Meanwhile this process stalled past its lease and another one (on another host) took it.
    const until = new Date(w.t.clock.now().getTime() + 60_000).toISOString();
    await setHolder(w, "some-other-host/4242/beef0002", until);
    expect(await applyClaimed(ctx, "owner-a", works)).toEqual([{ kind: "skipped", reason: "lease-lost" }]);
    expect((await w.get(integration.id)).last_sync).toBeNull();
  });

  it("holderGone: only a process of this host that no longer runs (or a former one with this very pid)", async () => {
    const other = otherProcess();
    cleanups.push(() => other.kill());
    expect(holderGone(`${hostname()}/${other.pid}/aa`)).toBe(false);
    await other.kill();
    expect(holderGone(`${hostname()}/${other.pid}/aa`)).toBe(true);
    expect(holderGone(`${hostname()}/${process.pid}/not-this-one`)).toBe(true);
    expect(holderGone(`elsewhere/${other.pid}/aa`)).toBe(false);
    expect(holderGone("garbage")).toBe(false);
  });

  /** Two servers of this process on one SQLite file (as a server restarted in-process would be). */
  async function twoServersOnOneFile() {
    const dir = mkdtempSync(join(tmpdir(), "relink-local-claims-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const url = `sqlite:${join(dir, "relink.db")}`;
    const encryptionKey = generateEncryptionKey();
    const tool = scriptedConnector("scripted");
    tool.setKey("k");
    const servers: RelinkServer[] = [];
    for (let i = 0; i < 2; i++) {
      const server = await createRelinkServer({
        db: url,
        clock,
        connectors: [tool.connector],
        config: { encryptionKey },
      });
      servers.push(server);
      cleanups.push(() => server.close());
    }
    const [a, b] = servers as [RelinkServer, RelinkServer];
    expect(a.ctx.claims).toBe(b.ctx.claims);
    return { a, b, clock };
  }

  const fileLease = (server: RelinkServer) =>
    server.ctx.db.selectFrom("scheduler_leases").selectAll().executeTakeFirst();

  /** A process on another host (its pid cannot be checked from here): only a free lease is its. */
  const onAnotherHost = (): LocalClaims => ({
    held: new Map(),
    byRowid: new Map(),
    processOwner: "some-other-host/4242/beef0003",
    fileLeaseUntilMs: 0,
    warnedAbout: null,
    running: 0,
  });

  it("a clean stop gives the file's lease back: a process on another host takes it at once", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    await oneDue(w);
    const { server } = w.t;
    expect((await server.scheduler.runDue()).claimed).toBe(1);
    expect((await fileLease(server))?.owner).toBe(server.ctx.claims?.processOwner);
    const other = onAnotherHost();
    expect(await holdFileLease(server.ctx, other)).toBe(false);

    await server.scheduler.stop();
    expect(await fileLease(server)).toBeUndefined();
    expect(w.t.logs.some((l) => l.msg === "gave the scheduler's lease on the SQLite file back")).toBe(true);
    expect(await holdFileLease(server.ctx, other)).toBe(true);
    expect((await fileLease(server))?.owner).toBe(other.processOwner);
  });

  it("a stop keeps the file's lease while a claim is live (its batch's write is fenced by it)", async () => {
    w = await pauseWorld({ dialect: "sqlite" });
    await oneDue(w);
    const { server } = w.t;
    expect(await claimDue(server.ctx, "owner-x", 10)).toHaveLength(1);
    await server.scheduler.stop();
    expect((await fileLease(server))?.owner).toBe(server.ctx.claims?.processOwner);
    await releaseOwnerClaims(server.ctx, "owner-x");
    await server.scheduler.stop();
    expect(await fileLease(server)).toBeUndefined();
  });

  it("a stop keeps the file's lease while another scheduler of the process runs on the file", async () => {
    const { a, b } = await twoServersOnOneFile();
    a.scheduler.start();
    b.scheduler.start();
    expect(a.ctx.claims?.running).toBe(2);
    // The first tick takes the lease; generous on a busy machine (vi.waitFor's default is 1 s).
    await vi.waitFor(async () => expect((await fileLease(a))?.owner).toBe(a.ctx.claims?.processOwner), {
      timeout: 15_000,
      interval: 20,
    });
    await b.scheduler.stop();
    await b.scheduler.stop(); // a second stop counts once
    expect(a.ctx.claims?.running).toBe(1);
    expect((await fileLease(a))?.owner).toBe(a.ctx.claims?.processOwner);
    await a.scheduler.stop();
    expect(a.ctx.claims?.running).toBe(0);
    expect(await fileLease(a)).toBeUndefined();
  });

  it("two servers of one process on one file share its claims: a row claimed by one is not claimed by the other", async () => {
    const { a, b, clock } = await twoServersOnOneFile();
    const { apiKey } = await createWorkspace(a.ctx);
    for (let i = 0; i < 6; i++) {
      const response = await a.app.request("/v1/integrations", {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
        body: JSON.stringify({
          tool: "scripted",
          end_user: { origin_id: `org-${i}`, organization_name: `Org ${i}` },
          credentials: { api_key: "k" },
        }),
      });
      expect(response.status).toBe(201);
    }
    clock.advance(3 * HOUR);
    const byA = await claimDue(a.ctx, "a", 4);
    const byB = await claimDue(b.ctx, "b", 10);
    expect(byA).toHaveLength(4);
    expect(byB).toHaveLength(2);
    expect(new Set([...byA, ...byB].map((r) => r.id)).size).toBe(6);
    await releaseOwnerClaims(a.ctx, "a");
    await releaseOwnerClaims(b.ctx, "b");
  });
});

describe("SQLite's claim and batch statements find rows without the primary key's index", () => {
  it("plans: the due scan from the due index alone, the rows and the batch update by rowid", async () => {
    const w = await pauseWorld({ dialect: "sqlite" });
    try {
      const plan = async (text: string, params: unknown[]) =>
        (
          await w.t.database.db.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${text}`, params),
          )
        ).rows
          .map((r) => r.detail)
          .join("\n");
      const due = await plan(DUE_ROWIDS, [w.t.clock.now().toISOString(), 10]);
      expect(due).toMatch(/USING COVERING INDEX integrations_due/);
      expect(due).not.toMatch(/TEMP B-TREE/);
      expect(await plan(ROWS_BY_ROWID, ["[1, 2]"])).toMatch(
        /SEARCH integrations USING INTEGER PRIMARY KEY \(rowid=\?\)/,
      );
      for (const shape of [QUIET, CHANGED]) {
        const width = shape.columns.length + 1;
        const text = sqliteIntegrationsUpdate(shape, 2, true);
        const found = await plan(
          text,
          Array.from({ length: 2 * width }, (_, i) => (i % width === 0 ? i : null)),
        );
        expect(found, shape.name).toMatch(/SEARCH integrations USING INTEGER PRIMARY KEY \(rowid=\?\)/);
        expect(found, shape.name).not.toMatch(/sqlite_autoindex_integrations/);
      }
    } finally {
      await w.close();
    }
  });
});
