import { z } from "zod";
import { FLOW_STEPS, OAUTH_CALLBACK_ERROR_CODES } from "../names.ts";
import { idSchema, TimestampSchema } from "./common.ts";
import { FlowSchema, LocaleSchema } from "./flow-tokens.ts";
import { type RemoteAccount, RemoteAccountSchema } from "./integrations.ts";
import { BrandingSchema } from "./relink-links.ts";
import { CredentialValuesSchema } from "./text.ts";
import { AuthFieldSchema, CategorySchema } from "./tools.ts";

export { FLOW_STEPS, OAUTH_CALLBACK_ERROR_CODES };

/**
 * The connect API (`/connect/v1/*`), called by `<relink-connect>` with a flow token. These
 * schemas are what the widget renders: everything it shows comes from here.
 */

export const ConnectToolSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    category: CategorySchema,
    logo_url: z.string().nullable(),
    auth: z.object({ method: z.enum(["API_KEY", "OAUTH2"]), fields: z.array(AuthFieldSchema) }),
  })
  .meta({ id: "ConnectTool" });
export type ConnectTool = z.infer<typeof ConnectToolSchema>;

/** A permission the end user must grant in the tool, with where to grant it. */
export const RequiredPermissionSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    description: z.string(),
    where_to_grant: z.string(),
    /** The current credentials lack it: the reason for this relink. */
    newly_required: z.boolean(),
    /** Needed only by optional parts the end user may opt out of. */
    optional: z.boolean(),
  })
  .meta({ id: "RequiredPermission" });
export type RequiredPermission = z.infer<typeof RequiredPermissionSchema>;

/** An optional model or field (`model` or `model.field`) the end user may opt out of. */
export const OptionalScopePartSchema = z.object({
  id: z.string(),
  label: z.string(),
  permission: z.string(),
});
export type OptionalScopePart = z.infer<typeof OptionalScopePartSchema>;

export const ScopeConfigRefSchema = z.object({ id: idSchema("sc"), name: z.string() });

/** On a flow opened through a hand-off link (`POST /connect/v1/flow/handoff`): who asked and when. */
export const FlowHandoffSchema = z
  .object({ requested_by: z.string().nullable(), requested_at: TimestampSchema })
  .meta({ id: "FlowHandoff" });
export type FlowHandoff = z.infer<typeof FlowHandoffSchema>;

export const ConnectFlowSchema = z
  .object({
    flow: FlowSchema,
    /** The integration being relinked; null for connect. */
    integration_id: idSchema("int").nullable(),
    /** The tool; null for a connect flow without a preselected tool (pick one from `GET /connect/v1/tools`). */
    tool: ConnectToolSchema.nullable(),
    end_user: z.object({
      origin_id: z.string(),
      organization_name: z.string(),
      email: z.string().nullable(),
    }),
    /** Relink: the remote account the integration is connected to (the new credentials must be of it); null for connect. */
    remote_account: RemoteAccountSchema.nullable(),
    current_scope_config: ScopeConfigRefSchema.nullable(),
    target_scope_config: ScopeConfigRefSchema.nullable(),
    /** Every permission the target scope needs from the tool (empty until a tool is chosen). */
    required_permissions: z.array(RequiredPermissionSchema),
    /** Ids of the required permissions the current credentials lack. */
    newly_required_permissions: z.array(z.string()),
    optional_parts: z.array(OptionalScopePartSchema),
    locale: LocaleSchema.nullable(),
    expires_at: TimestampSchema,
    /**
     * The workspace's brand (`PUT /v1/settings/branding`): who asks the end user to reconnect.
     * Defaults for the page showing the flow; always sent by this server.
     */
    branding: BrandingSchema.optional(),
    /**
     * Set when the flow was opened through a hand-off link: who asked (`requested_by`, null when
     * they gave no name) and when. Null otherwise; always sent by this server.
     */
    handoff: FlowHandoffSchema.nullable().optional(),
  })
  .meta({ id: "ConnectFlow" });
export type ConnectFlow = z.infer<typeof ConnectFlowSchema>;

export const ConnectToolListSchema = z.object({ data: z.array(ConnectToolSchema) });

export const ConnectToolQuerySchema = z.object({
  tool: z.string().max(100).optional(),
  /**
   * The language of the tool's labels (permissions, credential fields, optional data): the
   * widget's `locale` attribute. Default: the token's `locale`, then `Accept-Language`, then the
   * tool's own (English).
   */
  locale: LocaleSchema.optional(),
});

export const CredentialsSubmissionSchema = z
  .strictObject({
    tool: z.string().min(1).max(100).optional(),
    values: CredentialValuesSchema,
    opted_out: z.array(z.string().max(200)).max(200).optional(),
  })
  .meta({ id: "CredentialsSubmission" });
export type CredentialsSubmission = z.infer<typeof CredentialsSubmissionSchema>;

/**
 * Something the end user should know about a completed flow. `ACCOUNT_ALREADY_CONNECTED`: the
 * remote account is also connected to another integration of the workspace (which one is not
 * said: it belongs to someone else). A warning, not a refusal: see docs/concepts.md.
 */
export const FlowWarningSchema = z
  .object({
    code: z.enum(["ACCOUNT_ALREADY_CONNECTED"]),
    message: z.string(),
  })
  .meta({ id: "FlowWarning" });
export type FlowWarning = z.infer<typeof FlowWarningSchema>;

export const FlowCompletedSchema = z
  .object({
    status: z.literal("COMPLETED"),
    flow: FlowSchema,
    integration_id: idSchema("int"),
    scope_config_id: idSchema("sc").nullable(),
    /** The remote account the integration is now connected to: show it, so a wrong account is noticed. */
    remote_account: RemoteAccountSchema,
    warnings: z.array(FlowWarningSchema),
  })
  .meta({ id: "FlowCompleted" });
export type FlowCompleted = z.infer<typeof FlowCompletedSchema>;

/** `details.missing` of a `422 PERMISSIONS_MISSING`. */
export const MissingPermissionDetailSchema = z.object({
  permission: z.string(),
  label: z.string(),
  description: z.string(),
  where_to_grant: z.string(),
  models: z.array(z.string()),
  fields: z.array(z.string()),
});
export type MissingPermissionDetail = z.infer<typeof MissingPermissionDetailSchema>;

export const OAuthStartSchema = z.strictObject({
  tool: z.string().min(1).max(100).optional(),
  opted_out: z.array(z.string().max(200)).max(200).optional(),
  /** The origin of the page that opened the popup; the callback reports only to it. */
  origin: z.url().max(500),
});
export const OAuthStartedSchema = z.object({ authorize_url: z.url() });

export const FlowStepSchema = z.enum(FLOW_STEPS);
export type FlowStep = z.infer<typeof FlowStepSchema>;

export const FlowExitSchema = z.strictObject({
  step: FlowStepSchema,
  reason: z.string().max(200),
});

export type { OAuthCallbackErrorCode } from "../names.ts";

/** The message the OAuth callback page posts to the opener window. */
export type OAuthCallbackMessage =
  | {
      type: "relink:oauth";
      status: "COMPLETED";
      integration_id: string;
      flow: "relink" | "connect";
      scope_config_id: string | null;
      remote_account?: RemoteAccount;
      warnings?: FlowWarning[];
    }
  | { type: "relink:oauth"; status: "ERROR"; code: string; message: string; details?: unknown };
