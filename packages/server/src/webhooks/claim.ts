import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { type CandidateRow, type DispatcherQueries, type Executor, type LoadedRow, run } from "./queries.ts";

/** The claim part of the webhook dispatcher: due deliveries leased, and what sending them needs. */

/**
 * A delivery found waiting behind an earlier pending one is looked at again after this long at
 * the latest; normally the earlier one's completion wakes it at once.
 */
const WAITING_RECHECK_MS = 60_000;
/**
 * Due deliveries read beyond the free slots (a quarter more): the waiting ones among them are set
 * aside, so that the next claim reads past them; in a backlog without failures there are none.
 */
const candidateLimit = (slots: number) => slots + Math.ceil(slots / 4);

export interface ClaimedDelivery {
  id: string;
  attempts: number;
  endpoint_id: string;
  event_id: string;
  integration_id: string | null;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | null;
  event_created_at: string;
  /** The request body (the same for every endpoint an event goes to). */
  body: string;
}

export interface Claim {
  rows: ClaimedDelivery[];
  /** Due deliveries set aside because an earlier one of their integration is still pending. */
  setAside: number;
}

export interface ClaimerOptions {
  q: DispatcherQueries;
  /** This dispatcher's lease owner. */
  owner: string;
  leaseMs: number;
  /** Whether a delivery is being attempted by this dispatcher already (it is not claimed twice). */
  inflight: (id: string) => boolean;
}

/** Claims through a given executor: `claimWith(db, limit)`. */
export type Claimer = (db: Executor, limit: number) => Promise<Claim>;

export function deliveryClaimer(
  ctx: Pick<RelinkContext, "clock" | "dialect">,
  options: ClaimerOptions,
): Claimer {
  const { q, owner, leaseMs } = options;
  const postgres = ctx.dialect === "postgres";

  /**
   * `{ id, type, created_at, data }` as JSON. On SQLite `data` is read as the JSON text it was
   * written as (`toJson`), not parsed and serialized again; PostgreSQL gives it parsed.
   */
  function bodyOf(row: LoadedRow): string {
    const data = postgres ? JSON.stringify(row.event_data) : (row.event_data as string);
    return `{"id":${JSON.stringify(row.event_id)},"type":${JSON.stringify(row.type)},"created_at":${JSON.stringify(row.event_created_at)},"data":${data}}`;
  }

  /**
   * Leases up to `limit` due deliveries, in due order, and loads what sending them needs, through
   * `db` (on PostgreSQL a transaction: the candidates stay locked until it ends, so that replicas
   * never claim the same row; on SQLite, outside a flush, plain statements, each update re-checking
   * its rows: a deferred transaction that reads then writes would fail with SQLITE_BUSY whenever
   * another connection wrote in between). Due deliveries waiting behind an earlier pending one of
   * their integration are set aside for a while instead (the earlier one's completion wakes the
   * next), so that a long queue behind a failing receiver is not read again on every claim.
   */
  return async function claimWith(db: Executor, limit: number): Promise<Claim> {
    const now = ctx.clock.now();
    const nowIso = iso(now);
    const leaseUntil = iso(new Date(now.getTime() + leaseMs));
    const candidates = await run<CandidateRow>(db, q.candidates, [nowIso, candidateLimit(limit)]);
    if (candidates.length === 0) return { rows: [], setAside: 0 };
    // Ties in any order: the order within an integration is kept by the waiting check.
    const ready: string[] = [];
    let waitingRows: CandidateRow[] = [];
    for (const c of candidates) {
      if (c.waiting) waitingRows.push(c);
      else if (ready.length < limit) ready.push(c.id);
    }
    if (waitingRows.length > 0 && postgres) {
      // The earlier pending deliveries are share-locked before anything is set aside: one being
      // completed right now (its row locked) is skipped, so what waits behind it stays due; one
      // not being completed cannot complete before this claim commits, and its wake-up then
      // sees what was set aside. Without it, a completion racing this claim lost its wake-up
      // and the integration's queue stalled for the whole recheck delay.
      const blockers = await run<Pick<CandidateRow, "endpoint_id" | "integration_id" | "event_seq">>(
        db,
        q.blockers,
        [q.list([...new Set(waitingRows.map((c) => c.integration_id ?? ""))])],
      );
      waitingRows = waitingRows.filter((c) =>
        blockers.some(
          (b) =>
            b.endpoint_id === c.endpoint_id &&
            b.integration_id === c.integration_id &&
            b.event_seq < c.event_seq,
        ),
      );
    }
    // Both updates check again that the rows are still due: on SQLite they may run outside a
    // transaction, and another claimer may have taken a row since it was read. Setting aside
    // checks afresh that an earlier delivery is still pending: if it completed since the
    // candidates were read, its wake-up has already run, and setting this one aside would stall
    // the integration's queue for the whole recheck delay.
    if (waitingRows.length > 0) {
      const recheckAt = iso(new Date(now.getTime() + WAITING_RECHECK_MS));
      await run(db, q.setAside, [recheckAt, q.list(waitingRows.map((c) => c.id)), nowIso]);
    }
    const setAside = waitingRows.length;
    if (ready.length === 0) return { rows: [], setAside };
    const claimed = await run<{ id: string }>(db, q.claim, [
      owner,
      leaseUntil,
      leaseUntil,
      q.list(ready),
      nowIso,
    ]);
    const taken = new Set(claimed.map((r) => r.id));
    const ids = ready.filter((id) => taken.has(id) && !options.inflight(id));
    if (ids.length === 0) return { rows: [], setAside };
    const loaded = await run<LoadedRow>(db, q.load, [q.list(ids)]);
    const byId = new Map<string, ClaimedDelivery>();
    const bodies = new Map<string, string>();
    for (const row of loaded) {
      let body = bodies.get(row.event_id);
      if (body === undefined) {
        body = bodyOf(row);
        bodies.set(row.event_id, body);
      }
      byId.set(row.id, {
        id: row.id,
        attempts: Number(row.attempts),
        endpoint_id: row.endpoint_id,
        event_id: row.event_id,
        integration_id: row.integration_id,
        url: row.url,
        secret_sealed: row.secret_sealed,
        previous_secret_sealed: row.previous_secret_sealed,
        previous_secret_expires_at: row.previous_secret_expires_at,
        event_created_at: row.event_created_at,
        body,
      });
    }
    // Keep the claim order (due time) for the attempts.
    const rows = ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [row] : [];
    });
    return { rows, setAside };
  };
}
