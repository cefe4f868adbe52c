import { MAX_LINK_LIFETIME } from "@relink/sdk/contract";
import { type Kysely, sql } from "kysely";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import type { Database } from "../db/schema.ts";
import { idFloor } from "../ids.ts";

/**
 * Retention: what relink keeps of its history, and for how long (`RELINK_RETENTION`, 30 days by
 * default). Everything here is history that only grows; nothing a running flow, a pending delivery
 * or the pause rules still need is ever removed:
 *
 * - webhook deliveries that ended (`SUCCEEDED` or `FAILED`) and their attempts, older than the
 *   retention. A `PENDING` delivery (retrying, or waiting for a disabled endpoint) stays, and so
 *   does its event;
 * - events older than the retention that no delivery refers to any more;
 * - finished sync runs older than the retention, except each integration's latest;
 * - relink links that expired before the retention window;
 * - the records of replaced OAuth grants' revocations (`grant_revocations`) older than the retention;
 * - spent flow tokens and announced flow failures after the longest token lifetime (30 days) plus
 *   the retention: no token they concern can still be valid, and a token that expired longer ago
 *   than the retention is no longer announced when presented (`tokenFailureForgotten`); OAuth
 *   sign-ins a day after they expired.
 *
 * Auth checks have their own bound (the newest 500 per integration, pruned by the scheduler).
 * Ids are time-ordered (`newId` with the clock's time), so "older than" is a primary-key range:
 * each batch costs the rows it removes, whatever the table's size.
 */

/** Rows removed per statement batch (one short transaction each). */
export const RETENTION_BATCH = 1_000;
/** Batches per table per round at most; the next round goes on where this one stopped. */
const MAX_BATCHES = 200;
/** How long a spent token or an announced flow failure is remembered. */
export const tokenMemoryMs = (retentionMs: number): number => MAX_LINK_LIFETIME * 1000 + retentionMs;

/**
 * Whether a token that expired at `expMs` is too old to announce: its flow's failure may already
 * have been announced and forgotten. A failure is remembered `tokenMemoryMs` after it was recorded,
 * which is at the latest the token's expiry (an exit), and at the earliest its issue, at most 30
 * days before the expiry: so a token that expired within the retention is never announced twice.
 */
export const tokenFailureForgotten = (expMs: number, nowMs: number, retentionMs: number): boolean =>
  expMs < nowMs - retentionMs;
const DAY_MS = 86_400_000;

export interface RetentionReport {
  deliveries: number;
  attempts: number;
  events: number;
  syncRuns: number;
  links: number;
  grantRevocations: number;
  spentTokens: number;
  flowFailures: number;
  oauthStates: number;
}

/** The tables pruned by id range, in this order (deliveries before the events they refer to). */
const RANGED = ["webhook_deliveries", "events", "sync_runs", "relink_links", "grant_revocations"] as const;
type Ranged = (typeof RANGED)[number];
const REPORTED: Record<Ranged, keyof RetentionReport> = {
  webhook_deliveries: "deliveries",
  events: "events",
  sync_runs: "syncRuns",
  relink_links: "links",
  grant_revocations: "grantRevocations",
};

/**
 * The oldest removable rows of each table, a batch at most: each scan is a range of the table's
 * id index (`id < idFloor(cutoff)`), so it reads what it removes (the query-plan test checks it).
 */
