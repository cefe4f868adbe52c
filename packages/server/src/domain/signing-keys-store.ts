import type { RelinkContext } from "../context.ts";
import { SERVER_KEY_PATTERN } from "../flow-tokens/keys.ts";
import type { PageWindow } from "./paging.ts";

/** The workspace's signing keys in use, newest first (the server's own hosted-page keys left out). */
export function listSigningKeys(db: RelinkContext["db"], workspaceId: string, window: PageWindow) {
  let query = db
    .selectFrom("signing_keys")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("revoked_at", "is", null)
    .where("id", "not like", SERVER_KEY_PATTERN)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  return query.execute();
}
