/**
 * The same-work floor's steps (see `same-work-floor-process.ts`): its prepared statements, its
 * token verifier and its reads of what a flow token names. The floor's process serves them over
 * HTTP; `bench/probe-flow.ts` times them in one process, so both run the very same code.
 */
import type Database from "better-sqlite3";
import { createVerifier } from "fast-jwt";
import {
  CLOCK_SKEW,
  FlowTokenClaimsSchema,
  MAX_SDK_TOKEN_LIFETIME,
  MAX_TOKEN_BYTES,
} from "../../packages/sdk/src/contract/index.ts";

export type FlowRead =
  | { refused: 401 | 409 }
  | {
      payload: Record<string, unknown>;
      integration: Record<string, unknown>;
      current: ScopeConfig | undefined;
      target: ScopeConfig;
      brand:
        | {
            brand_product_name: string | null;
            brand_logo_url: string | null;
            brand_accent_color: string | null;
          }
        | undefined;
    };

/** A scope config row as read (its models as stored: JSON text). */
export interface ScopeConfig {
  id: string;
  name: string;
  models: string;
}

/**
 * A statement whose rows are built as relink's data layer builds them (`db/connect.ts`): from
 * better-sqlite3's raw arrays, by an object literal made once per statement, not by better-sqlite3
 * setting each column through the V8 API, which leaves a row as wide as an integration's (34
 * columns) a slow dictionary object and costs about 6.5 µs more a read (15.6 µs against 8.9 µs on
 * the bench's fixture, 2026-12-03). The floor must not pay for a read what relink does not.
 */
function builtRows<P extends unknown[], R>(stmt: Database.Statement<P, R>) {
  const raw = stmt.raw(true);
  const fields = raw.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
  const build = new Function("v", `return { ${fields.join(", ")} };`) as (values: unknown[]) => R;
  return {
    get(...params: P): R | undefined {
      const values = raw.get(...params) as unknown[] | undefined;
      return values === undefined ? undefined : build(values);
    },
  };
}

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
    integrationById: builtRows(
      db.prepare<[string, string], Record<string, unknown>>(
        "select * from integrations where id = ? and workspace_id = ?",
      ),
    ),
    scopeConfigById: builtRows(
      db.prepare<[string, string], ScopeConfig>(
        "select * from scope_configs where id = ? and workspace_id = ? and deleted_at is null",
      ),
    ),
    brandingById: db.prepare<
      [string],
      { brand_product_name: string | null; brand_logo_url: string | null; brand_accent_color: string | null }
    >("select brand_product_name, brand_logo_url, brand_accent_color from workspaces where id = ?"),
    apiKeyByHash: db.prepare<[string], { id: string; workspace_id: string; scopes: string }>(
      "select id, workspace_id, scopes from api_keys where key_hash = ? and revoked_at is null",
    ),
    syncRunById: builtRows(
      db.prepare<[string], Record<string, unknown>>("select * from sync_runs where id = ?"),
    ),
  };
}

export type SameWorkStatements = ReturnType<typeof sameWorkStatements>;

/**
 * Steps 2–3, the token's signature and header: fast-jwt's verifier (made once, as relink's is),
 * HS256, relink's typ and audience, 60 s of skew; the key row read by the token's kid (not revoked,
 * of the token's algorithm, of the workspace the token names as its issuer), its opened secret
 * from `secrets` (relink keeps opened keys in memory too).
 */
export function sameWorkVerifier(statements: SameWorkStatements, secrets: Record<string, string>) {
  return createVerifier({
    algorithms: ["HS256"],
    checkTyp: "relink-flow+jwt",
    allowedAud: "relink",
    clockTolerance: 60_000,
    complete: true,
    key: async ({
      header,
      payload,
    }: {
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
    }) => {
      const key = typeof header.kid === "string" ? statements.keyById.get(header.kid) : undefined;
      if (!key || key.revoked_at !== null || key.algorithm !== header.alg) throw new Error("key refused");
      if (payload.iss !== key.workspace_id) throw new Error("issuer refused");
      const secret = secrets[key.id];
      if (!secret) throw new Error("key refused");
      return secret;
    },
  });
}

/** Step 2, before the token is parsed: its size (relink refuses a token over 4 KiB unread). */
const tokenFits = (token: string) => token.length <= MAX_TOKEN_BYTES;

/**
 * Step 3b, the claims every flow token must carry (docs/design.md, flow tokens), once the signature
 * holds: `iat` not in the future, a lifetime of at most an hour, and their shape by the contract's
 * schema (the same zod schema the SDK mints against and relink checks with).
 */
function claimsHold(payload: Record<string, unknown>, nowSeconds: number): boolean {
  const { iat, exp } = payload;
  if (typeof iat !== "number" || typeof exp !== "number") return false;
  if (iat > nowSeconds + CLOCK_SKEW || exp - iat > MAX_SDK_TOKEN_LIFETIME) return false;
  return FlowTokenClaimsSchema.safeParse(payload).success;
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
  return { payload, integration, current, target, brand: statements.brandingById.get(workspaceId) };
}

/**
 * Steps 2–4 of a flow token, in order (the floor's route and `bench/probe-flow.ts` both run
 * this): its size, its signature and header (`verify`, from `sameWorkVerifier`), its claims, then
 * the rows it names; a refusal is the status the floor answers.
 */
export async function verifyAndReadFlow(
  statements: SameWorkStatements,
  verify: ReturnType<typeof sameWorkVerifier>,
  token: string,
  nowSeconds: number,
): Promise<FlowRead> {
  if (!tokenFits(token)) return { refused: 401 };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = (await verify(token)) as { payload: Record<string, unknown> });
  } catch {
    return { refused: 401 };
  }
  if (!claimsHold(payload, nowSeconds)) return { refused: 401 };
  return readFlowRows(statements, payload);
}
