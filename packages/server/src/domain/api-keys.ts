import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { DomainError, notFound } from "./errors.ts";
import type { PageWindow } from "./paging.ts";

/** The workspace's API keys in use, newest first (never the keys: only their prefixes). */
export function listApiKeys(db: RelinkContext["db"], workspaceId: string, window: PageWindow) {
  let query = db
    .selectFrom("api_keys")
    .select(["id", "name", "prefix", "scopes", "created_at", "last_used_at"])
    .where("workspace_id", "=", workspaceId)
    .where("revoked_at", "is", null)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  return query.execute();
}

/**
 * Revokes an API key at once; the workspace's last key with the `management` scope is refused
 * (`LAST_API_KEY`): without it nobody could make another.
 */
export async function revokeApiKey(
  ctx: Pick<RelinkContext, "db" | "clock">,
  workspaceId: string,
  id: string,
): Promise<void> {
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const active = await trx
      .selectFrom("api_keys")
      .select(["id", "scopes"])
      .where("workspace_id", "=", workspaceId)
      .where("revoked_at", "is", null)
      .execute();
    const revoking = active.find((k) => k.id === id);
    if (!revoking) throw notFound("API key");
    const managing = active.filter((k) => k.scopes.includes("management"));
    if (revoking.scopes.includes("management") && managing.length === 1) {
      throw new DomainError(
        "LAST_API_KEY",
        "This is the workspace's last API key with the management scope; create another one first.",
      );
    }
    return trx
      .updateTable("api_keys")
      .set({ revoked_at: iso(ctx.clock.now()) })
      .where("id", "=", id)
      .where("workspace_id", "=", workspaceId)
      .executeTakeFirst();
  });
  if (!revoked.numUpdatedRows) throw notFound("API key");
}
