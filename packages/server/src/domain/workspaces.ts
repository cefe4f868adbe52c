import type { ApiKeyScope } from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import { toJson } from "../db/schema.ts";
import { newId } from "../ids.ts";
import { hashToken, randomToken } from "../secrets.ts";
import { normalizeScopes } from "./api-key-scopes.ts";

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  key: string;
  scopes: ApiKeyScope[];
  created_at: string;
  last_used_at: null;
}

/** Makes an API key: shown once here, stored only as its hash. */
export async function createApiKey(
  ctx: Pick<RelinkContext, "db" | "clock">,
  workspaceId: string,
  name: string,
  requested?: readonly ApiKeyScope[],
): Promise<NewApiKey> {
  const key = randomToken("rlk");
  const scopes = normalizeScopes(requested);
  const now = iso(ctx.clock.now());
  const row = {
    id: newId("key"),
    workspace_id: workspaceId,
    name,
    prefix: key.slice(0, 10),
    key_hash: hashToken(key),
    created_at: now,
    scopes: toJson(scopes),
  };
  await ctx.db.insertInto("api_keys").values(row).execute();
  return { id: row.id, name, prefix: row.prefix, scopes, key, created_at: now, last_used_at: null };
}

/** Creates a workspace with its first API key. */
export async function createWorkspace(
  ctx: Pick<RelinkContext, "db" | "clock">,
  name = "Default workspace",
): Promise<{ workspaceId: string; apiKey: NewApiKey }> {
  const workspaceId = newId("ws");
  await ctx.db
    .insertInto("workspaces")
    .values({ id: workspaceId, name, allowed_origins: toJson([]), created_at: iso(ctx.clock.now()) })
    .execute();
  return { workspaceId, apiKey: await createApiKey(ctx, workspaceId, "First key") };
}

/** The origins whose pages may run the workspace's connect flows. */
export async function readAllowedOrigins(db: RelinkContext["db"], workspaceId: string): Promise<string[]> {
  const row = await db
    .selectFrom("workspaces")
    .select("allowed_origins")
    .where("id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  return row.allowed_origins ?? [];
}

/** Replaces the allowed origins (each once); callers drop the cached origin policy. */
export async function writeAllowedOrigins(
  db: RelinkContext["db"],
  workspaceId: string,
  origins: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(origins)];
  await db
    .updateTable("workspaces")
    .set({ allowed_origins: toJson(unique) })
    .where("id", "=", workspaceId)
    .execute();
  return unique;
}
