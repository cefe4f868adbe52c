/**
 * The names of relink's wire contract as plain `as const` arrays and their types: event types,
 * error codes, states, statuses, API-key scopes. No dependency, no schema: a browser bundle
 * (the dashboard) imports them without the validation library. The zod contract
 * (`@relink/sdk/contract`) builds its enums from these same arrays, so there is one list of each.
 *
 * @example
 * ```ts
 * import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "@relink/sdk/names";
 * const all: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES;
 * ```
 * @module
 */

/**
 * Every error code the relink HTTP API can answer with. Stable: clients `switch` on them.
 */
export const ERROR_CODES = [
  // request shape
  "INVALID_REQUEST",
  "INVALID_JSON",
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "UNAUTHORIZED",
  "RATE_LIMITED",
  "CONFLICT",
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
  // catalog and configuration
  "UNKNOWN_TOOL",
  "SCOPE_CONFIG_INVALID",
  "SCOPE_CONFIG_IN_USE",
  "LAST_API_KEY",
  "INSUFFICIENT_SCOPE",
  // integrations
  "INTEGRATION_INVALID",
  "INTEGRATION_INACTIVE",
  "INTEGRATION_PAUSED",
  // sync sessions and records
  "AUTHENTICATION_FAILED",
  "SESSION_EXPIRED",
  "SESSION_FINISHED",
  "MODEL_NOT_IN_SCOPE",
  // tool answers (connect API and imports)
  "CREDENTIALS_INVALID",
  "PERMISSIONS_MISSING",
  "ACCOUNT_MISMATCH",
  "TOOL_UNREACHABLE",
  // connect API
  "ORIGIN_NOT_ALLOWED",
  // flow tokens
  "TOKEN_MISSING",
  "TOKEN_MALFORMED",
  "TOKEN_TOO_LARGE",
  "TOKEN_TYPE_INVALID",
  "TOKEN_ALGORITHM_INVALID",
  "TOKEN_KEY_UNKNOWN",
  "TOKEN_KEY_REVOKED",
  "TOKEN_SIGNATURE_INVALID",
  "TOKEN_AUDIENCE_INVALID",
  "TOKEN_ISSUER_INVALID",
  "TOKEN_EXPIRED",
  "TOKEN_NOT_YET_VALID",
  "TOKEN_LIFETIME_TOO_LONG",
  "TOKEN_CLAIM_MISSING",
  "TOKEN_CLAIM_INVALID",
  "TOKEN_SUBJECT_UNKNOWN",
  "TOKEN_SCOPE_CONFIG_UNKNOWN",
  "TOKEN_ALREADY_USED",
  // relink links
  "LINK_REVOKED",
  "FLOW_SUPERSEDED",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const WEBHOOK_EVENT_TYPES = [
  "integration-created",
  "integration-deleted",
  "integration-state-changed",
  "integration-auth-status-changed",
  "integration-relinked",
  "connection-flow-failed",
  "sync-finished",
  "integration-credentials-expiring",
  "relink-link-superseded",
  "relink-link-handed-off",
  "relink-campaign-progressed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const STATE_CHANGE_REASONS = [
  "AUTHENTICATION_FAILED",
  "AUTH_RECOVERED",
  "RELINKED",
  "DISABLED",
  "ENABLED",
] as const;
export type StateChangeReason = (typeof STATE_CHANGE_REASONS)[number];

export const INTEGRATION_STATES = ["ACTIVE", "INVALID", "INACTIVE"] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

export const AUTH_STATUSES = ["OK", "FAILING", "UNKNOWN"] as const;
export type AuthStatus = (typeof AUTH_STATUSES)[number];

export const AUTH_OUTCOMES = ["OK", "AUTH_FAILED", "INCONCLUSIVE"] as const;
export type AuthOutcome = (typeof AUTH_OUTCOMES)[number];

export const SYNC_TRIGGERS = ["SCHEDULE", "MANUAL", "RELINK", "EXTERNAL"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

export const SYNC_STATES = [
  "SUCCEEDED",
  "PARTIALLY_FAILED",
  "FAILED",
  "AUTHENTICATION_FAILED",
  "CANCELLED",
  "TIMED_OUT",
] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/**
 * What an API key may do: `management` (every management route: today's rights, the default),
 * `credentials:read` (open sync sessions, which hand out an integration's credentials),
 * `records:read` (read synced records). A route needing a scope the key lacks answers
 * `403 INSUFFICIENT_SCOPE` naming it.
 */
export const API_KEY_SCOPES = ["management", "credentials:read", "records:read"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ["PENDING", "SUCCEEDED", "FAILED"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const LINK_TYPES = ["EMBEDDED", "MAGIC_LINK"] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const RELINK_LINK_STATUSES = ["OUTSTANDING", "COMPLETED", "EXPIRED", "REVOKED", "SUPERSEDED"] as const;
export type RelinkLinkStatus = (typeof RELINK_LINK_STATUSES)[number];

export const SETTINGS = ["ENABLED", "DISABLED", "OPTIONAL"] as const;
export type Setting = (typeof SETTINGS)[number];

export const CATEGORIES = ["HRIS"] as const;
export type Category = (typeof CATEGORIES)[number];

/** The signature algorithms a flow token may use; each signing key has exactly one. */
export const SIGNING_ALGORITHMS = ["HS256", "EdDSA", "ES256"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const LOCALES = ["en", "de", "fr", "it", "es", "nl", "pl", "sv", "da", "ja"] as const;
export type Locale = (typeof LOCALES)[number];

export const FLOWS = ["relink", "connect"] as const;
export type Flow = (typeof FLOWS)[number];

export const FLOW_STEPS = [
  "intro",
  "tool",
  "permissions",
  "credentials",
  "checking",
  "success",
  "error",
] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

/**
 * Codes of an `ERROR` `OAuthCallbackMessage` that only the OAuth callback gives; besides these, it
 * carries the connect API's own codes (`PERMISSIONS_MISSING` with `details.missing`,
 * `ACCOUNT_MISMATCH`, `CREDENTIALS_INVALID`, `TOOL_UNREACHABLE`, `TOKEN_*`).
 */
export const OAUTH_CALLBACK_ERROR_CODES = [
  /** The end user denied consent in the tool. */
  "OAUTH_DENIED",
  /** The tool answered with another OAuth error. */
  "OAUTH_FAILED",
  /** The `state` is unknown (or missing): not a sign-in this server started. */
  "OAUTH_STATE_INVALID",
  /** The sign-in took too long (10 minutes); start again. */
  "OAUTH_STATE_EXPIRED",
  /** This callback was already used (a reload or a replayed code). */
  "OAUTH_STATE_USED",
  /** The tool refused the authorization code (used, expired or not for this sign-in). */
  "OAUTH_CODE_INVALID",
] as const;
export type OAuthCallbackErrorCode = (typeof OAUTH_CALLBACK_ERROR_CODES)[number];

export const SYNC_SESSION_OUTCOMES = [
  "SUCCEEDED",
  "PARTIALLY_FAILED",
  "FAILED",
  "AUTHENTICATION_FAILED",
] as const;
export type SyncSessionOutcome = (typeof SYNC_SESSION_OUTCOMES)[number];

export const SYNC_SESSION_STATUSES = ["OPEN", "FINISHED", "EXPIRED"] as const;
export type SyncSessionStatus = (typeof SYNC_SESSION_STATUSES)[number];

export const RELINK_CAMPAIGN_MEMBER_STATUSES = ["PENDING", "PAUSED", "RELINKED"] as const;
export type RelinkCampaignMemberStatus = (typeof RELINK_CAMPAIGN_MEMBER_STATUSES)[number];
