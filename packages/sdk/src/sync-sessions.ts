import type {
  AuthHealth,
  ReportedSyncWarning,
  SessionScopeConfig,
  SyncRun,
  SyncSessionFinish,
  SyncSessionFinished,
  SyncSessionOpened,
} from "./contract/index.ts";
import { RelinkApiError, RelinkAuthError } from "./errors.ts";

/** What a `withSyncSession` callback is given. */
export interface SyncSessionContext {
  /** The session's id (`ss_…`). */
  sessionId: string;
  /** The tool's credentials (for an OAuth tool `{ access_token, expires_at }`). */
  credentials: Record<string, string>;
  /** Per model, the fields to read. */
  scopeConfig: SessionScopeConfig;
  grantedPermissions: string[];
  /** Aborted when the session expires (or the caller's `signal` aborts). */
  signal: AbortSignal;
  expiresAt: Date;
}

/** What a callback may return: records synced per model, warnings, and `PARTIALLY_FAILED` when some of it failed. */
export interface SyncSessionReport {
  records?: Record<string, number>;
  warnings?: ReportedSyncWarning[];
  outcome?: "SUCCEEDED" | "PARTIALLY_FAILED";
}

/** A session relink refused to open: nothing ran. */
export type SyncSessionRefusal =
  | { code: "INTEGRATION_PAUSED"; message: string; auth: AuthHealth | null }
  | { code: "INTEGRATION_INACTIVE"; message: string }
  | { code: "AUTHENTICATION_FAILED"; message: string; auth: AuthHealth | null }
  | { code: "TOOL_UNREACHABLE"; message: string };

export type WithSyncSessionResult<T> =
  | { ok: true; value: T; sync: SyncRun }
  | { ok: false; refusal: SyncSessionRefusal };

const REFUSALS = new Set([
  "INTEGRATION_PAUSED",
  "INTEGRATION_INACTIVE",
  "AUTHENTICATION_FAILED",
  "TOOL_UNREACHABLE",
]);

/** @internal The orchestration of `RelinkClient.integrations.withSyncSession`. */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing is allowed
export async function runSyncSession<T extends SyncSessionReport | undefined | void>(
  open: () => Promise<SyncSessionOpened>,
  finish: (sessionId: string, body: SyncSessionFinish) => Promise<SyncSessionFinished>,
  fn: (context: SyncSessionContext) => Promise<T>,
  outer?: AbortSignal,
): Promise<WithSyncSessionResult<T>> {
  let session: SyncSessionOpened;
  try {
    session = await open();
  } catch (error) {
    if (error instanceof RelinkApiError && REFUSALS.has(error.code)) {
      const details = (error.details ?? {}) as { auth?: AuthHealth };
      const refusal = { code: error.code, message: error.message } as SyncSessionRefusal;
      if (refusal.code === "INTEGRATION_PAUSED" || refusal.code === "AUTHENTICATION_FAILED") {
        refusal.auth = details.auth ?? null;
      }
      return { ok: false, refusal };
    }
    throw error;
  }
  const expiresAt = new Date(session.expires_at);
  const expiry = AbortSignal.timeout(Math.max(0, expiresAt.getTime() - Date.now()));
  const signal = outer ? AbortSignal.any([outer, expiry]) : expiry;
  let value: T;
  try {
    value = await fn({
      sessionId: session.id,
      credentials: session.credentials,
      scopeConfig: session.scope_config,
      grantedPermissions: session.granted_permissions,
      signal,
      expiresAt,
    });
  } catch (error) {
    await finish(session.id, {
      outcome: error instanceof RelinkAuthError ? "AUTHENTICATION_FAILED" : "FAILED",
    }).catch(
      () => undefined, // the callback's error is the one that matters; an unfinished session expires as FAILED
    );
    throw error;
  }
  const report: SyncSessionReport = (value as SyncSessionReport | undefined) ?? {};
  const finished = await finish(session.id, {
    outcome: report.outcome ?? "SUCCEEDED",
    ...(report.records ? { records: report.records } : {}),
    ...(report.warnings ? { warnings: report.warnings } : {}),
  });
  return { ok: true, value, sync: finished.sync };
}
