import { randomUUID } from "node:crypto";
import type { AuthField, Locale, Tool } from "@relink/sdk/contract";
import { callTool, type ToolResponse } from "../http.ts";
import {
  type AuthCheckResult,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  type Credentials,
  type OAuthHooks,
  type SyncContext,
  type SyncRecord,
  type ToolTranslation,
} from "../types.ts";
import type { AnswerMatch, DeclaredConnector, DeclaredRequest } from "./schema.ts";

export interface DeclaredConnectorOptions {
  /** relink's OAuth client at the tool (authorization-code tools): the operator's settings. */
  clientId?: string;
  clientSecret?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; access tokens expiring within a minute are refreshed first. */
  now?: () => number;
}

const EXPIRY_MARGIN_MS = 60_000;
const MAX_PAGES = 10_000;

/** A value in a JSON answer at a dotted path (`data.0.id`); undefined when absent. */
export function valueAt(body: unknown, path: string): unknown {
  if (path === "") return body;
  // A key with dots in it (`@odata.nextLink`) is looked up whole first.
  if (body !== null && typeof body === "object" && path in body)
    return (body as Record<string, unknown>)[path];
  let current: unknown = body;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function matches(rule: AnswerMatch, response: ToolResponse<unknown>): boolean {
  if (rule.status !== response.status) return false;
  if (rule.body_path === undefined || rule.body_values === undefined) return true;
  const value = valueAt(response.body, rule.body_path);
  return rule.body_values.some((v) => v === value);
}

const ok = (status: number) => status >= 200 && status < 300;

/**
 * The `Connector` a declared document describes. It behaves as a coded one: the check says
 * `AUTH_FAILED` only for the answers the document declares as such, `INCONCLUSIVE` for anything
 * else that is not a success.
 */
export function declaredConnector(doc: DeclaredConnector, options: DeclaredConnectorOptions = {}): Connector {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const auth = doc.auth;
  const permissionScopes = new Map(doc.permissions.map((p) => [p.id, p.scopes ?? [p.id]]));
  // Client-credentials tokens, per client, kept in memory until a minute before they expire.
  const clientTokens = new Map<string, { token: string; expiresAt: number }>();

  /** Fills `{param}` from the credentials, each value checked against its declared pattern. */
  const fill = (text: string, credentials: Credentials): string =>
    text.replace(/\{([a-z][a-z0-9_]*)\}/g, (_, name: string) => {
      const param = doc.params.find((p) => p.id === name);
      const value = credentials[name]?.trim() ?? "";
      if (!param || !new RegExp(`^(?:${param.pattern})$`).test(value)) {
        throw new ConnectorError("AUTH_FAILED", `the ${param?.label ?? name} is not valid`);
      }
      return encodeURIComponent(value);
    });

  const url = (path: string, credentials: Credentials, query?: Record<string, string>): string => {
    const absolute = /^https?:\/\//.test(path);
    const target = new URL(
      absolute
        ? fill(path, credentials)
        : `${fill(doc.base_url, credentials).replace(/\/+$/, "")}/${fill(path, credentials).replace(/^\/+/, "")}`,
    );
    for (const [k, v] of Object.entries(query ?? {})) target.searchParams.set(k, fill(v, credentials));
    return target.toString();
  };

  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

  /** Client authentication at a token endpoint. */
  const clientAuth = (
    method: "client_secret_basic" | "client_secret_post",
    clientId: string,
    clientSecret: string,
    form: Record<string, string>,
  ): { headers: Record<string, string>; form: Record<string, string> } =>
    method === "client_secret_basic"
      ? {
          headers: {
            authorization: basic(encodeURIComponent(clientId), encodeURIComponent(clientSecret)),
          },
          form,
        }
      : { headers: {}, form: { ...form, client_id: clientId, client_secret: clientSecret } };

  /** POSTs a form to a token endpoint; `invalid_grant` is `AUTH_FAILED`, relink's own client's faults `INCONCLUSIVE`. */
  const tokenRequest = async (
    tokenUrl: string,
    headers: Record<string, string>,
    form: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> => {
    const response = await callTool<Record<string, unknown> | null>({
      url: tokenUrl,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
      signal,
      timeoutMs,
      fetch: options.fetch,
      notJson: "null",
    });
    const error = response.body?.error;
    if (
      error === "invalid_grant" ||
      (auth.type === "oauth2_client_credentials" && (response.status === 401 || error === "invalid_client"))
    ) {
      throw new ConnectorError(
        "AUTH_FAILED",
        `the tool refused the grant (${String(error ?? response.status)})`,
      );
    }
    if (response.status === 401 || error === "invalid_client" || error === "unauthorized_client") {
      throw new ConnectorError(
        "INCONCLUSIVE",
        "the tool refused relink's OAuth client: check its client id and secret",
      );
    }
    if (!ok(response.status) || response.body === null || typeof response.body !== "object") {
      throw new ConnectorError(
        "INCONCLUSIVE",
        `unexpected answer from the token endpoint (HTTP ${response.status})`,
      );
    }
    return response.body;
  };

  // ─── authorization-code OAuth ───────────────────────────────────────────────────────────────
  const oauthClient = () => {
    if (!options.clientId || !options.clientSecret) {
      throw new ConnectorError("INCONCLUSIVE", `relink has no OAuth client for ${doc.name}`);
    }
    return { clientId: options.clientId, clientSecret: options.clientSecret };
  };

  const tokenCredentials = (answer: Record<string, unknown>, previous: Credentials): Credentials => {
    const access = answer.access_token;
    if (typeof access !== "string" || access === "") {
      throw new ConnectorError("INCONCLUSIVE", "the token endpoint answered without an access token");
    }
    const expiresIn = Number(answer.expires_in ?? 3600);
    const credentials: Credentials = {
      ...previous,
      // One id per grant, kept by refreshes: a relink brings another (`sameGrant`).
      grant_id: previous.grant_id ?? randomUUID(),
      access_token: access,
      refresh_token:
        typeof answer.refresh_token === "string" ? answer.refresh_token : (previous.refresh_token ?? ""),
      expires_at: String(now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000),
    };
    // RFC 6749 §5.1: an answer without `scope` grants what was asked; one with it says what was granted.
    if (typeof answer.scope === "string") credentials.scope = answer.scope;
    for (const value of [doc.identity.id, doc.identity.name]) {
      if (value && "token_response" in value) {
        const found = valueAt(answer, value.token_response);
        if (found !== undefined && found !== null)
          credentials[`token.${value.token_response}`] = String(found);
      }
    }
    return credentials;
  };

  const oauth: OAuthHooks | undefined =
    auth.type === "oauth2_authorization_code"
      ? {
          refreshTokenRotates: auth.refresh_token_rotates,
          authorizeUrl({ redirectUri, state, codeChallenge, scopes }) {
            const { clientId } = oauthClient();
            const wanted = [
              ...new Set([...auth.base_scopes, ...scopes.flatMap((p) => permissionScopes.get(p) ?? [p])]),
            ];
            const target = new URL(fill(auth.authorize_url, {}));
            target.search = new URLSearchParams({
              ...auth.authorize_params,
              response_type: "code",
              client_id: clientId,
              redirect_uri: redirectUri,
              scope: wanted.join(auth.scope_separator),
              state,
              ...(auth.pkce ? { code_challenge: codeChallenge, code_challenge_method: "S256" } : {}),
            }).toString();
            return target.toString();
          },
          async exchangeCode({ code, redirectUri, codeVerifier, signal }) {
            const { clientId, clientSecret } = oauthClient();
            const request = clientAuth(auth.client_auth, clientId, clientSecret, {
              grant_type: "authorization_code",
              code,
              redirect_uri: redirectUri,
              ...(auth.pkce ? { code_verifier: codeVerifier } : {}),
            });
            const answer = await tokenRequest(
              fill(auth.token_url, {}),
              request.headers,
              request.form,
              signal,
            );
            return tokenCredentials(answer, {});
          },
          async refresh({ credentials, signal }) {
            const refreshToken = credentials.refresh_token;
            if (!refreshToken) throw new ConnectorError("AUTH_FAILED", "no refresh token");
            const { clientId, clientSecret } = oauthClient();
            const request = clientAuth(auth.client_auth, clientId, clientSecret, {
              grant_type: "refresh_token",
              refresh_token: refreshToken,
            });
            const answer = await tokenRequest(
              fill(auth.token_url, credentials),
              request.headers,
              request.form,
              signal,
            );
            return tokenCredentials(answer, credentials);
          },
          ...(auth.revoke_url
            ? {
                async revoke({ credentials, signal }) {
                  const revokeUrl = auth.revoke_url ?? "";
                  const { clientId, clientSecret } = oauthClient();
                  // RFC 7009: revoking the refresh token ends the whole grant.
                  const token = credentials.refresh_token || credentials.access_token;
                  if (!token) throw new ConnectorError("AUTH_FAILED", "no token to revoke");
                  const request = clientAuth(auth.client_auth, clientId, clientSecret, {
                    token,
                    token_type_hint: credentials.refresh_token ? "refresh_token" : "access_token",
                  });
                  const response = await callTool<unknown>({
                    url: fill(revokeUrl, credentials),
                    method: "POST",
                    headers: { "content-type": "application/x-www-form-urlencoded", ...request.headers },
                    body: new URLSearchParams(request.form).toString(),
                    signal,
                    timeoutMs,
                    fetch: options.fetch,
                    notJson: "null",
                  });
                  // RFC 7009 §2.2: 200 also for a token that was already invalid.
                  if (response.status !== 200) {
                    throw new ConnectorError(
                      "INCONCLUSIVE",
                      `the revocation endpoint answered HTTP ${response.status}`,
                    );
                  }
                },
              }
            : {}),
        }
      : undefined;

  /** A usable access token: refreshed first (through the caller's lease when it gives one) when about to expire. */
  const freshOAuth = async (
    ctx: ConnectorContext,
  ): Promise<{ credentials: Credentials; refreshed: boolean }> => {
    const expiresAt = Number(ctx.credentials.expires_at ?? 0);
    if (ctx.credentials.access_token && expiresAt - now() > EXPIRY_MARGIN_MS) {
      return { credentials: ctx.credentials, refreshed: false };
    }
    if (ctx.refresh) return { credentials: await ctx.refresh(ctx.credentials), refreshed: false };
    if (!oauth) throw new ConnectorError("AUTH_FAILED", "no access token");
    return {
      credentials: await oauth.refresh({ credentials: ctx.credentials, signal: ctx.signal }),
      refreshed: true,
    };
  };

  const clientCredentialsToken = async (credentials: Credentials, signal: AbortSignal): Promise<string> => {
    if (auth.type !== "oauth2_client_credentials") throw new TypeError("not a client-credentials tool");
    const clientId = credentials.client_id ?? "";
    const clientSecret = credentials.client_secret ?? "";
    if (!clientId || !clientSecret) throw new ConnectorError("AUTH_FAILED", "no client id or secret given");
    const key = `${clientId}\u0000${clientSecret}`;
    const cached = clientTokens.get(key);
    if (cached && cached.expiresAt - now() > EXPIRY_MARGIN_MS) return cached.token;
    const request = clientAuth(auth.client_auth, clientId, clientSecret, {
      ...auth.token_params,
      grant_type: "client_credentials",
      ...(auth.scopes.length > 0 ? { scope: auth.scopes.join(auth.scope_separator) } : {}),
    });
    const answer = await tokenRequest(
      fill(auth.token_url, credentials),
      request.headers,
      request.form,
      signal,
    );
    const token = valueAt(answer, auth.access_token_path);
    if (typeof token !== "string" || token === "") {
      throw new ConnectorError("INCONCLUSIVE", "the token endpoint answered without an access token");
    }
    const expiresIn = Number(valueAt(answer, auth.expires_in_path) ?? 3600);
    clientTokens.set(key, {
      token,
      expiresAt: now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
    });
    return token;
  };

  /** The credentials as the tool wants them on a request: headers and query parameters. */
  const authenticate = async (
    credentials: Credentials,
    signal: AbortSignal,
  ): Promise<{ headers: Record<string, string>; query: Record<string, string> }> => {
    switch (auth.type) {
      case "api_key": {
        const key = credentials.api_key?.trim();
        if (!key) throw new ConnectorError("AUTH_FAILED", "no API key given");
        const p = auth.placement;
        if (p.in === "header") return { headers: { [p.name]: `${p.prefix ?? ""}${key}` }, query: {} };
        if (p.in === "bearer") return { headers: { authorization: `Bearer ${key}` }, query: {} };
        if (p.in === "basic_as_user")
          return { headers: { authorization: basic(key, p.password) }, query: {} };
        if (p.in === "basic_as_password")
          return { headers: { authorization: basic(p.username, key) }, query: {} };
        return { headers: {}, query: { [p.name]: key } };
      }
      case "basic": {
        if (!credentials.username || !credentials.password) {
          throw new ConnectorError("AUTH_FAILED", "no user name or password given");
        }
        return { headers: { authorization: basic(credentials.username, credentials.password) }, query: {} };
      }
      case "oauth2_authorization_code":
        return { headers: { authorization: `Bearer ${credentials.access_token ?? ""}` }, query: {} };
      case "oauth2_client_credentials":
        return {
          headers: { authorization: `Bearer ${await clientCredentialsToken(credentials, signal)}` },
          query: {},
        };
    }
  };

  /** Credentials ready for requests (fresh OAuth tokens), and whether they were refreshed here. */
  const ready = async (ctx: ConnectorContext) =>
    auth.type === "oauth2_authorization_code"
      ? freshOAuth(ctx)
      : { credentials: ctx.credentials, refreshed: false };

  const send = async (
    request: DeclaredRequest | { method: "GET"; url: string },
    credentials: Credentials,
    signal: AbortSignal,
  ): Promise<ToolResponse<unknown>> => {
    const { headers, query } = await authenticate(credentials, signal);
    let target: string;
    if ("url" in request) {
      // A next-page URL given by the tool: followed only on the tool's own origin.
      const base = new URL(url("", credentials));
      const next = new URL(request.url, base);
      if (next.origin !== base.origin)
        throw new ConnectorError("INCONCLUSIVE", "the tool's next page is on another origin");
      target = next.toString();
    } else {
      target = url(request.path, credentials, { ...request.query });
    }
    const withQuery = new URL(target);
    for (const [k, v] of Object.entries(query)) withQuery.searchParams.set(k, v);
    const fill2 = (h: Record<string, string> | undefined) =>
      Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, fill(v, credentials)]));
    const body = "body" in request && request.body !== undefined ? JSON.stringify(request.body) : undefined;
    return callTool<unknown>({
      url: withQuery.toString(),
      method: request.method,
      headers: {
        ...fill2(doc.headers),
        ...("headers" in request ? fill2(request.headers) : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body,
      signal,
      timeoutMs,
      fetch: options.fetch,
      notJson: "null",
    });
  };

  /** A request whose answer must be a success: declared rejections are `AUTH_FAILED`, the rest `INCONCLUSIVE`. */
  const read = async (request: DeclaredRequest, credentials: Credentials, signal: AbortSignal) => {
    const response = await send(request, credentials, signal);
    if (doc.check.auth_failed.some((rule) => matches(rule, response))) {
      throw new ConnectorError("AUTH_FAILED", `the tool rejected the credentials (HTTP ${response.status})`);
    }
    if (!ok(response.status) || response.body === null) {
      throw new ConnectorError("INCONCLUSIVE", `unexpected answer from the tool (HTTP ${response.status})`);
    }
    return response.body;
  };

  const granted = async (credentials: Credentials, signal: AbortSignal): Promise<string[]> => {
    const rule = doc.granted;
    const byScopes = (scopes: Set<string>) =>
      doc.permissions.filter((p) => (p.scopes ?? [p.id]).every((s) => scopes.has(s))).map((p) => p.id);
    switch (rule.from) {
      case "all":
        return doc.permissions.map((p) => p.id);
      case "token_scope": {
        if (credentials.scope === undefined) return doc.permissions.map((p) => p.id);
        const separator = auth.type === "oauth2_authorization_code" ? auth.scope_separator : " ";
        return byScopes(
          new Set(credentials.scope.split(separator).concat(credentials.scope.split(" ")).filter(Boolean)),
        );
      }
      case "response": {
        const body = await read(rule.request ?? doc.check.request, credentials, signal);
        const list = valueAt(body, rule.path);
        if (!Array.isArray(list))
          throw new ConnectorError("INCONCLUSIVE", "the tool did not list the permissions");
        const names = new Set(list.map(String));
        return doc.permissions
          .filter((p) => names.has(p.id) || (p.scopes ?? []).every((s) => names.has(s)))
          .map((p) => p.id);
      }
      case "probe": {
        const results = await Promise.all(
          doc.permissions.map(async (p) => {
            const response = await send(p.probe ?? doc.check.request, credentials, signal);
            if (ok(response.status)) return p.id;
            if (rule.denied.some((d) => matches(d, response))) return null;
            if (doc.check.auth_failed.some((d) => matches(d, response))) {
              throw new ConnectorError(
                "AUTH_FAILED",
                `the tool rejected the credentials (HTTP ${response.status})`,
              );
            }
            throw new ConnectorError(
              "INCONCLUSIVE",
              `unexpected answer to a permission probe (HTTP ${response.status})`,
            );
          }),
        );
        return results.filter((p): p is string => p !== null);
      }
    }
  };

  const identityValue = (
    value: DeclaredConnector["identity"]["id"],
    body: unknown,
    credentials: Credentials,
  ): string | undefined => {
    const found =
      "param" in value
        ? credentials[value.param]?.trim().toLowerCase()
        : "credential" in value
          ? credentials[value.credential]?.trim()
          : "token_response" in value
            ? credentials[`token.${value.token_response}`]
            : valueAt(body, value.response);
    return found === undefined || found === null || found === "" ? undefined : String(found);
  };

  const syncing = doc.models.some((m) => m.sync);
  const connector: Connector = {
    tool: toolOf(doc),
    translations: translationsOf(doc),
    async checkAuth(ctx): Promise<AuthCheckResult> {
      try {
        const current = await ready(ctx);
        await read(doc.check.request, current.credentials, ctx.signal);
        return current.refreshed
          ? { outcome: "OK", refreshedCredentials: current.credentials }
          : { outcome: "OK" };
      } catch (error) {
        if (error instanceof ConnectorError) {
          return { outcome: error.outcome, detail: error.message, retryAfterMs: error.retryAfterMs };
        }
        throw error;
      }
    },
    async grantedPermissions(ctx) {
      return granted((await ready(ctx)).credentials, ctx.signal);
    },
    async accountIdentity(ctx) {
      const { credentials } = await ready(ctx);
      const needsResponse = [doc.identity.id, doc.identity.name].some((v) => v && "response" in v);
      const body = needsResponse
        ? await read(doc.identity.request ?? doc.check.request, credentials, ctx.signal)
        : null;
      const id = identityValue(doc.identity.id, body, credentials);
      if (!id) throw new ConnectorError("INCONCLUSIVE", "the tool's answer does not name the account");
      const name = doc.identity.name ? identityValue(doc.identity.name, body, credentials) : undefined;
      return name ? { id, name } : { id };
    },
    ...(oauth ? { oauth } : {}),
  };
  if (syncing) {
    connector.sync = async (ctx: SyncContext) => {
      const { credentials } = await ready(ctx);
      const records: Record<string, SyncRecord[]> = {};
      for (const { model, fields } of ctx.models) {
        const declared = doc.models.find((m) => m.id === model)?.sync;
        if (!declared) continue;
        records[model] = await readModel(declared, fields, credentials, ctx.signal);
      }
      return { records };
    };
  }

  const readModel = async (
    declared: NonNullable<DeclaredConnector["models"][number]["sync"]>,
    fields: string[],
    credentials: Credentials,
    signal: AbortSignal,
  ): Promise<SyncRecord[]> => {
    const out: SyncRecord[] = [];
    const p = declared.pagination;
    let nextUrl: string | null = null;
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: Record<string, string> = { ...declared.request.query };
      if (p.style === "cursor") {
        if (p.limit_param && p.limit) query[p.limit_param] = String(p.limit);
        if (cursor) query[p.param] = cursor;
      } else if (p.style === "page") {
        query[p.param] = String(p.first + page);
        query[p.size_param] = String(p.size);
      } else if (p.style === "offset") {
        query[p.param] = String(page * p.limit);
        query[p.limit_param] = String(p.limit);
      }
      const body =
        nextUrl !== null
          ? await readUrl(nextUrl, credentials, signal)
          : await read({ ...declared.request, query }, credentials, signal);
      const list = valueAt(body, declared.records_path);
      if (!Array.isArray(list))
        throw new ConnectorError("INCONCLUSIVE", "the tool's answer has no list of records");
      for (const item of list) {
        const id = valueAt(item, declared.id_path);
        if (id === undefined || id === null) continue;
        const data: Record<string, unknown> = {};
        for (const field of fields) {
          const path = declared.fields[field];
          if (path !== undefined) data[field] = valueAt(item, path) ?? null;
        }
        out.push({ id: String(id), data });
      }
      if (p.style === "none") break;
      if (p.style === "cursor") {
        const next = valueAt(body, p.next_path);
        if (typeof next !== "string" || next === "") break;
        cursor = next;
      } else if (p.style === "next_url") {
        const next = valueAt(body, p.next_path);
        if (typeof next !== "string" || next === "") break;
        nextUrl = next;
      } else if (list.length < (p.style === "page" ? p.size : p.limit)) {
        break;
      }
    }
    return out;
  };

  const readUrl = async (next: string, credentials: Credentials, signal: AbortSignal) => {
    const response = await send({ method: "GET", url: next }, credentials, signal);
    if (doc.check.auth_failed.some((rule) => matches(rule, response))) {
      throw new ConnectorError("AUTH_FAILED", `the tool rejected the credentials (HTTP ${response.status})`);
    }
    if (!ok(response.status) || response.body === null) {
      throw new ConnectorError("INCONCLUSIVE", `unexpected answer from the tool (HTTP ${response.status})`);
    }
    return response.body;
  };

  return connector;
}

