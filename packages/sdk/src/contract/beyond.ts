import { z } from "zod";
import { RELINK_CAMPAIGN_MEMBER_STATUSES } from "../names.ts";
import { idSchema, PageQuerySchema, TimestampSchema } from "./common.ts";
import { AuthOutcomeSchema, IntegrationSchema } from "./integrations.ts";
import { ScopeConfigModelsSchema } from "./scope-configs.ts";

export { RELINK_CAMPAIGN_MEMBER_STATUSES };

/**
 * What closes the gaps of issue 20: the sandbox (`POST /v1/integrations/:id/simulate`), relink
 * campaigns (`/v1/scope-configs/:id/relink-campaigns`), and the hand-off of a flow to an admin
 * (`POST /connect/v1/flow/handoff`).
 */

// ─── the sandbox ─────────────────────────────────────────────────────────────────────────────────

/**
 * `POST /v1/integrations/:id/simulate` (only with `RELINK_ENABLE_SIMULATION=true`): forces the
 * outcome of the next auth checks, and can jump the failure streak to pausing soon.
 */
export const SimulationRequestSchema = z
  .strictObject({
    /** The outcome the next auth checks get without asking the tool; `null` clears it. Absent: unchanged. */
    auth_outcome: AuthOutcomeSchema.nullable().optional(),
    /** How many checks get it (1 to 1000); absent: every check until cleared. */
    checks: z.number().int().min(1).max(1000).optional(),
    /**
     * Opens (or moves) the failure streak so that the integration pauses this many seconds from now
     * (e.g. 60: "pauses in 1 minute"), and schedules a check then. Only for an `ACTIVE` integration.
     */
    pauses_in_seconds: z.number().int().min(1).max(86_400).optional(),
  })
  .meta({ id: "SimulationRequest" });
export type SimulationRequest = z.input<typeof SimulationRequestSchema>;

export const SimulationSchema = z
  .object({
    integration_id: idSchema("int"),
    /** The outcome forced on the next checks; null = none (the tool is asked). */
    auth_outcome: AuthOutcomeSchema.nullable(),
    /** Checks left to force; null = until cleared (or nothing forced). */
    remaining_checks: z.number().int().nullable(),
    integration: IntegrationSchema,
  })
  .meta({ id: "Simulation" });
export type Simulation = z.infer<typeof SimulationSchema>;

// ─── relink campaigns ────────────────────────────────────────────────────────────────────────────

/**
 * A campaign's target and population. `models` set: the scope config's edit, saved as a NEW scope
 * config (the target) so that integrations keep syncing on the old one until they relink; absent:
 * the scope config itself is the target. `tool` set: every integration of that tool; absent: the
 * integrations on the scope config.
 */
export const RelinkCampaignCreateSchema = z
  .strictObject({
    models: ScopeConfigModelsSchema.optional(),
    /** Name of the new scope config when `models` is set (default: the old name and the date). */
    name: z.string().trim().min(1).max(200).optional(),
    tool: z.string().min(1).max(100).optional(),
  })
  .meta({ id: "RelinkCampaignCreate" });
export type RelinkCampaignCreate = z.input<typeof RelinkCampaignCreateSchema>;

/** How many integrations a campaign would ask to relink, and why: exact, computed now. */
export const RelinkCampaignPreviewSchema = z
  .object({
    /** The scope config the campaign starts from. */
    source_scope_config_id: idSchema("sc"),
    /** The target; null when `models` would create it. */
    scope_config_id: idSchema("sc").nullable(),
    tool: z.string().nullable(),
    /** Integrations considered. */
    integrations: z.number().int(),
    /** Those whose granted permissions lack a permission the target requires: they must relink. */
    affected: z.number().int(),
    /** Of the affected, those paused (`INVALID`) today. */
    paused: z.number().int(),
    /** Those whose credentials already grant the target: moved onto it at once on creation. */
    already_granted: z.number().int(),
    /** The target's required permissions (per tool), and how many integrations lack each. */
    missing: z.array(z.object({ tool: z.string(), permission: z.string(), integrations: z.number().int() })),
  })
  .meta({ id: "RelinkCampaignPreview" });
export type RelinkCampaignPreview = z.infer<typeof RelinkCampaignPreviewSchema>;

export const RelinkCampaignProgressSchema = z
  .object({
    /** Integrations asked to relink. */
    total: z.number().int(),
    /** Relinked onto the target. */
    relinked: z.number().int(),
    /** Not yet relinked and not paused. */
    pending: z.number().int(),
    /** Not yet relinked and paused (`INVALID`). */
    paused: z.number().int(),
  })
  .meta({ id: "RelinkCampaignProgress" });
export type RelinkCampaignProgress = z.infer<typeof RelinkCampaignProgressSchema>;

export const RelinkCampaignSchema = z
  .object({
    id: idSchema("rc"),
    source_scope_config_id: idSchema("sc"),
    /** The target: mint each member's token (or make its link) with this `scope_config_id`. */
    scope_config_id: idSchema("sc"),
    tool: z.string().nullable(),
    /** Integrations whose credentials already granted the target, moved onto it at creation. */
    moved: z.number().int(),
    progress: RelinkCampaignProgressSchema,
    created_at: TimestampSchema,
  })
  .meta({ id: "RelinkCampaign" });
export type RelinkCampaign = z.infer<typeof RelinkCampaignSchema>;

export const RelinkCampaignMemberStatusSchema = z.enum(RELINK_CAMPAIGN_MEMBER_STATUSES);

export const RelinkCampaignMemberSchema = z
  .object({
    integration_id: idSchema("int"),
    status: RelinkCampaignMemberStatusSchema,
    relinked_at: TimestampSchema.nullable(),
  })
  .meta({ id: "RelinkCampaignMember" });
export type RelinkCampaignMember = z.infer<typeof RelinkCampaignMemberSchema>;

export const RelinkCampaignMemberQuerySchema = PageQuerySchema.extend({
  status: RelinkCampaignMemberStatusSchema.optional(),
});

// ─── hand-off ────────────────────────────────────────────────────────────────────────────────────

/** `POST /connect/v1/flow/handoff`: a link for someone else (the tool's admin) to finish this flow. */
export const HandoffRequestSchema = z
  .strictObject({
    /** Who asks (shown to the admin), e.g. the end user's name or email. */
    requested_by: z.string().trim().min(1).max(200).optional(),
  })
  .meta({ id: "HandoffRequest" });
export type HandoffRequest = z.input<typeof HandoffRequestSchema>;

export const HandoffCreatedSchema = z
  .object({
    /** The hosted page's URL with a new flow token for the same flow and target scope: to forward. */
    url: z.string(),
    expires_at: TimestampSchema,
  })
  .meta({ id: "HandoffCreated" });
export type HandoffCreated = z.infer<typeof HandoffCreatedSchema>;
