/**
 * The browser-safe entry: the typed client of relink's management API. No secrets are made or
 * kept here (token minting and webhook verification are in `@relink/sdk/server`).
 *
 * @example
 * ```ts
 * import { RelinkClient, RelinkApiError } from "@relink/sdk";
 * const relink = new RelinkClient({ baseUrl: "https://relink.example.com", apiKey });
 * ```
 * @module
 */
export {
  type ListQuery,
  PageRequest,
  RelinkApiError,
  type RelinkApiErrorCode,
  RelinkClient,
  type RelinkClientOptions,
  RelinkConnectionError,
  type RequestOptions,
  type SigningKeyCreatedFor,
} from "./client.ts";
export type {
  ApiKey,
  ApiKeyCreated,
  AuthCheck,
  Branding,
  BrandingUpdate,
  CheckAuthResult,
  ErrorCode,
  EventLogEntry,
  GrantRevocation,
  Integration,
  ManualSyncResult,
  Page,
  RelinkLink,
  RelinkLinkCreate,
  RelinkLinkCreated,
  ScopeConfig,
  SigningKey,
  SigningKeyCreated,
  SyncedRecord,
  SyncRun,
  SyncSession,
  SyncSessionFinished,
  SyncSessionOpened,
  Tool,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEvent,
} from "./contract/index.ts";
export { RelinkAuthError } from "./errors.ts";
export type {
  SyncSessionContext,
  SyncSessionRefusal,
  SyncSessionReport,
  WithSyncSessionResult,
} from "./sync-sessions.ts";
