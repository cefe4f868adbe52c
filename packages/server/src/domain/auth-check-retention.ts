import type { Tx } from "../context.ts";
import { raw } from "../db/bulk.ts";

// The auth-check retention of the integration store: how many checks each integration keeps.

/** Checks kept per integration: enough for the dashboard's timeline, bounded however often it runs. */
export const AUTH_CHECK_RETENTION = 500;

/**
 * The scheduler records many checks per transaction and prunes an integration's checks at about one
 * check in `AUTH_CHECK_PRUNE_EVERY` (the prune reads the newest `AUTH_CHECK_RETENTION` index entries):
 * between two prunes an integration keeps at most a few dozen checks more than the bound.
 */
export const AUTH_CHECK_PRUNE_EVERY = 16;

/** Whether this check of the scheduler also prunes its integration's old checks. */
export const pruneDue = (): boolean => Math.random() * AUTH_CHECK_PRUNE_EVERY < 1;

/**
 * Keeps the newest `AUTH_CHECK_RETENTION` checks of each of these integrations. Ids are
 * time-ordered: everything older than the integration's `AUTH_CHECK_RETENTION`-th newest goes;
 * nothing is deleted while there are fewer. Each integration's cut-off is read once from its index
 * entries (a subquery correlated with each deleted row would walk them again for every row:
 * quadratic in the retention). SQLite: one statement per integration (in process); PostgreSQL:
 * one statement for all of them (the integrations as an array), every statement being a round trip.
 */
export async function pruneAuthChecks(tx: Tx, integrationIds: readonly string[]): Promise<void> {
  if (integrationIds.length === 0) return;
  if (tx.dialect === "postgres") {
    await raw(tx, tx.dialect, PRUNE_AUTH_CHECKS_MANY, [integrationIds]);
    return;
  }
  for (const id of integrationIds) await raw(tx, tx.dialect, PRUNE_AUTH_CHECKS, [id, id]);
}

/** The prune of one integration's checks (its id twice): both parts read `auth_checks_integration`. */
export const PRUNE_AUTH_CHECKS = `delete from auth_checks where integration_id = ? and id < (select id from auth_checks where integration_id = ? order by id desc limit 1 offset ${AUTH_CHECK_RETENTION - 1})`;

/** PostgreSQL: the prune of many integrations' checks (their ids as one array), each cut-off read once. */
export const PRUNE_AUTH_CHECKS_MANY = `delete from auth_checks d using (
    select p.integration_id, (select c.id from auth_checks c where c.integration_id = p.integration_id
      order by c.id desc limit 1 offset ${AUTH_CHECK_RETENTION - 1}) as cut
    from unnest(cast(? as text[])) as p (integration_id)
  ) k where d.integration_id = k.integration_id and d.id < k.cut`;
