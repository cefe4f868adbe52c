import type { ApiKeyScope, ScopeConfigModels, SyncWarning } from "@relink/sdk/contract";
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Column conventions, identical on SQLite and PostgreSQL once read through `createDatabase`:
 * timestamps are ISO-8601 strings (timestamptz on PostgreSQL), booleans are booleans, JSON
 * columns read back parsed and are written as JSON text (`toJson`).
 */
export type Timestamp = string;
export type Json<T> = ColumnType<T, string, string>;

export interface WorkspaceTable {
  id: string;
  name: string;
  allowed_origins: Json<string[]>;
  created_at: Timestamp;
  /** The brand the hosted page shows (`PUT /v1/settings/branding`); null = not set. */
  brand_product_name: string | null;
  brand_logo_url: string | null;
  brand_accent_color: string | null;
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** What the key may do (`management`, `credentials:read`, `records:read`). */
  scopes: ColumnType<ApiKeyScope[], string | undefined, string>;
}

export interface SigningKeyTable {
  id: string;
  workspace_id: string;
  algorithm: string;
  secret_sealed: string | null;
  public_jwk: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

/** A workspace's JWKS URL: its public signing keys, fetched (see flow-tokens/jwks.ts). */
export interface SigningJwksTable {
  workspace_id: string;
  url: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ScopeConfigTable {
  id: string;
  workspace_id: string;
  name: string;
  category: string;
  models: Json<ScopeConfigModels>;
  is_default: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

export interface IntegrationTable {
  id: string;
  workspace_id: string;
  tool: string;
  category: string;
  end_user_origin_id: string;
  end_user_organization_name: string;
  end_user_email: string | null;
  credentials_sealed: string;
  /** The remote account the credentials belong to (a relink must stay on it). */
  account_id: string | null;
  /** The remote account's display name, as the tool gave it when the credentials were checked. */
  account_name: string | null;
  scope_config_id: string | null;
  state: string;
  failing_since: Timestamp | null;
  failed_checks: number;
  last_checked_at: Timestamp | null;
  last_succeeded_at: Timestamp | null;
  next_sync_at: Timestamp | null;
  sync_interval_ms: number | null;
  /** Consecutive inconclusive attempts, for the retry backoff. */
  retry_attempt: number;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  granted_permissions: Json<string[]>;
  missing_permissions: Json<Array<{ permission: string; models: string[]; fields: string[] }>>;
  /** Optional models (`model`) or fields (`model.field`) the end user opted out of. */
  opted_out: Json<string[]>;
  last_sync_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When a relink last completed: flow tokens issued before it that it satisfied are superseded. */
  relinked_at: Timestamp | null;
  /** When the credentials expire, as the tool reported it (`credentialsExpireAt`); null = unknown. */
  credentials_expire_at: Timestamp | null;
  /** The `credentials_expire_at` whose `integration-credentials-expiring` was announced. */
  expiry_warned_for: Timestamp | null;
  /** When the integration was paused (`INVALID`); null while not paused. */
  paused_at: Timestamp | null;
  /** The last paused window (`paused_from`, `paused_until`), set when it became `ACTIVE` again. */
  gap_from: Timestamp | null;
  gap_until: Timestamp | null;
  /** When the first sync after that resume reported the window (`sync-finished`). */
  gap_reported_at: Timestamp | null;
}

export interface SyncRunTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  trigger: string;
  status: string;
  sync_state: string | null;
  queued_at: Timestamp;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  scope_config_id: string | null;
  warnings: Json<SyncWarning[]>;
  records: Json<Record<string, number>>;
  error: string | null;
}

export interface AuthCheckTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  outcome: string;
  trigger: string;
  detail: string | null;
  duration_ms: number;
  checked_at: Timestamp;
}

/**
 * A record a sync read, sealed: its fields are one sealed JSON object (`fields_sealed`, see
 * `domain/records.ts`); only what identifies it stays in clear. `data` is the plain form rows had
 * before migration 0008: never written, null once the server has sealed them at start.
 */
export interface SyncedRecordTable {
  integration_id: string;
  model: string;
  remote_id: string;
  /** @deprecated plain fields of rows synced before 0008; null once sealed. */
  data: Json<Record<string, unknown>> | null;
  fields_sealed: string | null;
  synced_at: Timestamp;
}

export interface EventTable {
  /** Commit order; per integration, the order of the changes. */
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  type: string;
  integration_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface WebhookEndpointTable {
  id: string;
  workspace_id: string;
  url: string;
  description: string | null;
  event_types: Json<string[]> | null;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveryTable {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_id: string;
  event_seq: number;
  integration_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: Timestamp | null;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_response_status: number | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempted_at: Timestamp;
  response_status: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

export interface RelinkLinkTable {
  id: string;
  workspace_id: string;
  integration_id: string | null;
  jti: string;
  flow: string;
  link_type: string;
  scope_config_id: string | null;
  language: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
  completed_at: Timestamp | null;
  exited_at: Timestamp | null;
  /** Revoked by the operator (`DELETE /v1/integrations/:id/relink-links/:link_id`): its token answers 410. */
  revoked_at: Timestamp | null;
  /** When another completed relink made it pointless: its token answers `409 FLOW_SUPERSEDED`. */
  superseded_at: Timestamp | null;
  /** A hand-off link (`POST /connect/v1/flow/handoff`): who asked, and when. */
  handoff_requested_by: string | null;
  handoff_requested_at: Timestamp | null;
}

/** A forced outcome of the next auth checks of an integration (`RELINK_ENABLE_SIMULATION`). */
export interface AuthSimulationTable {
  integration_id: string;
  workspace_id: string;
  outcome: string;
  /** Checks left to force; null = until cleared. */
  remaining: number | null;
  created_at: Timestamp;
}

/** A relink campaign: the integrations that must relink onto `scope_config_id`. */
export interface RelinkCampaignTable {
  id: string;
  workspace_id: string;
  /** The scope config the campaign was started from. */
  source_scope_config_id: string;
  /** The target: the integrations relink onto it. */
  scope_config_id: string;
  /** All integrations of this tool (null: those on the source scope config). */
  tool: string | null;
  total: number;
  /** Integrations whose credentials already granted the target, moved onto it at creation. */
  moved: number;
  created_at: Timestamp;
}

export interface RelinkCampaignMemberTable {
  campaign_id: string;
  integration_id: string;
  workspace_id: string;
  scope_config_id: string;
  relinked_at: Timestamp | null;
}

/** A flow token's `jti` once it has completed a flow: it can never complete another. */
/** A flow token that completed its flow; keyed by `(workspace_id, jti)`: ids are the workspace's own. */
export interface SpentTokenTable {
  workspace_id: string;
  jti: string;
  integration_id: string;
  spent_at: Timestamp;
}

export interface OAuthStateTable {
  state: string;
  workspace_id: string;
  jti: string;
  tool: string;
  code_verifier_sealed: string;
  opener_origin: string | null;
  flow_token_sealed: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** Optional parts the end user opted out of before signing in (null = none). */
  opted_out: Json<string[]> | null;
}

/** A flow token whose failure was announced (`connection-flow-failed`): announced at most once. */
export interface FlowFailureTable {
  jti: string;
  workspace_id: string;
  reason: string;
  created_at: Timestamp;
}

/** A sync the product runs itself, opened through the auth check (`domain/sync-sessions.ts`). */
export interface SyncSessionTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  /** The API key that opened it (who took the credentials). */
  api_key_id: string;
  /** `OPEN`, `FINISHED` or `EXPIRED`. */
  status: string;
  /** The auth check that let it open (run now, or reused within `max_check_age`). */
  check_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  finished_at: Timestamp | null;
  /** The outcome the product reported (null while open, `SESSION_EXPIRED` when it never did). */
  outcome: string | null;
  /** The sync run it recorded once finished or expired. */
  sync_id: string | null;
}

/** Held by the one replica refreshing an integration's OAuth token. */
export interface CredentialRefreshLeaseTable {
  integration_id: string;
  owner: string;
  expires_at: Timestamp;
}

/** SQLite: the lease of the one process that schedules, on the whole file (`domain/local-claims.ts`). */
export interface SchedulerLeaseTable {
  name: string;
  owner: string;
  expires_at: Timestamp;
}

/** The RFC 7009 revocation of a grant a relink replaced. */
export interface GrantRevocationTable {
  id: string;
  workspace_id: string;
  integration_id: string;
  tool: string;
  outcome: "REVOKED" | "FAILED";
  detail: string | null;
  created_at: string;
}

export interface Database {
  workspaces: WorkspaceTable;
  api_keys: ApiKeyTable;
  signing_keys: SigningKeyTable;
  signing_jwks: SigningJwksTable;
  scope_configs: ScopeConfigTable;
  integrations: IntegrationTable;
  sync_runs: SyncRunTable;
  auth_checks: AuthCheckTable;
  synced_records: SyncedRecordTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  relink_links: RelinkLinkTable;
  spent_tokens: SpentTokenTable;
  oauth_states: OAuthStateTable;
  flow_failures: FlowFailureTable;
  auth_simulations: AuthSimulationTable;
  relink_campaigns: RelinkCampaignTable;
  relink_campaign_members: RelinkCampaignMemberTable;
  credential_refresh_leases: CredentialRefreshLeaseTable;
  grant_revocations: GrantRevocationTable;
  sync_sessions: SyncSessionTable;
  scheduler_leases: SchedulerLeaseTable;
}

export type IntegrationRow = Selectable<IntegrationTable>;
export type NewIntegration = Insertable<IntegrationTable>;
export type IntegrationUpdate = Updateable<IntegrationTable>;
export type ScopeConfigRow = Selectable<ScopeConfigTable>;
export type SyncRunRow = Selectable<SyncRunTable>;
export type AuthCheckRow = Selectable<AuthCheckTable>;
export type GrantRevocationRow = Selectable<GrantRevocationTable>;
export type EventRow = Selectable<EventTable>;
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type SyncSessionRow = Selectable<SyncSessionTable>;

/** Columns read back as booleans on SQLite (stored there as 0/1). */
export const BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(["is_default", "enabled"]);
/** Columns read back parsed on SQLite (stored there as text). */
export const JSON_COLUMNS: ReadonlySet<string> = new Set([
  "allowed_origins",
  "public_jwk",
  "models",
  "granted_permissions",
  "missing_permissions",
  "warnings",
  "records",
  "data",
  "event_types",
  "opted_out",
  "scopes",
]);

export const toJson = (value: unknown): string => JSON.stringify(value);
