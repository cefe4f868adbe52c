import type { AuthHealth, SyncSession, SyncSessionOpened } from "@relink/sdk/contract";
import type { Kysely } from "kysely";
import { refreshAccessToken } from "../connectors/oauth.ts";
import type { Connector, Credentials } from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { batchedWrites } from "../db/batched-writes.ts";
import { type PreparedParam, prepared } from "../db/prepared.ts";
import type { Database, IntegrationRow, SyncSessionRow } from "../db/schema.ts";
import { parseDuration } from "../duration.ts";
import { newId } from "../ids.ts";
import { DomainError, notFound } from "./errors.ts";
import { authStatus, findIntegration, openCredentials, pausesAt } from "./integrations.ts";
import { readableModels } from "./scope.ts";
import { checkAuthNow, type ManualCheckAnswer } from "./sync-runs.ts";

/**
 * Sync sessions: the gate in front of a sync the product runs itself. Opening one runs an auth
 * check through the same path as the operator's check (`checkAuthNow`, trigger `SESSION`), so an
 * `AUTH_FAILED` counts towards the streak and may pause exactly as a scheduled sync's would, and an
 * `INCONCLUSIVE` never does; only an `OK` hands out credentials. Finishing records a sync run with
 * trigger `EXTERNAL` and announces `sync-finished`; a reported `AUTHENTICATION_FAILED` only makes
 * relink check again at once, and that check's outcome alone counts. A session left open past
 * `expires_at` is closed by the scheduler's sweep (`expireSyncSessions`) as `FAILED`,
 * `SESSION_EXPIRED`.
 *
 * OAuth tokens: a session hands out an access token valid at least as long as the session. When
 * the stored one is not, it is refreshed under a lease row (`credential_refresh_leases`) that one
 * process on one replica holds at a time: the others wait for it and then find the new token
 * stored. Refresh tokens rotate, so two refreshes of the same one would make the second fail as
 * `invalid_grant`: a false authentication failure.
 *
 * Credentials leave only in the `201` body: never in a log line, an event or an error.
 */

/** The longest a session stays open, and the oldest check it may reuse. */
export const SESSION_TTL_MS = 15 * 60_000;
export const MAX_CHECK_AGE_MS = 15 * 60_000;
/** A token handed out must outlive the session by this much. */
const TOKEN_MARGIN_MS = 60_000;
/** A credential swap (relink, refresh) between reading and checking: check again, this often. */
const CHECK_ATTEMPTS = 3;

/** `max_check_age` as milliseconds, refused above 15 minutes. */
export function parseMaxCheckAge(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = parseDuration(text);
  if (ms === undefined || ms > MAX_CHECK_AGE_MS) {
    throw new DomainError("INVALID_REQUEST", 'Invalid request: max_check_age: at most "15m".', {
      details: { issues: [{ path: "body.max_check_age", code: "too_big", message: 'at most "15m"' }] },
    });
  }
  return ms;
}

export function toAuthHealth(
  row: IntegrationRow,
  config: Pick<RelinkContext["config"], "pauseAfterMs">,
): AuthHealth {
  return {
    status: authStatus(row),
    failing_since: row.failing_since,
    last_checked_at: row.last_checked_at,
    last_succeeded_at: row.last_succeeded_at,
    failed_checks: row.failed_checks,
    pauses_at: pausesAt(row, config),
  };
}

export function toSyncSession(row: SyncSessionRow): SyncSession {
  return {
    id: row.id,
    integration_id: row.integration_id,
    api_key_id: row.api_key_id,
    status: row.status as SyncSession["status"],
    created_at: row.created_at,
    expires_at: row.expires_at,
    finished_at: row.finished_at,
    outcome: row.outcome,
    sync_id: row.sync_id,
  };
}

const isOAuth = (connector: Connector) => connector.tool.auth.method === "OAUTH2" && !!connector.oauth;

/** Until when an OAuth credential's access token is valid (milliseconds since the epoch). */
const tokenExpiry = (credentials: Credentials) => Number(credentials.expires_at ?? 0) || 0;

// ─── opening ────────────────────────────────────────────────────────────────────────────────────

