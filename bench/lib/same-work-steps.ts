/**
 * The same-work floor's steps (see `same-work-floor-process.ts`): its prepared statements, its
 * token verifier and its reads of what a flow token names. The floor's process serves them over
 * HTTP; `bench/probe-flow.ts` times them in one process, so both run the very same code.
 */
import type Database from "better-sqlite3";
import { createVerifier } from "fast-jwt";

export type FlowRead =
  | { refused: 401 | 409 }
  | {
      integration: Record<string, unknown>;
      current: { id: string; name: string } | undefined;
      target: { id: string; name: string };
      brand:
        | {
            brand_product_name: string | null;
            brand_logo_url: string | null;
            brand_accent_color: string | null;
          }
        | undefined;
    };

/** The floor's statements, prepared once on its own read-only connection to relink's file. */
export function sameWorkStatements(db: Database.Database) {
  return {
    keyById: db.prepare<
      [string],
      {
        id: string;
        workspace_id: string;
        algorithm: string;
        revoked_at: string | null;
        allowed_origins: string | null;
      }
    >(
      "select k.id, k.workspace_id, k.algorithm, k.revoked_at, w.allowed_origins from signing_keys k left join workspaces w on w.id = k.workspace_id where k.id = ?",
    ),
    spentByJti: db.prepare<[string, string], { jti: string }>(
      "select jti from spent_tokens where workspace_id = ? and jti = ?",
    ),
    integrationById: db.prepare<[string, string], Record<string, unknown>>(
      "select * from integrations where id = ? and workspace_id = ?",
    ),
    scopeConfigById: db.prepare<[string, string], { id: string; name: string }>(
      "select id, name from scope_configs where id = ? and workspace_id = ? and deleted_at is null",
    ),
    brandingById: db.prepare<
      [string],
      { brand_product_name: string | null; brand_logo_url: string | null; brand_accent_color: string | null }
    >("select brand_product_name, brand_logo_url, brand_accent_color from workspaces where id = ?"),
    apiKeyByHash: db.prepare<[string], { id: string; workspace_id: string }>(
      "select id, workspace_id from api_keys where key_hash = ? and revoked_at is null",
    ),
    syncRunById: db.prepare<[string], Record<string, unknown>>("select * from sync_runs where id = ?"),
  };
}

export type SameWorkStatements = ReturnType<typeof sameWorkStatements>;

/**
 * Steps 2–3, the token check: fast-jwt's verifier (made once, as relink's is), HS256, relink's
 * typ and audience, 60 s of skew; the key row read by the token's kid (not revoked, of the
 * token's algorithm), its opened secret from `secrets` (relink keeps opened keys in memory too).
 */
export function sameWorkVerifier(statements: SameWorkStatements, secrets: Record<string, string>) {
  return createVerifier({
    algorithms: ["HS256"],
    checkTyp: "relink-flow+jwt",
    allowedAud: "relink",
    clockTolerance: 60_000,
    complete: true,
    key: async ({ header }: { header: Record<string, unknown> }) => {
      const key = typeof header.kid === "string" ? statements.keyById.get(header.kid) : undefined;
      if (!key || key.revoked_at !== null || key.algorithm !== header.alg) throw new Error("key refused");
      const secret = secrets[key.id];
      if (!secret) throw new Error("key refused");
      return secret;
    },
  });
}

/**
 * Step 4: the rows a verified token names, by primary key: not spent, the integration, its
 * current and target scope configs, the workspace's branding.
 */
export function readFlowRows(statements: SameWorkStatements, payload: Record<string, unknown>): FlowRead {
  const workspaceId = payload.iss as string;
  if (statements.spentByJti.get(workspaceId, payload.jti as string)) return { refused: 409 };
  const integration = statements.integrationById.get(payload.sub as string, workspaceId);
  if (!integration) return { refused: 401 };
  const current = integration.scope_config_id
    ? statements.scopeConfigById.get(integration.scope_config_id as string, workspaceId)
    : undefined;
  const target = payload.scope_config_id
    ? statements.scopeConfigById.get(payload.scope_config_id as string, workspaceId)
    : current;
  if (!target) return { refused: 401 };
  return { integration, current, target, brand: statements.brandingById.get(workspaceId) };
}
