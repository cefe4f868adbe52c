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
 * nothing is deleted while there are fewer. One statement per integration, its cut-off read once
 * from the integration's index entries (a subquery correlated with each deleted row would walk
 * them again for every row: quadratic in the retention).
 */
export async function pruneAuthChecks(tx: Tx, integrationIds: readonly string[]): Promise<void> {
  for (const id of integrationIds) await raw(tx, tx.dialect, PRUNE_AUTH_CHECKS, [id, id]);
}

/** The prune of one integration's checks (its id twice): both parts read `auth_checks_integration`. */
export const PRUNE_AUTH_CHECKS = `delete from auth_checks where integration_id = ? and id < (select id from auth_checks where integration_id = ? order by id desc limit 1 offset ${AUTH_CHECK_RETENTION - 1})`;