export interface OpenSyncSessionInput {
  workspaceId: string;
  integrationId: string;
  apiKeyId: string;
  maxCheckAgeMs: number;
  /**
   * The request's signal, read only when a check or a refresh needs it (a getter may pass it: on
   * the Node server, reading it makes the request's `AbortController`, which a reused check never needs).
   */
  readonly signal: AbortSignal;
}

/** Opens a sync session, or refuses with the reason (`DomainError`). */
export async function openSyncSession(
  ctx: RelinkContext,
  input: OpenSyncSessionInput,
): Promise<SyncSessionOpened> {
  const { workspaceId, integrationId } = input;
  const [found] = await integrationForSession(ctx.db, workspaceId, integrationId);
  if (!found) throw notFound("Integration");
  const { latest_check_id, latest_check_outcome, latest_check_at, models: readModels, ...before } = found;
  refuseUnusable(ctx, before);
  const connector = ctx.connectors.get(before.tool);
  if (!connector) {
    throw new DomainError("TOOL_UNREACHABLE", `No connector for tool "${before.tool}" is installed.`, {
      retryAfterSeconds: 60,
    });
  }

  let checkId: string | null = null;
  let row: IntegrationRow = before;
  const latest: LatestCheck | null =
    latest_check_id === null || latest_check_outcome === null || latest_check_at === null
      ? null
      : { id: latest_check_id, outcome: latest_check_outcome, checked_at: latest_check_at };
  const reused = input.maxCheckAgeMs > 0 ? recentOkCheck(ctx, before, latest, input.maxCheckAgeMs) : null;
  if (reused) {
    checkId = reused;
  } else {
    const answer = isOAuth(connector)
      ? await checkWithFreshToken(ctx, connector, before, input.signal)
      : await checkRetrying(ctx, workspaceId, integrationId, input.signal);
    const checked = settleCheck(ctx, answer);
    checkId = checked.check.id;
    row = checked.row;
  }
  if (reused && isOAuth(connector)) {
    // A reused check still needs a token that outlives the session.
    await freshToken(ctx, connector, before, input.signal);
    row = (await findIntegration(ctx.db, workspaceId, integrationId)) ?? row;
  }

  let credentials: Credentials;
  try {
    credentials = openCredentials(ctx, row);
  } catch {
    throw new DomainError(
      "TOOL_UNREACHABLE",
      "The stored credentials cannot be opened with this server's keys.",
      {
        retryAfterSeconds: 60,
      },
    );
  }
  const now = ctx.clock.now();
  let expiresAt = now.getTime() + SESSION_TTL_MS;
  let handedOut: Record<string, string>;
  if (isOAuth(connector)) {
    const expiry = tokenExpiry(credentials);
    expiresAt = Math.min(expiresAt, expiry - TOKEN_MARGIN_MS);
    if (!credentials.access_token || expiresAt <= now.getTime()) {
      throw new DomainError("TOOL_UNREACHABLE", "The tool did not give a fresh access token; try again.", {
        retryAfterSeconds: 30,
      });
    }
    handedOut = { access_token: credentials.access_token, expires_at: new Date(expiry).toISOString() };
  } else {
    const fields = connector.tool.auth.fields.map((f) => f.id);
    handedOut = Object.fromEntries(
      Object.entries(credentials).filter(([name]) => fields.length === 0 || fields.includes(name)),
    );
  }

  const granted = row.granted_permissions;
  // The scope config's models came with the integration (the same config unless it changed meanwhile).
  const models =
    row.scope_config_id === null
      ? {}
      : row.scope_config_id === before.scope_config_id
        ? (readModels ?? {})
        : ((await scopeModels(ctx.db, row.scope_config_id))[0]?.models ?? {});
  const session: SyncSessionRow = {
    id: newId("ss", now.getTime()),
    workspace_id: workspaceId,
    integration_id: row.id,
    api_key_id: input.apiKeyId,
    status: "OPEN",
    check_id: checkId,
    created_at: now.toISOString(),
    expires_at: new Date(expiresAt).toISOString(),
    finished_at: null,
    outcome: null,
    sync_id: null,
  };
  await insertOpenSession(ctx.db, [
    session.id,
    workspaceId,
    session.integration_id,
    session.api_key_id,
    session.check_id,
    session.created_at,
    session.expires_at,
  ]);
  ctx.log.info(
    { integration_id: row.id, session_id: session.id, api_key_id: input.apiKeyId, reused_check: !!reused },
    "sync session opened",
  );
  return {
    id: session.id,
    integration_id: row.id,
    expires_at: session.expires_at,
    credentials: handedOut,
    granted_permissions: granted,
    scope_config: {
      id: row.scope_config_id,
      models: readableModels(connector.tool, models, granted, row.opted_out),
    },
    auth: toAuthHealth(row, ctx.config),
  };
}

