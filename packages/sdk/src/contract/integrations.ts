import { z } from "zod";
import { AUTH_OUTCOMES, AUTH_STATUSES, INTEGRATION_STATES, SYNC_STATES, SYNC_TRIGGERS } from "../names.ts";
import { idSchema, PageQuerySchema, TimestampSchema } from "./common.ts";
import { CredentialValuesSchema } from "./text.ts";
import { CategorySchema } from "./tools.ts";

export { AUTH_OUTCOMES, AUTH_STATUSES, INTEGRATION_STATES, SYNC_STATES, SYNC_TRIGGERS };

export const IntegrationStateSchema = z.enum(INTEGRATION_STATES);
export type IntegrationState = z.infer<typeof IntegrationStateSchema>;

export const AuthStatusSchema = z.enum(AUTH_STATUSES);
export type AuthStatus = z.infer<typeof AuthStatusSchema>;

export const AuthOutcomeSchema = z.enum(AUTH_OUTCOMES);
export type AuthOutcome = z.infer<typeof AuthOutcomeSchema>;

export const SyncTriggerSchema = z.enum(SYNC_TRIGGERS);
export type SyncTrigger = z.infer<typeof SyncTriggerSchema>;

export const SyncStateSchema = z.enum(SYNC_STATES);
export type SyncState = z.infer<typeof SyncStateSchema>;

export const EndUserSchema = z
  .strictObject({
    origin_id: z.string().trim().min(1).max(200),
    organization_name: z.string().trim().min(1).max(200),
    email: z.email().max(320).nullish(),
  })
  .meta({ id: "EndUser" });
export type EndUser = z.infer<typeof EndUserSchema>;

/**
 * The account in the tool that an integration's credentials belong to (a company, a tenant), as
 * the tool names it. A relink must stay on it (`409 ACCOUNT_MISMATCH`).
 */
export const RemoteAccountSchema = z
  .object({
    id: z.string(),
    /** The tool's display name for it; null when the tool gave none (or before relink stored names). */
    name: z.string().nullable(),
  })
  .meta({ id: "RemoteAccount" });
export type RemoteAccount = z.infer<typeof RemoteAccountSchema>;

export const AuthHealthSchema = z
  .object({
    status: AuthStatusSchema,
    failing_since: TimestampSchema.nullable(),
    last_checked_at: TimestampSchema.nullable(),
    last_succeeded_at: TimestampSchema.nullable(),
    failed_checks: z.number().int(),
    pauses_at: TimestampSchema.nullable(),
  })
  .meta({ id: "AuthHealth" });
export type AuthHealth = z.infer<typeof AuthHealthSchema>;

export const PermissionMissingWarningSchema = z.object({
  code: z.literal("PERMISSION_MISSING"),
  permission: z.string(),
  models: z.array(z.string()),
  fields: z.array(z.string()),
});

/** A warning the product reported when it finished a sync session (its own code and words). */
export const ReportedSyncWarningSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be UPPER_SNAKE_CASE"),
  message: z.string().max(500),
});

export type ReportedSyncWarning = z.infer<typeof ReportedSyncWarningSchema>;

/** `PERMISSION_MISSING` (relink's own), or one the product reported for an `EXTERNAL` run. */
export const SyncWarningSchema = z.union([PermissionMissingWarningSchema, ReportedSyncWarningSchema]);
export type SyncWarning = z.infer<typeof SyncWarningSchema>;

export const SyncRunSchema = z
  .object({
    id: idSchema("sync"),
    integration_id: idSchema("int"),
    trigger: SyncTriggerSchema,
    status: z.enum(["QUEUED", "RUNNING", "FINISHED"]),
    sync_state: SyncStateSchema.nullable(),
    queued_at: TimestampSchema,
    started_at: TimestampSchema.nullable(),
    ended_at: TimestampSchema.nullable(),
    scope_config_id: idSchema("sc").nullable(),
    warnings: z.array(SyncWarningSchema),
    records: z.record(z.string(), z.number().int()),
    error: z.string().nullable(),
  })
  .meta({ id: "SyncRun" });
export type SyncRun = z.infer<typeof SyncRunSchema>;

export const MissingPermissionSchema = z.object({
  permission: z.string(),
  models: z.array(z.string()),
  fields: z.array(z.string()),
});