export function retentionScan(db: Kysely<Database>, table: Ranged, cutoffMs: number) {
  switch (table) {
    case "webhook_deliveries":
      // Ended ones only: a PENDING delivery (retrying, or its endpoint disabled) is still due.
      return db
        .selectFrom("webhook_deliveries")
        .select("id")
        .where("id", "<", idFloor("whdl", cutoffMs))
        .where("status", "in", ["SUCCEEDED", "FAILED"])
        .orderBy("id")
        .limit(RETENTION_BATCH);
    case "events":
      // Those no delivery refers to any more (the ended old ones are removed first).
      return db
        .selectFrom("events")
        .select("id")
        .where("id", "<", idFloor("evt", cutoffMs))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("webhook_deliveries as d").select("d.id").whereRef("d.event_id", "=", "events.id"),
            ),
          ),
        )
        .orderBy("id")
        .limit(RETENTION_BATCH);
    case "sync_runs":
      // Finished, and not the integration's latest (its "last sync" stays, however old).
      return db
        .selectFrom("sync_runs")
        .select("id")
        .where("id", "<", idFloor("sync", cutoffMs))
        .where("status", "=", "FINISHED")
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom("sync_runs as later")
              .select("later.id")
              .whereRef("later.integration_id", "=", "sync_runs.integration_id")
              .whereRef("later.id", ">", "sync_runs.id"),
          ),
        )
        .orderBy("id")
        .limit(RETENTION_BATCH);
    case "relink_links":
      // Created before the cutoff (a link lives 30 days at most) and expired before it.
      return db
        .selectFrom("relink_links")
        .select("id")
        .where("id", "<", idFloor("lnk", cutoffMs))
        .where("expires_at", "<", iso(new Date(cutoffMs)))
        .orderBy("id")
        .limit(RETENTION_BATCH);
    case "grant_revocations":
      // What became of a replaced grant: history once the retention has passed.
      return db
        .selectFrom("grant_revocations")
        .select("id")
        .where("id", "<", idFloor("rev", cutoffMs))
        .orderBy("id")
        .limit(RETENTION_BATCH);
  }
}

/** One pass over every table; returns what it removed. Safe to run on several replicas at once. */
export async function pruneHistory(ctx: RelinkContext): Promise<RetentionReport> {
  const now = ctx.clock.now().getTime();
  const cutoff = now - ctx.config.retentionMs;
  const report: RetentionReport = {
    deliveries: 0,
    attempts: 0,
    events: 0,
    syncRuns: 0,
    links: 0,
    grantRevocations: 0,
    spentTokens: 0,
    flowFailures: 0,
    oauthStates: 0,
  };

  for (const table of RANGED) {
    await batches(ctx, async (tx) => {
      const ids = (await retentionScan(tx.db, table, cutoff).execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      if (table === "webhook_deliveries") {
        const attempts = await tx.db
          .deleteFrom("webhook_attempts")
          .where("delivery_id", "in", ids)
          .executeTakeFirst();
        report.attempts += Number(attempts.numDeletedRows);
      }
      const deleted = await tx.db
        .deleteFrom(table as "events")
        .where("id", "in", ids)
        .executeTakeFirst();
      report[REPORTED[table]] += Number(deleted.numDeletedRows);
      return ids.length;
    });
  }

  // Small tables (one row per completed or failed flow, per sign-in): one statement each.
  await inTransaction(ctx, async (tx) => {
    const forgotten = iso(new Date(now - tokenMemoryMs(ctx.config.retentionMs)));
    report.spentTokens = Number(
      (await tx.db.deleteFrom("spent_tokens").where("spent_at", "<", forgotten).executeTakeFirst())
        .numDeletedRows,
    );
    report.flowFailures = Number(
      (await tx.db.deleteFrom("flow_failures").where("created_at", "<", forgotten).executeTakeFirst())
        .numDeletedRows,
    );
    report.oauthStates = Number(
      (
        await tx.db
          .deleteFrom("oauth_states")
          .where("expires_at", "<", iso(new Date(now - DAY_MS)))
          .executeTakeFirst()
      ).numDeletedRows,
    );
  });
  return report;
}

/** Runs `batch` in short transactions until it removes less than a full batch (or the round's cap). */
async function batches(ctx: RelinkContext, batch: (tx: Tx) => Promise<number>): Promise<void> {
  for (let i = 0; i < MAX_BATCHES; i++) {
    const seen = await inTransaction(ctx, async (tx) => {
      if (tx.dialect === "postgres") await sql`set local lock_timeout = '5s'`.execute(tx.db);
      return batch(tx);
    });
    if (seen < RETENTION_BATCH) return;
  }
}