// The session route's reads and its one write, built and compiled once (`db/prepared.ts`): building
// and compiling them with Kysely on every session cost more than SQLite's lookups.

const scopeModels = prepared((db, id: PreparedParam) =>
  db.selectFrom("scope_configs").select("models").where("id", "=", id),
);

/**
 * The integration with what a session reads beside it, in one statement: its latest auth check
 * (newest first by id, as `auth_checks_integration` orders them) and its scope config's models.
 */
const integrationForSession = prepared((db, workspaceId: PreparedParam, id: PreparedParam) =>
  db
    .selectFrom("integrations as i")
    .leftJoin("scope_configs as sc", "sc.id", "i.scope_config_id")
    .leftJoin("auth_checks as c", (join) =>
      join.on((eb) =>
        eb(
          "c.id",
          "=",
          eb
            .selectFrom("auth_checks as latest")
            .select("latest.id")
            .whereRef("latest.integration_id", "=", "i.id")
            .orderBy("latest.id", "desc")
            .limit(1),
        ),
      ),
    )
    .selectAll("i")
    .select([
      // Named `models` so that SQLite's rows parse it as the JSON column it is.
      "sc.models as models",
      "c.id as latest_check_id",
      "c.outcome as latest_check_outcome",
      "c.checked_at as latest_check_at",
    ])
    .where("i.id", "=", id)
    .where("i.workspace_id", "=", workspaceId),
);

interface LatestCheck {
  id: string;
  outcome: string;
  checked_at: string;
}

/** A session's row as the route writes it: its values in the insert's column order. */
type OpenSessionValues = [
  id: string,
  workspaceId: string,
  integrationId: string,
  apiKeyId: string,
  checkId: string | null,
  createdAt: string,
  expiresAt: string,
];
const SESSION_VALUES = 7;

/** The insert of `count` open sessions in one statement, compiled once per count (a power of two). */
const insertOpenSessionsOf = new Map<
  number,
  (db: Kysely<Database>, ...params: PreparedParam[]) => Promise<unknown>
>();
function insertOpenSessions(db: Kysely<Database>, rows: OpenSessionValues[]): Promise<unknown> {
  let insert = insertOpenSessionsOf.get(rows.length);
  if (!insert) {
    const count = rows.length;
    insert = prepared((db, ...params: PreparedParam[]) =>
      db.insertInto("sync_sessions").values(
        Array.from({ length: count }, (_, i) => {
          const at = i * SESSION_VALUES;
          return {
            id: params[at] as string,
            workspace_id: params[at + 1] as string,
            integration_id: params[at + 2] as string,
            api_key_id: params[at + 3] as string,
            status: "OPEN",
            check_id: params[at + 4] ?? null,
            created_at: params[at + 5] as string,
            expires_at: params[at + 6] as string,
            finished_at: null,
            outcome: null,
            sync_id: null,
          };
        }),
      ),
    );
    insertOpenSessionsOf.set(count, insert);
  }
  return insert(db, ...rows.flat());
}

/**
 * The open sessions' rows, written together with those of the other sessions opened in the same
 * turn of the event loop (`batchedWrites`: one statement, one commit, each session answered once
 * its row is committed): under load, most of a session's cost was its own commit.
 */
const insertOpenSession = batchedWrites(insertOpenSessions);

function refuseUnusable(ctx: RelinkContext, row: IntegrationRow): void {
  if (row.state === "INACTIVE") {
    throw new DomainError("INTEGRATION_INACTIVE", "This integration was disabled by an operator.");
  }
  if (row.state === "INVALID") {
    throw new DomainError(
      "INTEGRATION_PAUSED",
      "This integration is paused: its credentials failed for too long. It resumes after a relink or a successful check.",
      { details: { auth: toAuthHealth(row, ctx.config) } },
    );
  }
}

