import type { AuthField, AuthOutcome, Locale, Permission, Tool } from "@relink/sdk/contract";

/** A tool's credentials as the end user entered them (and, for OAuth, the tokens obtained). */
export type Credentials = Record<string, string>;

export interface ConnectorContext {
  credentials: Credentials;
  signal: AbortSignal;
  /**
   * Given by callers that hold a stored integration: refreshes its OAuth credentials under a
   * lease shared by every replica and stores them before they are used (`refreshAccessToken`).
   * Without it (credentials not stored yet), a connector refreshes itself and returns
   * `refreshedCredentials`.
   */
  refresh?: (credentials: Credentials) => Promise<Credentials>;
}

export interface AuthCheckResult {
  outcome: AuthOutcome;
  /** Why, in words fit for an operator: never a secret. */
  detail?: string;
  /** Set when the check refreshed the credentials (OAuth): they must be stored. */
  refreshedCredentials?: Credentials;
  /** For an `INCONCLUSIVE` outcome: how long the tool asked us to wait (`Retry-After`). */
  retryAfterMs?: number;
  /** When the credentials expire (ISO 8601), where the tool says (a refresh token's or API key's expiry). */
  credentialsExpireAt?: string;
}

export interface AccountIdentity {
  /** Stable id of the remote account (company, tenant); a relink must stay on it. */
  id: string;
  name?: string;
}

export interface SyncModelRequest {
  model: string;
  /** The fields the scope config enables for this model. */
  fields: string[];
}

export interface SyncRecord {
  id: string;
  data: Record<string, unknown>;
}

export interface SyncContext extends ConnectorContext {
  models: SyncModelRequest[];
}

export interface SyncResult {
  records: Record<string, SyncRecord[]>;
}

export interface OAuthStartInput {
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scopes: string[];
}

export interface OAuthHooks {
  authorizeUrl(input: OAuthStartInput): string;
  /** Exchanges an authorization code for credentials (access and refresh token). */
  exchangeCode(input: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
    signal: AbortSignal;
  }): Promise<Credentials>;
  /** Refreshes; throws `ConnectorError` with `AUTH_FAILED` on `invalid_grant`. */
  refresh(input: { credentials: Credentials; signal: AbortSignal }): Promise<Credentials>;
  /** Each refresh returns a new refresh token and invalidates the one used. */
  readonly refreshTokenRotates?: boolean;
  /**
   * Revokes a grant (RFC 7009), for the one a relink replaced; absent when the tool has no
   * revocation endpoint. Throws `ConnectorError` when the tool did not confirm it.
   */
  revoke?(input: { credentials: Credentials; signal: AbortSignal }): Promise<void>;
}

/**
 * A tool's texts in one language, by id; anything left out stays in the tool's own words. The
 * connect API shows the end user the flow's language; the management API lists the tool as is.
 */
export interface ToolTranslation {
  permissions?: Record<string, Partial<Pick<Permission, "label" | "description" | "where_to_grant">>>;
  /** The credential form's fields. */
  authFields?: Record<string, Partial<Pick<AuthField, "label" | "help" | "placeholder">>>;
  /** Models and their fields (`fields` by field id), as the optional data the end user may opt out of. */
  models?: Record<string, { label?: string; fields?: Record<string, string> }>;
}

/**
 * What relink needs from a tool. `checkAuth` decides the outcome that drives the pause engine:
 * `AUTH_FAILED` only when the tool rejected the credentials, `INCONCLUSIVE` for anything else
 * that went wrong (timeouts, 5xx, 429, malformed answers).
 */
export interface Connector {
  readonly tool: Tool;
  /** The tool's labels in other languages than its own (English), for the end user's flow. */
  readonly translations?: Partial<Record<Locale, ToolTranslation>>;
  checkAuth(ctx: ConnectorContext): Promise<AuthCheckResult>;
  grantedPermissions(ctx: ConnectorContext): Promise<string[]>;
  accountIdentity(ctx: ConnectorContext): Promise<AccountIdentity>;
  /**
   * Reads the scope's records. Left out by a connector for a tool the product syncs itself
   * (through sync sessions): relink then only checks its credentials, at the sync interval.
   */
  sync?(ctx: SyncContext): Promise<SyncResult>;
  readonly oauth?: OAuthHooks;
}

/** A connector that reads the tool's data itself (every coded connector of this repository). */
export type SyncingConnector = Connector & Required<Pick<Connector, "sync">>;

/**
 * Thrown by connectors: `AUTH_FAILED` when the tool rejected the credentials,
 * `INCONCLUSIVE` when it could not be reached or answered nonsense.
 */
export class ConnectorError extends Error {
  override name = "ConnectorError";
  constructor(
    readonly outcome: Exclude<AuthOutcome, "OK">,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The tool with its texts in `locale` where the connector translates them. */
export function localizedTool(connector: Connector, locale: Locale | undefined): Tool {
  const tool = connector.tool;
  const t = locale && connector.translations?.[locale];
  if (!t) return tool;
  return {
    ...tool,
    auth: { ...tool.auth, fields: tool.auth.fields.map((f) => ({ ...f, ...t.authFields?.[f.id] })) },
    models: tool.models.map((m) => ({
      ...m,
      label: t.models?.[m.id]?.label ?? m.label,
      fields: m.fields.map((f) => ({ ...f, label: t.models?.[m.id]?.fields?.[f.id] ?? f.label })),
    })),
    permissions: tool.permissions.map((p) => ({ ...p, ...t.permissions?.[p.id] })),
  };
}

/** The tools a server knows, by id; and the ones it knows of but cannot use yet (settings missing). */
export class ConnectorRegistry {
  readonly #byId = new Map<string, Connector>();
  readonly #unready = new Map<string, { connector: Connector; missing: string[] }>();

  constructor(connectors: Iterable<Connector> = []) {
    for (const connector of connectors) this.add(connector);
  }

  add(connector: Connector): this {
    if (this.#byId.has(connector.tool.id))
      throw new TypeError(`two connectors for tool "${connector.tool.id}"`);
    this.#byId.set(connector.tool.id, connector);
    return this;
  }

  get(toolId: string): Connector | undefined {
    return this.#byId.get(toolId);
  }

  list(): Connector[] {
    return [...this.#byId.values()];
  }

  /** Records a tool that is not usable until the operator configures `missing`. */
  addUnready(connector: Connector, missing: string[]): this {
    if (this.#byId.has(connector.tool.id) || this.#unready.has(connector.tool.id))
      throw new TypeError(`two connectors for tool "${connector.tool.id}"`);
    this.#unready.set(connector.tool.id, { connector, missing });
    return this;
  }

  /** Every tool, usable ones first, each with what it lacks (nothing when ready). */
  statuses(): Array<{ tool: Tool; ready: boolean; missing: string[] }> {
    return [
      ...this.list().map((c) => ({ tool: c.tool, ready: true, missing: [] })),
      ...[...this.#unready.values()].map(({ connector, missing }) => ({
        tool: connector.tool,
        ready: false,
        missing,
      })),
    ];
  }
}