export const IntegrationSchema = z
  .object({
    id: idSchema("int"),
    tool: z.string(),
    category: CategorySchema,
    state: IntegrationStateSchema,
    end_user: z.object({
      origin_id: z.string(),
      organization_name: z.string(),
      email: z.string().nullable(),
    }),
    scope_config_id: idSchema("sc").nullable(),
    /** The remote account the credentials belong to; null when the tool never said. */
    remote_account: RemoteAccountSchema.nullable(),
    auth: AuthHealthSchema,
    missing_permissions: z.array(MissingPermissionSchema),
    next_sync_at: TimestampSchema.nullable(),
    /** Per-integration override of the sync interval, in milliseconds; null = the server default. */
    sync_interval_ms: z.number().int().nullable(),
    last_sync: SyncRunSchema.nullable(),
    /** When the credentials expire, where the tool reports it; null = unknown (or never). */
    credentials_expire_at: TimestampSchema.nullable(),
    /**
     * After a pause: where a backfill should start (the pause's beginning, `paused_from` of the
     * event that resumed it); null when the integration was never paused.
     */
    backfill_from: TimestampSchema.nullable(),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .meta({ id: "Integration" });
export type Integration = z.infer<typeof IntegrationSchema>;

export const IntegrationImportSchema = z
  .strictObject({
    tool: z.string().min(1).max(100),
    end_user: EndUserSchema,
    credentials: CredentialValuesSchema,
    scope_config_id: idSchema("sc").optional(),
    sync_interval: z
      .string()
      .regex(/^\d+(ms|s|m|h|d)$/)
      .optional(),
  })
  .meta({ id: "IntegrationImport" });
export type IntegrationImport = z.infer<typeof IntegrationImportSchema>;

export const IntegrationListQuerySchema = PageQuerySchema.extend({
  state: IntegrationStateSchema.optional(),
  tool: z.string().max(100).optional(),
  end_user_origin_id: z.string().max(200).optional(),
  auth_status: AuthStatusSchema.optional(),
  /** The integrations connected to this remote account (`remote_account.id`). */
  remote_account_id: z.string().max(200).optional(),
  /** Search by organisation name or origin id (substring, case-insensitive). */
  q: z.string().max(200).optional(),
});

export const EnabledBodySchema = z.strictObject({ value: z.boolean() });

export const AuthCheckSchema = z
  .object({
    id: idSchema("chk"),
    integration_id: idSchema("int"),
    outcome: AuthOutcomeSchema,
    trigger: z.enum(["SYNC", "MANUAL", "IMPORT", "RELINK", "SESSION"]),
    detail: z.string().nullable(),
    duration_ms: z.number().int(),
    checked_at: TimestampSchema,
  })
  .meta({ id: "AuthCheck" });
export type AuthCheck = z.infer<typeof AuthCheckSchema>;

export const AuthCheckListQuerySchema = PageQuerySchema;

/**
 * What became of an OAuth grant a relink replaced: revoked at the tool (RFC 7009), or not
 * confirmed by it (`FAILED`: the old grant works until its owner revokes it at the tool; `detail`
 * says what the tool answered). Only tools with a revocation endpoint have these.
 */
export const GrantRevocationSchema = z
  .object({
    id: idSchema("rev"),
    integration_id: idSchema("int"),
    tool: z.string(),
    outcome: z.enum(["REVOKED", "FAILED"]),
    detail: z.string().nullable(),
    created_at: TimestampSchema,
  })
  .meta({ id: "GrantRevocation" });
export type GrantRevocation = z.infer<typeof GrantRevocationSchema>;
export const GrantRevocationListQuerySchema = PageQuerySchema;
export const SyncRunListQuerySchema = PageQuerySchema;

/** The answer to `POST /v1/integrations/:id/sync`: the queued run, or the one already queued or running. */
export const ManualSyncResultSchema = z
  .object({
    sync_id: idSchema("sync"),
    /** `true` when a sync was already queued or running: that one is returned, no second is queued. */
    already_queued: z.boolean(),
  })
  .meta({ id: "ManualSyncResult" });
export type ManualSyncResult = z.infer<typeof ManualSyncResultSchema>;

/** The answer to `POST /v1/integrations/:id/check-auth`: the check and the integration after it. */
export const CheckAuthResultSchema = z
  .object({
    outcome: AuthOutcomeSchema,
    auth_check: AuthCheckSchema,
    integration: IntegrationSchema,
  })
  .meta({ id: "CheckAuthResult" });
export type CheckAuthResult = z.infer<typeof CheckAuthResultSchema>;
