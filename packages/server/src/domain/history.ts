import type { GrantRevocation } from "@relink/sdk/contract";
import type { Selectable } from "kysely";
import type { RelinkContext } from "../context.ts";
import type { Database, GrantRevocationRow } from "../db/schema.ts";
import { notFound } from "./errors.ts";
import { findIntegration } from "./integrations.ts";
import type { PageWindow } from "./paging.ts";

/**
 * An integration's history (sync runs, auth checks or grant revocations), newest first;
 * `NOT_FOUND` for another workspace's id.
 */
export async function integrationHistory<T extends "sync_runs" | "auth_checks" | "grant_revocations">(
  db: RelinkContext["db"],
  workspaceId: string,
  integrationId: string,
  table: T,
  window: PageWindow,
): Promise<Array<Selectable<Database[T]> & { id: string }>> {
  if (!(await findIntegration(db, workspaceId, integrationId))) throw notFound("Integration");
  let query = db
    .selectFrom(table as "sync_runs")
    .selectAll()
    .where("integration_id", "=", integrationId)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  return (await query.execute()) as unknown as Array<Selectable<Database[T]> & { id: string }>;
}

/** A grant revocation as the API answers it. */
export function toGrantRevocation(row: GrantRevocationRow): GrantRevocation {
  return {
    id: row.id,
    integration_id: row.integration_id,
    tool: row.tool,
    outcome: row.outcome,
    detail: row.detail,
    created_at: row.created_at,
  };
}
