import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { CompiledQuery } from "kysely";
import type { RelinkContext, Tx } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";

/**
 * The scheduler's claims on SQLite. SQLite is for one relink process (PostgreSQL for several
 * replicas), so a claim need not be a write of the integration's row (the lease columns that
 * PostgreSQL's replicas share): the process holds one lease on the whole file (`scheduler_leases`,
 * renewed while it schedules) and its claims in memory. A claimed check then writes the row once,
 * with its result, instead of twice.
 *
 * What the row's lease gave still holds:
 * - a claim is run once: the process that holds the file lease is the only one that claims, and a
 *   batch of results is written only while it still holds it (read in the batch's transaction);
 * - a claim expires (`leaseMs`): one whose result was never written is taken again after that;
 * - a crash loses nothing: the claims die with the process, and a process restarted on the same
 *   host takes the file lease over at once (its holder is no longer running); from another host it
 *   waits until the lease expires. A clean stop gives the lease back (`releaseFileLease`), so the
 *   next process takes it at once wherever it runs (a container moved to another node);
 * - a second process on the same file (a mistake: SQLite serves one) schedules nothing while the
 *   first runs, and says so in its log.
 *
 * The claims are kept per database file, shared by every handle this process has open on it (a test
 * running two schedulers on one file, a server restarted in-process, see each other's claims).
 */
export interface LocalClaims {
  /** The claim on each id now held (expired ones included, until taken again), with its row's rowid. */
  readonly held: Map<string, { owner: string; expiresMs: number; rowid: number }>;
  /** The ids held, by rowid: the due scan skips them from the index alone. */
  readonly byRowid: Map<number, string>;
  /** This process's owner of the file lease: `host/pid/random`. */
  readonly processOwner: string;
  /** When the file lease this process holds runs out (ms), or 0 when it holds none. */
  fileLeaseUntilMs: number;
  /** The holder this process last warned about (once per holder). */
  warnedAbout: string | null;
  /** Schedulers of this process started on the file and not yet stopped. */
  running: number;
}

