import type { IntegrationStats } from "@relink/sdk/contract";
import { sql } from "kysely";
import type { RelinkContext } from "../context.ts";

/** Read models for the operator dashboard. */

/** Integrations counted per state, and how many active ones are failing auth. */
export async function integrationStats(
  db: RelinkContext["db"],
  workspaceId: string,
): Promise<IntegrationStats> {
  // Both counts read the (workspace_id, state, id) index; only the failing count visits rows.
  const [perState, failing] = await Promise.all([
    db
      .selectFrom("integrations")
      .select(["state", sql<number | string>`count(*)`.as("n")])
      .where("workspace_id", "=", workspaceId)
      .groupBy("state")
      .execute(),
    db
      .selectFrom("integrations")
      .select(sql<number | string>`count(*)`.as("n"))
      .where("workspace_id", "=", workspaceId)
      .where("state", "=", "ACTIVE")
      .where("failing_since", "is not", null)
      .executeTakeFirstOrThrow(),
  ]);
  const stats = { ACTIVE: 0, INVALID: 0, INACTIVE: 0, failing: Number(failing.n), total: 0 };
  for (const row of perState) {
    const n = Number(row.n);
    stats.total += n;
    if (row.state === "ACTIVE" || row.state === "INVALID" || row.state === "INACTIVE") stats[row.state] = n;
  }
  return stats;
}

/** When each of the given paused (INVALID) integrations was paused, from the event log. */
export async function pauseMoments(
  db: RelinkContext["db"],
  workspaceId: string,
  ids: readonly string[],
): Promise<Array<{ integration_id: string; paused_at: string }>> {
  const paused = await db
    .selectFrom("integrations")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("state", "=", "INVALID")
    .where("id", "in", ids)
    .execute();
  if (paused.length === 0) return [];
  const events = await db
    .selectFrom("events")
    .select(["integration_id", "data", "created_at"])
    .where("workspace_id", "=", workspaceId)
    .where("type", "=", "integration-state-changed")
    .where(
      "integration_id",
      "in",
      paused.map((row) => row.id),
    )
    .orderBy("seq", "desc")
    .execute();
  const pausedAt = new Map<string, string>();
  for (const event of events) {
    if (!event.integration_id || pausedAt.has(event.integration_id)) continue;
    if (event.data.state === "INVALID") pausedAt.set(event.integration_id, event.created_at);
  }
  return [...pausedAt].map(([integration_id, paused_at]) => ({ integration_id, paused_at }));
}
