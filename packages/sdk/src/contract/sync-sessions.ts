import { z } from "zod";
import { SYNC_SESSION_OUTCOMES, SYNC_SESSION_STATUSES } from "../names.ts";
import { idSchema, TimestampSchema } from "./common.ts";
import { AuthHealthSchema, ReportedSyncWarningSchema, SyncRunSchema } from "./integrations.ts";

export { SYNC_SESSION_OUTCOMES, SYNC_SESSION_STATUSES };

/** `0s` to `15m`: how old an auth check a new sync session may reuse (default `0s`: check now). */
export const MAX_CHECK_AGE_PATTERN = /^(\d{1,7})(ms|s|m)$/;

export const SyncSessionCreateSchema = z
  .strictObject({
    /** Reuse an auth check no older than this (`"0s"` to `"15m"`); default `"0s"`: check now. */
    max_check_age: z
      .string()
      .regex(MAX_CHECK_AGE_PATTERN, 'must be a duration such as "0s", "30s", "5m" (at most "15m")')
      .optional(),
  })
  .meta({ id: "SyncSessionCreate" });
export type SyncSessionCreate = z.infer<typeof SyncSessionCreateSchema>;

/** What the product's sync reads: per model, the fields the integration's scope enables and its grant allows. */
export const SessionScopeConfigSchema = z
  .object({
    id: idSchema("sc").nullable(),
    models: z.array(z.object({ model: z.string(), fields: z.array(z.string()) })),
  })
  .meta({ id: "SessionScopeConfig" });
export type SessionScopeConfig = z.infer<typeof SessionScopeConfigSchema>;

/**
 * An open sync session: the credentials to sync with, until `expires_at` (at most 15 minutes).
 * For an OAuth tool, `credentials` are `{ access_token, expires_at }` (a token valid at least as
 * long as the session); for others, the tool's auth fields.
 */
export const SyncSessionOpenedSchema = z
  .object({
    id: idSchema("ss"),
    integration_id: idSchema("int"),
    expires_at: TimestampSchema,
    credentials: z.record(z.string(), z.string()),
    granted_permissions: z.array(z.string()),
    scope_config: SessionScopeConfigSchema,
    auth: AuthHealthSchema,
  })
  .meta({ id: "SyncSessionOpened" });
export type SyncSessionOpened = z.infer<typeof SyncSessionOpenedSchema>;

export const SyncSessionOutcomeSchema = z.enum(SYNC_SESSION_OUTCOMES);
export type SyncSessionOutcome = z.infer<typeof SyncSessionOutcomeSchema>;

export const SyncSessionFinishSchema = z
  .strictObject({
    outcome: SyncSessionOutcomeSchema,
    /** Records synced, per model. */
    records: z.record(z.string().min(1).max(100), z.number().int().min(0).max(1e12)).optional(),
    warnings: z.array(ReportedSyncWarningSchema.strict()).max(100).optional(),
  })
  .meta({ id: "SyncSessionFinish" });
export type SyncSessionFinish = z.infer<typeof SyncSessionFinishSchema>;

/** A session as listed (never its credentials): who opened it, when, how it ended. */
export const SyncSessionSchema = z
  .object({
    id: idSchema("ss"),
    integration_id: idSchema("int"),
    api_key_id: idSchema("key"),
    status: z.enum(SYNC_SESSION_STATUSES),
    created_at: TimestampSchema,
    expires_at: TimestampSchema,
    finished_at: TimestampSchema.nullable(),
    /** What the product reported; `SESSION_EXPIRED` when it never finished. */
    outcome: z.string().nullable(),
    sync_id: idSchema("sync").nullable(),
  })
  .meta({ id: "SyncSession" });
export type SyncSession = z.infer<typeof SyncSessionSchema>;

/** The finish answer: the session, closed, and the `EXTERNAL` sync run it recorded. */
export const SyncSessionFinishedSchema = z
  .object({ session: SyncSessionSchema, sync: SyncRunSchema })
  .meta({ id: "SyncSessionFinished" });
export type SyncSessionFinished = z.infer<typeof SyncSessionFinishedSchema>;
