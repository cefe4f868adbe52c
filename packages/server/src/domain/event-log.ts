import type { RelinkContext } from "../context.ts";

/** Which events to read, newest first: before the sequence number `beforeSeq`, filtered. */
export interface EventLogQuery {
  limit: number;
  beforeSeq?: number | undefined;
  type?: string | undefined;
  integrationId?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

/**
 * The workspace's event log in commit order (`seq`), newest first; `limit + 1` rows so that the
 * HTTP layer can tell whether another page follows.
 */
export function listEvents(db: RelinkContext["db"], workspaceId: string, q: EventLogQuery) {
  let query = db
    .selectFrom("events")
    .select(["seq", "id", "type", "integration_id", "created_at", "data"])
    .where("workspace_id", "=", workspaceId)
    .orderBy("seq", "desc")
    .limit(q.limit + 1);
  if (q.beforeSeq !== undefined) query = query.where("seq", "<", q.beforeSeq);
  if (q.type) query = query.where("type", "=", q.type);
  if (q.integrationId) query = query.where("integration_id", "=", q.integrationId);
  if (q.createdAfter) query = query.where("created_at", ">", new Date(q.createdAfter).toISOString());
  if (q.createdBefore) query = query.where("created_at", "<", new Date(q.createdBefore).toISOString());
  return query.execute();
}