/** The credential form of a declared tool: the auth method's fields, then its parameters. */
function authFields(doc: DeclaredConnector): AuthField[] {
  const field = (
    id: string,
    type: AuthField["type"],
    text: { label: string; help?: string; placeholder?: string },
  ): AuthField => ({
    id,
    label: text.label,
    type,
    required: true,
    help: text.help ?? null,
    placeholder: text.placeholder ?? null,
  });
  const params = doc.params.map((p) => field(p.id, "text", p));
  switch (doc.auth.type) {
    case "api_key":
      return [...params, field("api_key", "secret", doc.auth.key)];
    case "basic":
      return [
        ...params,
        field("username", "text", doc.auth.username),
        field("password", "secret", doc.auth.password),
      ];
    case "oauth2_client_credentials":
      return [
        ...params,
        field("client_id", "text", doc.auth.client_id),
        field("client_secret", "secret", doc.auth.client_secret),
      ];
    case "oauth2_authorization_code":
      return [];
  }
}

/** The tool as the API shows it. */
export function toolOf(doc: DeclaredConnector): Tool {
  return {
    id: doc.id,
    name: doc.name,
    category: doc.category,
    logo_url: doc.logo_url,
    auth: {
      method: doc.auth.type === "oauth2_authorization_code" ? "OAUTH2" : "API_KEY",
      fields: authFields(doc),
    },
    models: doc.models.map((m) => ({
      id: m.id,
      label: m.label,
      permission: m.permission,
      fields: m.fields.map((f) => ({ id: f.id, label: f.label, permission: f.permission })),
    })),
    permissions: doc.permissions.map((p) => ({
      id: p.id,
      label: p.label,
      description: p.description,
      where_to_grant: p.where_to_grant,
    })),
  };
}

function translationsOf(doc: DeclaredConnector): Partial<Record<Locale, ToolTranslation>> {
  const out: Partial<Record<Locale, ToolTranslation>> = {};
  for (const locale of ["de", "fr", "it", "es"] as const) {
    const t: ToolTranslation = {};
    for (const p of doc.permissions) {
      const texts = p.translations?.[locale];
      if (texts) {
        t.permissions ??= {};
        t.permissions[p.id] = { ...texts };
      }
    }
    for (const m of doc.models) {
      const label = m.translations?.[locale];
      const fields = Object.fromEntries(
        m.fields.flatMap((f) => (f.translations?.[locale] ? [[f.id, f.translations[locale]]] : [])),
      );
      if (label || Object.keys(fields).length > 0) {
        t.models ??= {};
        t.models[m.id] = { ...(label ? { label } : {}), fields };
      }
    }
    const authFieldTexts = doc.translations?.[locale]?.auth_fields;
    if (authFieldTexts) t.authFields = authFieldTexts;
    if (Object.keys(t).length > 0) out[locale] = t;
  }
  return out;
}
