import type { z } from "zod";
import type {
  AllowedOrigins,
  AllowedOriginsUpdate,
  ApiKey,
  ApiKeyCreated,
  ApiKeyCreateSchema,
  AuthCheck,
  AuthCheckListQuerySchema,
  Branding,
  BrandingUpdate,
  CheckAuthResult,
  EventListQuerySchema,
  EventLogEntry,
  HmacSigningKeyCreated,
  Integration,
  IntegrationImportSchema,
  IntegrationListQuerySchema,
  ManualSyncResult,
  Page,
  PageQuerySchema,
  PublicSigningKeyCreated,
  RecordListQuerySchema,
  RelinkLink,
  RelinkLinkCreated,
  RelinkLinkCreateSchema,
  RelinkLinkListQuerySchema,
  ScopeConfig,
  ScopeConfigCreateSchema,
  ScopeConfigUpdateSchema,
  SigningKey,
  SigningKeyCreateSchema,
  SyncedRecord,
  SyncRun,
  SyncRunListQuerySchema,
  SyncSession,
  SyncSessionCreateSchema,
  SyncSessionFinished,
  SyncSessionFinishSchema,
  SyncSessionOpened,
  Tool,
  WebhookDelivery,
  WebhookDeliveryListQuerySchema,
  WebhookEndpoint,
  WebhookEndpointCreateSchema,
  WebhookEndpointUpdateSchema,
  WebhookEndpointWithSecret,
  WebhookSecretRotateSchema,
} from "./contract/index.ts";
import { backoffDelay, parseRetryAfter, RelinkApiError, RelinkConnectionError } from "./errors.ts";
import {
  runSyncSession,
  type SyncSessionContext,
  type SyncSessionReport,
  type WithSyncSessionResult,
} from "./sync-sessions.ts";

export { RelinkApiError, type RelinkApiErrorCode, RelinkConnectionError } from "./errors.ts";

/**
 * Options of `new RelinkClient`.
 *
 * @example
 * ```ts
 * const options: RelinkClientOptions = { baseUrl: "https://relink.example.com", apiKey, timeoutMs: 10_000, maxRetries: 3 };
 * ```
 */
export interface RelinkClientOptions {
  /** Where the relink server answers, e.g. `https://relink.example.com`. */
  baseUrl: string;
  /** A workspace API key (`rlk_…`). Keep it on your backend. */
  apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** How long one attempt may take, in milliseconds; default 30 000. */
  timeoutMs?: number;
  /** How often a request is retried on 429 and 503 (and, for GET, PUT and DELETE, on network errors and timeouts); default 2. */
  maxRetries?: number;
}

/**
 * Per-call options, last argument of every method.
 *
 * @example
 * ```ts
 * await relink.integrations.get(id, { signal: AbortSignal.timeout(2_000), maxRetries: 0 });
 * ```
 */
export interface RequestOptions {
  /** Cancels the request (and its retries); it then rejects with the signal's reason. */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * The query of a paginated list: its filters, `limit` (1–200, default 50) and `cursor`.
 *
 * @example
 * ```ts
 * const query: ListQuery<typeof IntegrationListQuerySchema> = { state: "INVALID", limit: 100 };
 * ```
 */
export type ListQuery<S extends z.ZodType> = Partial<Omit<z.output<S>, "limit" | "cursor">> & {
  limit?: number;
  cursor?: string;
};

/** A request body as the API accepts it (defaults may be left out). */
type Body<S extends z.ZodType> = z.input<S>;

/**
 * The creation answer for a key algorithm: the HS256 one carries the secret.
 *
 * @example
 * ```ts
 * const created: SigningKeyCreatedFor<"HS256"> = await relink.signingKeys.create({ algorithm: "HS256" });
 * created.secret; // string
 * ```
 */
export type SigningKeyCreatedFor<A> = A extends "HS256" ? HmacSigningKeyCreated : PublicSigningKeyCreated;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;
/** A `Retry-After` longer than this is not waited for: the error goes to the caller. */
const MAX_RETRY_DELAY_MS = 60_000;
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * A page of a list, awaitable and async-iterable: `await` it for the first page
 * (`{ data, next_cursor }`), or `for await` over it for every item of every page, fetched as
 * the loop goes.
 *
 * @example
 * ```ts
 * const first = await relink.integrations.list({ limit: 10 });
 * for await (const integration of relink.integrations.list({ state: "INVALID" })) {
 *   console.log(integration.id);
 * }
 * ```
 */
export class PageRequest<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #first: Promise<Page<T>> | undefined;
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  readonly #cursor: string | undefined;