/** The latest check of the integration, when it answered `OK` within `maxAgeMs` on the current streak. */
function recentOkCheck(
  ctx: RelinkContext,
  row: IntegrationRow,
  latest: LatestCheck | null,
  maxAgeMs: number,
): string | null {
  if (row.failing_since !== null) return null;
  if (latest?.outcome !== "OK") return null;
  const age = ctx.clock.now().getTime() - Date.parse(latest.checked_at);
  return age <= maxAgeMs ? latest.id : null;
}

type Checked = Extract<ManualCheckAnswer, { kind: "checked" }>;

/** `checkAuthNow` with trigger `SESSION`, again when the credentials changed under it (a relink, a refresh). */
export async function checkRetrying(
  ctx: RelinkContext,
  workspaceId: string,
  id: string,
  signal: AbortSignal,
): Promise<ManualCheckAnswer> {
  let answer: ManualCheckAnswer = { kind: "changed" };
  for (let i = 0; i < CHECK_ATTEMPTS && answer.kind === "changed"; i++) {
    answer = await checkAuthNow(ctx, workspaceId, id, signal, "SESSION");
  }
  return answer;
}

/** The check's answer as a session sees it: an `OK` check, or the refusal. */
function settleCheck(ctx: RelinkContext, answer: ManualCheckAnswer): Checked {
  switch (answer.kind) {
    case "not-found":
      throw notFound("Integration");
    case "refused":
      throw new DomainError("INTEGRATION_INACTIVE", "This integration was disabled by an operator.");
    case "no-connector":
    case "changed":
      throw new DomainError("TOOL_UNREACHABLE", "The credentials could not be checked now; try again.", {
        retryAfterSeconds: 30,
      });
    case "checked":
      break;
  }
  if (answer.outcome === "AUTH_FAILED") {
    const paused = answer.row.state === "INVALID";
    throw new DomainError(
      "AUTHENTICATION_FAILED",
      paused
        ? "The tool rejected the credentials, for long enough that the integration is now paused: ask the customer to relink."
        : "The tool rejected the credentials: ask the customer to relink before the integration pauses.",
      {
        details: {
          state: answer.row.state,
          auth: toAuthHealth(answer.row, ctx.config),
          check: { id: answer.check.id, detail: answer.check.detail },
        },
      },
    );
  }
  if (answer.outcome === "INCONCLUSIVE") {
    throw new DomainError(
      "TOOL_UNREACHABLE",
      "The tool could not be reached to check the credentials; this never counts against the integration.",
      {
        retryAfterSeconds: Math.max(1, Math.ceil((answer.retryAfterMs ?? 30_000) / 1000)),
        details: { check: { id: answer.check.id, detail: answer.check.detail } },
      },
    );
  }
  return answer;
}

/**
 * The check of an OAuth integration: when its token would not outlive a session, refreshed first,
 * once across every replica (`refreshAccessToken`: a lease row per integration, shared with the
 * scheduler's and the operator's checks), then checked. A failed refresh is left to the check,
 * which meets the same answer and counts it.
 */
async function checkWithFreshToken(
  ctx: RelinkContext,
  connector: Connector,
  row: IntegrationRow,
  signal: AbortSignal,
): Promise<ManualCheckAnswer> {
  await freshToken(ctx, connector, row, signal);
  return checkRetrying(ctx, row.workspace_id, row.id, signal);
}

/** Refreshes the integration's token when it would not outlive a session; a failure is left to the check. */
async function freshToken(
  ctx: RelinkContext,
  connector: Connector,
  row: IntegrationRow,
  signal: AbortSignal,
): Promise<void> {
  if (!connector.oauth || !needsRefresh(ctx, row)) return;
  try {
    await refreshAccessToken(ctx, row.id, { connector, signal, minValidityMs: SESSION_MIN_VALIDITY_MS });
  } catch {
    // Left to the check that follows (never logged: the error may quote the token).
  }
}

/** A session's token must outlive the session, with a margin on both ends. */
const SESSION_MIN_VALIDITY_MS = SESSION_TTL_MS + 2 * TOKEN_MARGIN_MS;

const needsRefresh = (ctx: RelinkContext, row: IntegrationRow) => {
  try {
    return tokenExpiry(openCredentials(ctx, row)) - ctx.clock.now().getTime() < SESSION_MIN_VALIDITY_MS;
  } catch {
    return false;
  }
};

// Finishing, expiry and the list: `sync-session-finish.ts`.