const registries = new Map<string, LocalClaims>();
const processOwner = `${hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;

/** The claims of the SQLite file at `path` (absolute), or of one in-memory database (`undefined`). */
export function localClaimsFor(path: string | undefined): LocalClaims {
  const fresh = (): LocalClaims => ({
    held: new Map(),
    byRowid: new Map(),
    processOwner,
    fileLeaseUntilMs: 0,
    warnedAbout: null,
    running: 0,
  });
  if (path === undefined) return fresh();
  let claims = registries.get(path);
  if (!claims) {
    claims = fresh();
    registries.set(path, claims);
  }
  return claims;
}

const FILE_LEASE = "scheduler";

/**
 * Whether the process that wrote `owner` (`host/pid/random`) is provably gone: it ran on this host
 * and no process has its pid any more, or this very process has its pid (a restart in a container
 * that reuses pids) while being another owner.
 */
export function holderGone(owner: string): boolean {
  const [host, pidText] = owner.split("/");
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return owner !== processOwner;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Takes or renews this process's lease on the file; false when another live process holds it. A
 * held lease is renewed once half of it has run, so that an idle scheduler writes rarely.
 */
export async function holdFileLease(
  ctx: Pick<RelinkContext, "db" | "clock" | "config" | "log">,
  claims: LocalClaims,
): Promise<boolean> {
  const nowMs = ctx.clock.now().getTime();
  if (claims.fileLeaseUntilMs - nowMs > ctx.config.leaseMs / 2) return true;
  const until = new Date(nowMs + ctx.config.leaseMs).toISOString();
  const current = await ctx.db
    .selectFrom("scheduler_leases")
    .select(["owner", "expires_at"])
    .where("name", "=", FILE_LEASE)
    .executeTakeFirst();
  const free =
    !current ||
    current.owner === claims.processOwner ||
    Date.parse(current.expires_at) <= nowMs ||
    holderGone(current.owner);
  if (free) {
    // Taken only from the holder just read (another process may be taking it at the same moment).
    const result = await ctx.db
      .insertInto("scheduler_leases")
      .values({ name: FILE_LEASE, owner: claims.processOwner, expires_at: until })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ owner: claims.processOwner, expires_at: until })
          .where("scheduler_leases.owner", "=", current?.owner ?? claims.processOwner),
      )
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) {
      if (current && current.owner !== claims.processOwner) {
        ctx.log.info({ previous: current.owner }, "took over the scheduler's lease on the SQLite file");
      }
      claims.fileLeaseUntilMs = nowMs + ctx.config.leaseMs;
      claims.warnedAbout = null;
      return true;
    }
  }
  claims.fileLeaseUntilMs = 0;
  const holder = current?.owner ?? "another process";
  if (claims.warnedAbout !== holder) {
    claims.warnedAbout = holder;
    ctx.log.warn(
      { holder },
      "another relink process runs the scheduler on this SQLite file: this one schedules nothing while it does (SQLite serves one process; run replicas on PostgreSQL)",
    );
  }
  return false;
}

/**
 * At a scheduler's stop: gives the file's lease back (deletes its row) when no other scheduler of
 * this process runs on the file and no claim is live, so that the next process takes it at once,
 * on another host too (where the holder's pid cannot be checked, it would wait `RELINK_LEASE`).
 * A live claim (another handle's batch in flight) keeps it: that batch's write is fenced by it.
 * A claim taken by a handle with no started scheduler (`runDue` alone) at the very moment of the
 * last stop can lose its lease: its result is then dropped and the check runs again once its claim
 * expires, as after a takeover. Returns whether the lease was given back.
 */
export async function releaseFileLease(
  ctx: Pick<RelinkContext, "db" | "clock">,
  claims: LocalClaims,
): Promise<boolean> {
  if (claims.running > 0 || liveClaims(claims, ctx.clock.now().getTime()) > 0) return false;
  claims.fileLeaseUntilMs = 0;
  claims.warnedAbout = null;
  const result = await ctx.db
    .deleteFrom("scheduler_leases")
    .where("name", "=", FILE_LEASE)
    .where("owner", "=", claims.processOwner)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Whether this process still holds the file lease, read in the transaction that writes results. */
export async function stillHoldsFileLease(tx: Tx, claims: LocalClaims): Promise<boolean> {
  const row = await tx.db
    .selectFrom("scheduler_leases")
    .select("owner")
    .where("name", "=", FILE_LEASE)
    .executeTakeFirst();
  return row?.owner === claims.processOwner;
}

/** Whether `id` is claimed now (a claim not yet expired at `nowMs`). */
export function claimedNow(claims: LocalClaims, id: string, nowMs: number): boolean {
  const claim = claims.held.get(id);
  return claim !== undefined && claim.expiresMs > nowMs;
}

/** How many claims have not expired at `nowMs`. */
export function liveClaims(claims: LocalClaims, nowMs: number): number {
  let live = 0;
  for (const claim of claims.held.values()) if (claim.expiresMs > nowMs) live++;
  return live;
}

/** Records `owner`'s claim on the row `id` (`rowid`) until `expiresMs` (taking over an expired one). */
export function holdLocal(
  claims: LocalClaims,
  id: string,
  rowid: number,
  owner: string,
  expiresMs: number,
): void {
  const previous = claims.held.get(id);
  if (previous) claims.byRowid.delete(previous.rowid);
  claims.held.set(id, { owner, expiresMs, rowid });
  claims.byRowid.set(rowid, id);
}

function drop(claims: LocalClaims, id: string): void {
  const claim = claims.held.get(id);
  if (!claim) return;
  claims.held.delete(id);
  if (claims.byRowid.get(claim.rowid) === id) claims.byRowid.delete(claim.rowid);
}

/** Releases `owner`'s claims on `ids` (another owner's claim on one of them stays). */
export function releaseLocal(claims: LocalClaims, owner: string, ids: Iterable<string>): void {
  for (const id of ids) if (claims.held.get(id)?.owner === owner) drop(claims, id);
}

/** Releases every claim `owner` holds. */
export function releaseOwnerLocal(claims: LocalClaims, owner: string): void {
  for (const [id, claim] of claims.held) if (claim.owner === owner) drop(claims, id);
}

/** SQLite: the first due rows' rowids, from the due index alone (`?`: now, how many). */
export const DUE_ROWIDS =
  "select rowid from integrations where next_sync_at <= ? order by next_sync_at limit ?";
/** SQLite: integration rows by rowid, with it (`?`: a JSON array of rowids). */
export const ROWS_BY_ROWID =
  "select rowid, * from integrations where rowid in (select value from json_each(?))";

/**
 * SQLite: the claim is this process's, in memory (`local-claims.ts`), while it holds the file's
 * lease; the due rows are read, not written. The due index alone gives the first due rows' rowids
 * (the claims still running are among them: as many more are read, and skipped by rowid); then the
 * rows chosen are read by rowid (not through the primary key's index: one B-tree less per row).
 * The rows' own lease columns are PostgreSQL's: not read here.
 */
export async function claimDueLocally(
  ctx: Pick<RelinkContext, "db" | "dialect" | "clock" | "config" | "log">,
  claims: LocalClaims,
  owner: string,
  limit: number,
  { nowMs, expiresMs }: { nowMs: number; expiresMs: number },
): Promise<IntegrationRow[]> {
  if (!(await holdFileLease(ctx, claims))) return [];
  const now = new Date(nowMs).toISOString();
  const due = await ctx.db.executeQuery<{ rowid: number }>(
    CompiledQuery.raw(DUE_ROWIDS, [now, limit + liveClaims(claims, nowMs)]),
  );
  const chosen: number[] = [];
  for (const { rowid } of due.rows) {
    if (chosen.length === limit) break;
    const id = claims.byRowid.get(rowid);
    if (id === undefined || !claimedNow(claims, id, nowMs)) chosen.push(rowid);
  }
  if (chosen.length === 0) return [];
  const rows = await ctx.db.executeQuery<IntegrationRow & { rowid: number }>(
    CompiledQuery.raw(`${ROWS_BY_ROWID} order by next_sync_at`, [JSON.stringify(chosen)]),
  );
  const claimed: IntegrationRow[] = [];
  const leaseExpiresAt = new Date(expiresMs).toISOString();
  for (const { rowid, ...row } of rows.rows) {
    if (claimedNow(claims, row.id, nowMs)) continue; // a rowid reused since (after a VACUUM)
    holdLocal(claims, row.id, rowid, owner, expiresMs);
    claimed.push({ ...row, lease_owner: owner, lease_expires_at: leaseExpiresAt });
  }
  return claimed;
}