  /** @internal */
  constructor(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, cursor: string | undefined) {
    this.#fetchPage = fetchPage;
    this.#cursor = cursor;
  }

  // biome-ignore lint/suspicious/noThenProperty: a page request is awaitable on purpose
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetchPage(this.#cursor);
    return this.#first;
  }

  /** Every page, from this one on. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let page = await this.#firstPage();
    yield page;
    while (page.next_cursor) {
      page = await this.#fetchPage(page.next_cursor);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }
}

/**
 * The typed client of relink's management API (DESIGN section 4): one method per endpoint,
 * grouped by resource. Browser-safe (fetch only) but it carries an API key: use it on your backend.
 * Retries 429 and 503 with backoff, honouring `Retry-After`; times out each attempt.
 *
 * @example
 * ```ts
 * import { RelinkClient, RelinkApiError } from "@relink/sdk";
 *
 * const relink = new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: process.env.RELINK_API_KEY! });
 * const integration = await relink.integrations.get("int_01jd5x3m9k2q8r7t6y5w4v3u2s");
 * if (integration.state === "INVALID") {
 *   const { link } = await relink.integrations.relink(integration.id, { link_type: "MAGIC_LINK" });
 * }
 * ```
 */
export class RelinkClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;

  constructor(options: RelinkClientOptions) {
    if (options === null || typeof options !== "object")
      throw new TypeError("RelinkClient needs an options object");
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(
        `baseUrl must be an absolute URL such as https://relink.example.com; got ${String(options.baseUrl)}`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("baseUrl must be http(s)");
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError("apiKey is required: a workspace API key (rlk_…)");
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("no fetch: pass options.fetch");
    this.#baseUrl = url.href.replace(/\/+$/, "");
    this.#apiKey = options.apiKey.trim();
    this.#fetch = fetchImpl;
    this.#timeoutMs = checkedTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs");
    this.#maxRetries = checkedRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
  }

  /** The tool catalog. */
  readonly tools = {
    /**
     * `GET /v1/tools`: every tool the server has a connector for.
     * @example
     * ```ts
     * const tools = await relink.tools.list();
     * ```
     */
    list: async (options?: RequestOptions): Promise<Tool[]> =>
      (await this.#request<{ data: Tool[] }>("GET", "/v1/tools", { options })).data,
    /**
     * `GET /v1/tools/:tool`; with `scope_config_id`, the permissions that config requires from it.
     * @example
     * ```ts
     * const { required_permissions } = await relink.tools.get("demo-hris", { scope_config_id: "sc_…" });
     * ```
     */
    get: (
      tool: string,
      query: { scope_config_id?: string } = {},
      options?: RequestOptions,
    ): Promise<Tool & { required_permissions?: string[] }> =>
      this.#request("GET", `/v1/tools/${segment(tool)}`, { query, options }),
  };

  /** Scope configs: which models and fields the product wants. */
  readonly scopeConfigs = {
    /**
     * `GET /v1/scope-configs`.
     * @example
     * ```ts
     * for await (const config of relink.scopeConfigs.list()) console.log(config.name);
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<ScopeConfig>("/v1/scope-configs", query, options),
    /**
     * `POST /v1/scope-configs`, validated against the catalog.
     * @example
     * ```ts
     * await relink.scopeConfigs.create({ name: "Payroll", category: "HRIS", models: { employees: { setting: "ENABLED" } } });
     * ```
     */
    create: (body: Body<typeof ScopeConfigCreateSchema>, options?: RequestOptions): Promise<ScopeConfig> =>
      this.#request("POST", "/v1/scope-configs", { body, options }),
    /**
     * `GET /v1/scope-configs/:id`.
     * @example
     * ```ts
     * const config = await relink.scopeConfigs.get("sc_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<ScopeConfig> =>
      this.#request("GET", `/v1/scope-configs/${segment(id)}`, { options }),
    /**
     * `PATCH /v1/scope-configs/:id`.
     * @example
     * ```ts
     * await relink.scopeConfigs.update("sc_…", { is_default: true });
     * ```
     */
    update: (
      id: string,
      body: Body<typeof ScopeConfigUpdateSchema>,
      options?: RequestOptions,
    ): Promise<ScopeConfig> => this.#request("PATCH", `/v1/scope-configs/${segment(id)}`, { body, options }),
    /**
     * `DELETE /v1/scope-configs/:id` (refused with `SCOPE_CONFIG_IN_USE` while integrations use it).
     * @example
     * ```ts
     * await relink.scopeConfigs.delete("sc_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      this.#request("DELETE", `/v1/scope-configs/${segment(id)}`, { options }),
  };

  /** Integrations: state, auth health, relink links, syncs and auth checks. */
  readonly integrations = {
    /**
     * `GET /v1/integrations`, newest first, filtered by `state`, `tool`, `end_user_origin_id`, `auth_status`.
     * @example
     * ```ts
     * for await (const integration of relink.integrations.list({ auth_status: "FAILING" })) {
     *   console.log(integration.id, integration.auth.pauses_at);
     * }
     * ```
     */
    list: (query: ListQuery<typeof IntegrationListQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<Integration>("/v1/integrations", query, options),
    /**
     * `POST /v1/integrations`: imports an integration with credentials, checked with the tool first.
     * @example
     * ```ts
     * await relink.integrations.create({
     *   tool: "demo-hris",
     *   end_user: { origin_id: "org_42", organization_name: "Acme GmbH" },
     *   credentials: { api_key: "…" },
     * });
     * ```
     */
    create: (body: Body<typeof IntegrationImportSchema>, options?: RequestOptions): Promise<Integration> =>
      this.#request("POST", "/v1/integrations", { body, options }),
    /**
     * `GET /v1/integrations/:id`.
     * @example
     * ```ts
     * const { state, auth } = await relink.integrations.get("int_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<Integration> =>
      this.#request("GET", `/v1/integrations/${segment(id)}`, { options }),
    /**
     * `DELETE /v1/integrations/:id`: its credentials are destroyed.
     * @example
     * ```ts
     * await relink.integrations.delete("int_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      this.#request("DELETE", `/v1/integrations/${segment(id)}`, { options }),
    /**
     * `PUT /v1/integrations/:id/enabled`: `false` makes it `INACTIVE`.
     * @example
     * ```ts
     * await relink.integrations.setEnabled("int_…", false);
     * ```
     */
    setEnabled: (id: string, value: boolean, options?: RequestOptions): Promise<Integration> =>
      this.#request("PUT", `/v1/integrations/${segment(id)}/enabled`, { body: { value }, options }),
    /**
     * `POST /v1/integrations/:id/relink`: a link and token for the end user to replace the credentials.
     * @example
     * ```ts
     * const { link } = await relink.integrations.relink("int_…", { link_type: "MAGIC_LINK", language: "de" });
     * ```
     */
    relink: (
      id: string,
      body: Body<typeof RelinkLinkCreateSchema> = {},
      options?: RequestOptions,
    ): Promise<RelinkLinkCreated> =>
      this.#request("POST", `/v1/integrations/${segment(id)}/relink`, { body, options }),
    /**
     * `GET /v1/integrations/:id/relink-links`: the links made for it (never their tokens), by `status`.
     * `relinkLinks.revoke(id, linkId)` revokes one.
     * @example
     * ```ts
     * const { data } = await relink.integrations.relinkLinks("int_…", { status: "OUTSTANDING" });
     * ```
     */
    relinkLinks: Object.assign(
      (id: string, query: ListQuery<typeof RelinkLinkListQuerySchema> = {}, options?: RequestOptions) =>
        this.#list<RelinkLink>(`/v1/integrations/${segment(id)}/relink-links`, query, options),
      {
        /**
         * `DELETE /v1/integrations/:id/relink-links/:link_id`: its token then answers `410 LINK_REVOKED`.
         * Idempotent (a revoked link is answered unchanged); a completed link is a `409 CONFLICT`.
         * @example
         * ```ts
         * const link = await relink.integrations.relinkLinks.revoke("int_…", "lnk_…");
         * console.log(link.status); // "REVOKED"
         * ```
         */
        revoke: (id: string, linkId: string, options?: RequestOptions): Promise<RelinkLink> =>
          this.#request("DELETE", `/v1/integrations/${segment(id)}/relink-links/${segment(linkId)}`, {
            options,
          }),
      },
    ),
    /**
     * `POST /v1/integrations/:id/sync`: a manual sync (after an auth check).
     * @example
     * ```ts
     * const { sync_id, already_queued } = await relink.integrations.sync("int_…");
     * ```
     */
    sync: (id: string, options?: RequestOptions): Promise<ManualSyncResult> =>
      this.#request("POST", `/v1/integrations/${segment(id)}/sync`, { options }),
    /**
     * `POST /v1/integrations/:id/check-auth`: an auth check now; an `OK` ends a pause.
     * @example
     * ```ts
     * const { outcome, integration } = await relink.integrations.checkAuth("int_…");
     * ```
     */
    checkAuth: (id: string, options?: RequestOptions): Promise<CheckAuthResult> =>
      this.#request("POST", `/v1/integrations/${segment(id)}/check-auth`, { options }),
    /**
     * `GET /v1/integrations/:id/syncs`: the sync history.
     * @example
     * ```ts
     * for await (const run of relink.integrations.syncs("int_…")) console.log(run.sync_state);
     * ```
     */
    syncs: (id: string, query: ListQuery<typeof SyncRunListQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<SyncRun>(`/v1/integrations/${segment(id)}/syncs`, query, options),
    /**
     * `GET /v1/integrations/:id/auth-checks`: the auth check history.
     * @example
     * ```ts
     * const { data } = await relink.integrations.authChecks("int_…", { limit: 20 });
     * ```
     */
    authChecks: (
      id: string,
      query: ListQuery<typeof AuthCheckListQuerySchema> = {},
      options?: RequestOptions,
    ) => this.#list<AuthCheck>(`/v1/integrations/${segment(id)}/auth-checks`, query, options),
    /**
     * `GET /v1/integrations/:id/records/:model` (an API key with `records:read`): the synced
     * records of one model, with only the fields the scope config enables; pages of up to 500.
     * @example
     * ```ts
     * for await (const employee of relink.integrations.records("int_…", "employees")) {
     *   console.log(employee.remote_id, employee.fields.first_name);
     * }
     * ```
     */
    records: (
      id: string,
      model: string,
      query: ListQuery<typeof RecordListQuerySchema> = {},
      options?: RequestOptions,
    ) =>
      this.#list<SyncedRecord>(`/v1/integrations/${segment(id)}/records/${segment(model)}`, query, options),
    /**
     * `POST /v1/integrations/:id/sync-sessions` (an API key with `credentials:read`): checks the
     * credentials now and hands them to the product's own sync. Refusals are `RelinkApiError`s
     * (`INTEGRATION_PAUSED`, `INTEGRATION_INACTIVE`, `AUTHENTICATION_FAILED`, `TOOL_UNREACHABLE`).
     * `withSyncSession` opens, runs and finishes one for you.
     * @example
     * ```ts
     * const session = await relink.integrations.openSyncSession("int_…", { max_check_age: "1m" });
     * ```
     */
    openSyncSession: (
      id: string,
      body: Body<typeof SyncSessionCreateSchema> = {},
      options?: RequestOptions,
    ): Promise<SyncSessionOpened> =>
      this.#request("POST", `/v1/integrations/${segment(id)}/sync-sessions`, { body, options }),
    /**
     * `POST /v1/integrations/:id/sync-sessions/:session_id/finish`: records the product's sync
     * (trigger `EXTERNAL`) and announces `sync-finished`.
     * @example
     * ```ts
     * await relink.integrations.finishSyncSession("int_…", "ss_…", { outcome: "SUCCEEDED", records: { employees: 120 } });
     * ```
     */
    finishSyncSession: (
      id: string,
      sessionId: string,
      body: Body<typeof SyncSessionFinishSchema>,
      options?: RequestOptions,
    ): Promise<SyncSessionFinished> =>
      this.#request("POST", `/v1/integrations/${segment(id)}/sync-sessions/${segment(sessionId)}/finish`, {
        body,
        options,
      }),
    /**
     * `GET /v1/integrations/:id/sync-sessions`: who took the integration's credentials, and when.
     * @example
     * ```ts
     * const { data } = await relink.integrations.syncSessions("int_…");
     * ```
     */
    syncSessions: (id: string, query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<SyncSession>(`/v1/integrations/${segment(id)}/sync-sessions`, query, options),
    /**
     * Runs the product's own sync of an integration through a sync session: opens it (relink
     * checks the credentials first), calls `fn` with the credentials, the scope to read and a
     * `signal` that aborts when the session expires, then finishes it with what `fn` returned.
     * A throw finishes it `FAILED` (`AUTHENTICATION_FAILED` for a `RelinkAuthError`) and is
     * rethrown. A refusal to open is returned, typed, and `fn` never runs. Needs an API key with
     * `credentials:read`.
     * @example
     * ```ts
     * const result = await relink.integrations.withSyncSession("int_…", async ({ credentials, scopeConfig, signal }) => {
     *   const employees = await fetchEmployees(credentials.api_key, scopeConfig, signal);
     *   return { records: { employees: employees.length } };
     * });
     * if (!result.ok) console.warn(`not synced: ${result.refusal.code}`);
     * ```
     */
    // biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing is allowed
    withSyncSession: <T extends SyncSessionReport | undefined | void>(
      id: string,
      fn: (context: SyncSessionContext) => Promise<T>,
      options: { maxCheckAge?: string; signal?: AbortSignal } = {},
    ): Promise<WithSyncSessionResult<T>> =>
      runSyncSession(
        () =>
          this.integrations.openSyncSession(
            id,
            options.maxCheckAge === undefined ? {} : { max_check_age: options.maxCheckAge },
            { signal: options.signal },
          ),
        (sessionId, body) => this.integrations.finishSyncSession(id, sessionId, body),
        fn,
        options.signal,
      ),
  };

  /** The event log: what was or will be sent as webhooks. */
  readonly events = {
    /**
     * `GET /v1/events`, newest first.
     * @example
     * ```ts
     * for await (const event of relink.events.list({ type: "integration-state-changed" })) console.log(event.id);
     * ```
     */
    list: (query: ListQuery<typeof EventListQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<EventLogEntry>("/v1/events", query, options),
  };

  /** Webhook endpoints. */
  readonly webhookEndpoints = {
    /**
     * `GET /v1/webhook-endpoints`.
     * @example
     * ```ts
     * const { data } = await relink.webhookEndpoints.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<WebhookEndpoint>("/v1/webhook-endpoints", query, options),
    /**
     * `POST /v1/webhook-endpoints`: the answer carries the signing secret (`whsec_…`), once.
     * @example
     * ```ts
     * const { secret } = await relink.webhookEndpoints.create({ url: "https://api.example.com/webhooks/relink" });
     * ```
     */
    create: (
      body: Body<typeof WebhookEndpointCreateSchema>,
      options?: RequestOptions,
    ): Promise<WebhookEndpointWithSecret> =>
      this.#request("POST", "/v1/webhook-endpoints", { body, options }),
    /**
     * `PATCH /v1/webhook-endpoints/:id`.
     * @example
     * ```ts
     * await relink.webhookEndpoints.update("whep_…", { event_types: ["integration-state-changed"] });
     * ```
     */
    update: (
      id: string,
      body: Body<typeof WebhookEndpointUpdateSchema>,
      options?: RequestOptions,
    ): Promise<WebhookEndpoint> =>
      this.#request("PATCH", `/v1/webhook-endpoints/${segment(id)}`, { body, options }),
    /**
     * `DELETE /v1/webhook-endpoints/:id`.
     * @example
     * ```ts
     * await relink.webhookEndpoints.delete("whep_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      this.#request("DELETE", `/v1/webhook-endpoints/${segment(id)}`, { options }),
    /**
     * `POST /v1/webhook-endpoints/:id/rotate-secret`: a new secret; the old one keeps signing for the grace period.
     * @example
     * ```ts
     * const { secret } = await relink.webhookEndpoints.rotateSecret("whep_…", { grace_period: "24h" });
     * ```
     */
    rotateSecret: (
      id: string,
      body: Body<typeof WebhookSecretRotateSchema> = {},
      options?: RequestOptions,
    ): Promise<WebhookEndpointWithSecret> =>
      this.#request("POST", `/v1/webhook-endpoints/${segment(id)}/rotate-secret`, { body, options }),
    /**
     * `POST /v1/webhook-endpoints/:id/test`: sends a `webhook-test` event to this endpoint only.
     * @example
     * ```ts
     * const delivery = await relink.webhookEndpoints.test("whep_…");
     * ```
     */
    test: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      this.#request("POST", `/v1/webhook-endpoints/${segment(id)}/test`, { options }),
  };

  /** Webhook deliveries: every attempt, and redelivery. */
  readonly webhookDeliveries = {
    /**
     * `GET /v1/webhook-deliveries`, filtered by endpoint, event, integration or status.
     * @example
     * ```ts
     * for await (const delivery of relink.webhookDeliveries.list({ status: "FAILED" })) console.log(delivery.id);
     * ```
     */
    list: (query: ListQuery<typeof WebhookDeliveryListQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<WebhookDelivery>("/v1/webhook-deliveries", query, options),
    /**
     * `GET /v1/webhook-deliveries/:id`, with every attempt.
     * @example
     * ```ts
     * const { attempts } = await relink.webhookDeliveries.get("whdl_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      this.#request("GET", `/v1/webhook-deliveries/${segment(id)}`, { options }),
    /**
     * `POST /v1/webhook-deliveries/:id/retry`: sends it again now.
     * @example
     * ```ts
     * await relink.webhookDeliveries.retry("whdl_…");
     * ```
     */
    retry: (id: string, options?: RequestOptions): Promise<WebhookDelivery> =>
      this.#request("POST", `/v1/webhook-deliveries/${segment(id)}/retry`, { options }),
  };

  /** Flow-token signing keys. */
  readonly signingKeys = {
    /**
     * `GET /v1/signing-keys` (never their secrets).
     * @example
     * ```ts
     * const { data } = await relink.signingKeys.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<SigningKey>("/v1/signing-keys", query, options),
    /**
     * `POST /v1/signing-keys`: an HS256 secret (in this answer only) or a registered public JWK.
     * @example
     * ```ts
     * const { id, secret } = await relink.signingKeys.create({ algorithm: "HS256" });
     * ```
     */
    create: <B extends Body<typeof SigningKeyCreateSchema>>(
      body: B,
      options?: RequestOptions,
    ): Promise<SigningKeyCreatedFor<B["algorithm"]>> =>
      this.#request("POST", "/v1/signing-keys", { body, options }),
    /**
     * `DELETE /v1/signing-keys/:id`: tokens it signed are refused at once.
     * @example
     * ```ts
     * await relink.signingKeys.revoke("sk_…");
     * ```
     */
    revoke: (id: string, options?: RequestOptions): Promise<void> =>
      this.#request("DELETE", `/v1/signing-keys/${segment(id)}`, { options }),
  };

  /** Workspace settings. */
  readonly settings = {
    /**
     * `GET /v1/settings/allowed-origins`: the origins whose pages may run the connect flow.
     * @example
     * ```ts
     * const { allowed_origins } = await relink.settings.getAllowedOrigins();
     * ```
     */
    getAllowedOrigins: (options?: RequestOptions): Promise<AllowedOrigins> =>
      this.#request("GET", "/v1/settings/allowed-origins", { options }),
    /**
     * `PUT /v1/settings/allowed-origins`: replaces the list (CORS of the connect API, OAuth callback targets).
     * @example
     * ```ts
     * await relink.settings.setAllowedOrigins({ allowed_origins: ["https://app.example.com"] });
     * ```
     */
    setAllowedOrigins: (body: AllowedOriginsUpdate, options?: RequestOptions): Promise<AllowedOrigins> =>
      this.#request("PUT", "/v1/settings/allowed-origins", { body, options }),
    /**
     * `GET /v1/settings/branding`: the product name, logo URL and accent colour end users see.
     * @example
     * ```ts
     * const { product_name } = await relink.settings.getBranding();
     * ```
     */
    getBranding: (options?: RequestOptions): Promise<Branding> =>
      this.#request("GET", "/v1/settings/branding", { options }),
    /**
     * `PUT /v1/settings/branding`: replaces the brand (a field left out is unset); the hosted page
     * then says who asks the end user to reconnect.
     * @example
     * ```ts
     * await relink.settings.setBranding({
     *   product_name: "Acme Payroll",
     *   logo_url: "https://cdn.acme.example/logo.png",
     *   accent_color: "#0f766e",
     * });
     * ```
     */
    setBranding: (body: BrandingUpdate, options?: RequestOptions): Promise<Branding> =>
      this.#request("PUT", "/v1/settings/branding", { body, options }),
  };

  /** API keys of the workspace. */
  readonly apiKeys = {
    /**
     * `GET /v1/api-keys` (never the keys themselves).
     * @example
     * ```ts
     * const { data } = await relink.apiKeys.list();
     * ```
     */
    list: (query: ListQuery<typeof PageQuerySchema> = {}, options?: RequestOptions) =>
      this.#list<ApiKey>("/v1/api-keys", query, options),
    /**
     * `POST /v1/api-keys`: the key is in this answer only.
     * @example
     * ```ts
     * const { key } = await relink.apiKeys.create({ name: "billing service" });
     * ```
     */
    create: (body: Body<typeof ApiKeyCreateSchema>, options?: RequestOptions): Promise<ApiKeyCreated> =>
      this.#request("POST", "/v1/api-keys", { body, options }),
    /**
     * `DELETE /v1/api-keys/:id`: refused at once (the last key cannot be revoked).
     * @example
     * ```ts
     * await relink.apiKeys.revoke("key_…");
     * ```
     */
    revoke: (id: string, options?: RequestOptions): Promise<void> =>
      this.#request("DELETE", `/v1/api-keys/${segment(id)}`, { options }),
  };

  #list<T>(path: string, query: Query, options: RequestOptions | undefined): PageRequest<T> {
    const { cursor, ...filters } = query;
    return new PageRequest<T>(
      (next) => this.#request<Page<T>>("GET", path, { query: { ...filters, cursor: next }, options }),
      typeof cursor === "string" ? cursor : undefined,
    );
  }

  async #request<T>(
    method: Method,
    path: string,
    { query, body, options = {} }: { query?: Query; body?: unknown; options?: RequestOptions | undefined },
  ): Promise<T> {
    const url = new URL(`${this.#baseUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.#apiKey}`,
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const timeoutMs = checkedTimeout(options.timeoutMs ?? this.#timeoutMs, "timeoutMs");
    const maxRetries = checkedRetries(options.maxRetries ?? this.#maxRetries);
    const { signal } = options;

    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await this.#fetch(url, {
          ...init,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        signal?.throwIfAborted();
        const timedOut = timeout.aborted;
        if (attempt < maxRetries && IDEMPOTENT.has(method)) {
          await sleep(backoff(attempt), signal);
          continue;
        }
        throw new RelinkConnectionError(
          timedOut ? "TIMEOUT" : "NETWORK_ERROR",
          timedOut
            ? `${method} ${path} got no answer within ${timeoutMs} ms`
            : `${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if ((response.status === 429 || response.status === 503) && attempt < maxRetries) {
        const delay = parseRetryAfter(response.headers.get("retry-after")) ?? backoff(attempt);
        if (delay <= MAX_RETRY_DELAY_MS) {
          await response.body?.cancel().catch(() => {});
          await sleep(delay, signal);
          continue;
        }
      }
      return read<T>(response, method, path);
    }
  }
}

async function read<T>(response: Response, method: string, path: string): Promise<T> {
  const requestId = response.headers.get("x-request-id");
  const text = await response.text();
  if (response.ok) {
    if (response.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RelinkApiError(
        response.status,
        "UNEXPECTED_RESPONSE",
        `${method} ${path} answered ${response.status} with a body that is not JSON`,
        text.slice(0, 500),
        requestId,
      );
    }
  }
  let envelope:
    | { error?: { code?: unknown; message?: unknown; details?: unknown; request_id?: unknown } }
    | undefined;
  try {
    envelope = JSON.parse(text);
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return Promise.reject(
      new RelinkApiError(
        response.status,
        error.code as RelinkApiError["code"],
        error.message,
        error.details,
        typeof error.request_id === "string" ? error.request_id : requestId,
      ),
    );
  }
  throw new RelinkApiError(
    response.status,
    "UNEXPECTED_RESPONSE",
    `${method} ${path} answered ${response.status} without relink's error envelope`,
    text.slice(0, 500),
    requestId,
  );
}

function segment(value: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError("an id is required");
  return encodeURIComponent(value);
}

/** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s … capped at 8 s. */
const backoff = (attempt: number): number => backoffDelay(attempt, { baseMs: 500, maxMs: 8_000 });

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function checkedTimeout(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function checkedRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 10) {
    throw new TypeError("maxRetries must be a whole number from 0 to 10");
  }
  return value;
}
