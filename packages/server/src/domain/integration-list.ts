import type { IntegrationListQuerySchema } from "@relink/sdk/contract";
import { sql } from "kysely";
import type { z } from "zod";
import type { RelinkContext } from "../context.ts";
import type { PageWindow } from "./paging.ts";

/** The filters of `GET /v1/integrations`. */
export type IntegrationFilter = Omit<z.infer<typeof IntegrationListQuerySchema>, "limit" | "cursor">;

/** The workspace's integrations, newest first, filtered (`q`: organisation name or origin id, case-insensitive). */
export function listIntegrations(
  db: RelinkContext["db"],
  workspaceId: string,
  window: PageWindow,
  filter: IntegrationFilter,
) {
  let query = db
    .selectFrom("integrations as i")
    .selectAll("i")
    .where("i.workspace_id", "=", workspaceId)
    .orderBy("i.id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("i.id", "<", window.after);
  if (filter.state) query = query.where("i.state", "=", filter.state);
  if (filter.tool) query = query.where("i.tool", "=", filter.tool);
  if (filter.end_user_origin_id) query = query.where("i.end_user_origin_id", "=", filter.end_user_origin_id);
  if (filter.remote_account_id) query = query.where("i.account_id", "=", filter.remote_account_id);
  if (filter.auth_status === "FAILING") query = query.where("i.failing_since", "is not", null);
  if (filter.auth_status === "OK")
    query = query.where("i.failing_since", "is", null).where("i.last_checked_at", "is not", null);
  if (filter.auth_status === "UNKNOWN")
    query = query.where("i.failing_since", "is", null).where("i.last_checked_at", "is", null);
  if (filter.q) {
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(i.end_user_organization_name)`, "like", sql`${pattern} escape '\\'`),
        eb(sql`lower(i.end_user_origin_id)`, "like", sql`${pattern} escape '\\'`),
      ]),
    );
  }
  return query.execute();
}
