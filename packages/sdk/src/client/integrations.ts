import type {
  AuthCheck,
  AuthCheckListQuerySchema,
  CheckAuthResult,
  GrantRevocation,
  GrantRevocationListQuerySchema,
  Integration,
  IntegrationImportSchema,
  IntegrationListQuerySchema,
  IntegrationPauses,
  IntegrationStats,
  ManualSyncResult,
  PageQuerySchema,
  RecordListQuerySchema,
  RelinkLink,
  RelinkLinkCreated,
  RelinkLinkCreateSchema,
  RelinkLinkListQuerySchema,
  SyncedRecord,
  SyncRun,
  SyncRunListQuerySchema,
  SyncSession,
  SyncSessionCreateSchema,
  SyncSessionFinished,
  SyncSessionFinishSchema,
  SyncSessionOpened,
} from "../contract/index.ts";
import {
  runSyncSession,
  type SyncSessionContext,
  type SyncSessionReport,
  type WithSyncSessionResult,
} from "../sync-sessions.ts";
import { type Body, type ListQuery, type RequestOptions, segment, type Transport } from "./transport.ts";

/** Integrations: state, auth health, relink links, syncs and auth checks. */
export function integrationsResource(t: Transport) {
  const integrations = {
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
      t.list<Integration>("/v1/integrations", query, options),
    /**
     * `GET /v1/integrations/stats`: the workspace's integrations counted per state, and the
     * `ACTIVE` ones whose auth is failing.
     * @example
     * ```ts
     * const { INVALID, failing } = await relink.integrations.stats();
     * ```
     */
    stats: (options?: RequestOptions): Promise<IntegrationStats> =>
      t.request("GET", "/v1/integrations/stats", { options }),
    /**
     * `GET /v1/integrations/pauses`: for each of these integrations (at most 200) that is
     * `INVALID`, when it was paused.
     * @example
     * ```ts
     * const { data } = await relink.integrations.pauses(["int_…", "int_…"]);
     * ```
     */
    pauses: (ids: readonly string[], options?: RequestOptions): Promise<IntegrationPauses> =>
      t.request("GET", "/v1/integrations/pauses", { query: { ids: ids.join(",") }, options }),
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
      t.request("POST", "/v1/integrations", { body, options }),
    /**
     * `GET /v1/integrations/:id`.
     * @example
     * ```ts
     * const { state, auth } = await relink.integrations.get("int_…");
     * ```
     */
    get: (id: string, options?: RequestOptions): Promise<Integration> =>
      t.request("GET", `/v1/integrations/${segment(id)}`, { options }),
    /**
     * `DELETE /v1/integrations/:id`: its credentials are destroyed.
     * @example
     * ```ts
     * await relink.integrations.delete("int_…");
     * ```
     */
    delete: (id: string, options?: RequestOptions): Promise<void> =>
      t.request("DELETE", `/v1/integrations/${segment(id)}`, { options }),
    /**
     * `PUT /v1/integrations/:id/enabled`: `false` makes it `INACTIVE`.
     * @example
     * ```ts
     * await relink.integrations.setEnabled("int_…", false);
     * ```
     */
    setEnabled: (id: string, value: boolean, options?: RequestOptions): Promise<Integration> =>
      t.request("PUT", `/v1/integrations/${segment(id)}/enabled`, { body: { value }, options }),
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
      t.request("POST", `/v1/integrations/${segment(id)}/relink`, { body, options }),
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
        t.list<RelinkLink>(`/v1/integrations/${segment(id)}/relink-links`, query, options),
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
          t.request("DELETE", `/v1/integrations/${segment(id)}/relink-links/${segment(linkId)}`, {
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
      t.request("POST", `/v1/integrations/${segment(id)}/sync`, { options }),
    /**
     * `POST /v1/integrations/:id/check-auth`: an auth check now; an `OK` ends a pause.
     * @example
     * ```ts
     * const { outcome, integration } = await relink.integrations.checkAuth("int_…");
     * ```
     */
    checkAuth: (id: string, options?: RequestOptions): Promise<CheckAuthResult> =>
      t.request("POST", `/v1/integrations/${segment(id)}/check-auth`, { options }),
    /**
     * `GET /v1/integrations/:id/syncs`: the sync history.
     * @example
     * ```ts
     * for await (const run of relink.integrations.syncs("int_…")) console.log(run.sync_state);
     * ```
     */
    syncs: (id: string, query: ListQuery<typeof SyncRunListQuerySchema> = {}, options?: RequestOptions) =>
      t.list<SyncRun>(`/v1/integrations/${segment(id)}/syncs`, query, options),
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
    ) => t.list<AuthCheck>(`/v1/integrations/${segment(id)}/auth-checks`, query, options),
    /**
     * `GET /v1/integrations/:id/grant-revocations`: what became of the OAuth grants its relinks
     * replaced, newest first. A `FAILED` one still works at the tool until revoked there.
     * @example
     * ```ts
     * const { data } = await relink.integrations.grantRevocations("int_…");
     * const stale = data.filter((r) => r.outcome === "FAILED");
     * ```
     */
    grantRevocations: (
      id: string,
      query: ListQuery<typeof GrantRevocationListQuerySchema> = {},
      options?: RequestOptions,
    ) => t.list<GrantRevocation>(`/v1/integrations/${segment(id)}/grant-revocations`, query, options),
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
    ) => t.list<SyncedRecord>(`/v1/integrations/${segment(id)}/records/${segment(model)}`, query, options),
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
      t.request("POST", `/v1/integrations/${segment(id)}/sync-sessions`, { body, options }),
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
      t.request("POST", `/v1/integrations/${segment(id)}/sync-sessions/${segment(sessionId)}/finish`, {
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
      t.list<SyncSession>(`/v1/integrations/${segment(id)}/sync-sessions`, query, options),
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
          integrations.openSyncSession(
            id,
            options.maxCheckAge === undefined ? {} : { max_check_age: options.maxCheckAge },
            { signal: options.signal },
          ),
        (sessionId, body) => integrations.finishSyncSession(id, sessionId, body),
        fn,
        options.signal,
      ),
  };
  return integrations;
}
