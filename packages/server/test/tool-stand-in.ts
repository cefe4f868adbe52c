import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { valueAt } from "../src/connectors/declared/connector.ts";
import type { DeclaredConnector } from "../src/connectors/declared/schema.ts";

/**
 * ONE local stand-in for any declared tool, driven by its document and a fixture of what its
 * documentation says it answers when it refuses (401/403 bodies): credentials it issued, per
 * account, with the permissions they grant; an OAuth authorization server (codes, refresh tokens
 * that rotate when the tool's do, `invalid_grant`, RFC 7009 revocation); outages (503) and rate
 * limits (429). Success answers carry the account and records where the document reads them.
 */

export interface ToolFixture {
  unauthorized: { status: number; body: unknown };
  forbidden: { status: number; body: unknown };
}

export interface Account {
  id: string;
  name: string;
}

interface Grant {
  account: Account;
  permissions: Set<string>;
  scopes: string[];
  revoked: boolean;
}

export interface StandIn {
  url: string;
  /** The document with every URL of the tool pointed at this stand-in. */
  doc: DeclaredConnector;
  /** Credential values (the form's fields) for `account` granting `permissions`. */
  issue(account: Account, permissions: string[]): Record<string, string>;
  /** Revokes what `issue` returned, or every grant of an OAuth account. */
  revoke(values: Record<string, string>): void;
  revokeAccount(accountId: string): void;
  /** An authorization code for `account` granting `scopes`, as the consent page would send back. */
  code(account: Account, scopes: string[]): string;
  /** The OAuth consent: where the browser lands (relink's callback) once `account` grants `scopes`. */
  consent(authorizeUrl: string, account: Account, scopes: string[]): Promise<Response>;
  state: { outage: boolean; rateLimited: boolean };
  /** Refresh tokens presented, in order, and those refused (`invalid_grant`). */
  refreshes: { presented: string[]; refused: string[] };
  revocations: string[];
  close(): Promise<void>;
}

/** Writes `value` at a dotted path, making the objects and arrays on the way. */
export function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path === "" ? [] : path.split(".");
  let current: Record<string, unknown> = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      current[key] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(keys[i + 1]!);
    current[key] ??= nextIsIndex ? [] : {};
    current = current[key] as Record<string, unknown>;
  });
}

const token = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export async function startStandIn(original: DeclaredConnector, fixture: ToolFixture): Promise<StandIn> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rebase = (u: string) => {
    const parsed = /^https?:\/\/[^/]+(.*)$/.exec(u);
    return `${url}${parsed?.[1] ?? ""}`;
  };
  const doc: DeclaredConnector = structuredClone(original);
  doc.base_url = rebase(doc.base_url);
  if (doc.auth.type === "oauth2_authorization_code") {
    doc.auth.authorize_url = rebase(doc.auth.authorize_url);
    doc.auth.token_url = rebase(doc.auth.token_url);
    if (doc.auth.revoke_url) doc.auth.revoke_url = rebase(doc.auth.revoke_url);
  }
  if (doc.auth.type === "oauth2_client_credentials") doc.auth.token_url = rebase(doc.auth.token_url);
  /** A matcher of request paths for a URL that may hold `{param}` segments. */
  const pathOf = (u: string) => {
    const template = new URL(u.replace(/\{([a-z_]+)\}/g, "PARAM$1PARAM")).pathname;
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/PARAM[a-z_]+PARAM/g, "[^/]+")}$`,
    );
    return { test: (path: string) => pattern.test(path) };
  };

  const byKey = new Map<string, Grant>(); // API keys, basic pairs, client ids, access tokens
  const refreshTokens = new Map<string, Grant & { used: boolean }>();
  const codes = new Map<string, Grant>();
  const clients = new Map<string, { secret: string; grant: Grant }>();
  const state = { outage: false, rateLimited: false };
  const refreshes = { presented: [] as string[], refused: [] as string[] };
  const revocations: string[] = [];
  const scopesOf = (permissions: string[]) =>
    permissions.flatMap((id) => doc.permissions.find((p) => p.id === id)?.scopes ?? [id]);
  const permissionsOf = (scopes: Set<string>) =>
    doc.permissions.filter((p) => (p.scopes ?? [p.id]).every((s) => scopes.has(s))).map((p) => p.id);

  const issueTokens = (grant: Grant) => {
    const access = token("at");
    const refresh = token("rt");
    byKey.set(`bearer:${access}`, grant);
    refreshTokens.set(refresh, { ...grant, used: false, permissions: grant.permissions });
    return { access, refresh };
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const basicOf = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? "";
    if (!header.startsWith("Basic ")) return null;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const at = decoded.indexOf(":");
    return {
      user: decodeURIComponent(decoded.slice(0, at)),
      password: decodeURIComponent(decoded.slice(at + 1)),
    };
  };

  /** The grant a request is made with, by the document's auth method. */
  const grantOf = (req: IncomingMessage, requestUrl: URL): Grant | undefined => {
    const auth = doc.auth;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    switch (auth.type) {
      case "api_key": {
        const p = auth.placement;
        const key =
          p.in === "header"
            ? String(req.headers[p.name.toLowerCase()] ?? "").slice((p.prefix ?? "").length)
            : p.in === "bearer"
              ? bearer
              : p.in === "basic_as_user"
                ? basicOf(req)?.user
                : p.in === "basic_as_password"
                  ? basicOf(req)?.password
                  : requestUrl.searchParams.get(p.name);
        return key ? byKey.get(`key:${key}`) : undefined;
      }
      case "basic": {
        const pair = basicOf(req);
        return pair ? byKey.get(`key:${pair.user}:${pair.password}`) : undefined;
      }
      default:
        return bearer ? byKey.get(`bearer:${bearer}`) : undefined;
    }
  };

  const requests = [doc.check.request, ...(doc.identity.request ? [doc.identity.request] : [])];
  const identityPaths = requests.map((r) => pathOf(`${doc.base_url}/${r.path.replace(/^\//, "")}`));

  server.on("request", async (req, res) => {
    const requestUrl = new URL(req.url ?? "/", url);
    const path = requestUrl.pathname;
    const body = await readBody(req);
    if (state.outage) return json(res, 503, { error: "service unavailable" });
    if (state.rateLimited) return json(res, 429, { error: "rate limited" }, { "retry-after": "30" });
    const auth = doc.auth;

    if (auth.type === "oauth2_authorization_code" && pathOf(auth.authorize_url).test(path)) {
      res.writeHead(400).end("use consent()");
      return;
    }
    if (
      (auth.type === "oauth2_authorization_code" || auth.type === "oauth2_client_credentials") &&
      req.method === "POST" &&
      pathOf(auth.token_url).test(path)
    ) {
      const form = new URLSearchParams(body);
      const basic = basicOf(req);
      const clientId = form.get("client_id") ?? basic?.user;
      if (auth.type === "oauth2_client_credentials") {
        const client = clientId ? clients.get(clientId) : undefined;
        const secret = form.get("client_secret") ?? basic?.password;
        if (!client || client.secret !== secret || client.grant.revoked)
          return json(res, 401, { error: "invalid_client" });
        const access = token("cc");
        byKey.set(`bearer:${access}`, client.grant);
        const answer: Record<string, unknown> = {};
        setAt(answer, auth.access_token_path, access);
        setAt(answer, auth.expires_in_path, 3600);
        return json(res, 200, answer);
      }
      if (clientId !== "relink-client") return json(res, 401, { error: "invalid_client" });
      const grantType = form.get("grant_type");
      let grant: Grant | undefined;
      if (grantType === "authorization_code") {
        grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
      } else if (grantType === "refresh_token") {
        const presented = form.get("refresh_token") ?? "";
        refreshes.presented.push(presented);
        const held = refreshTokens.get(presented);
        if (!held || held.revoked || (auth.refresh_token_rotates && held.used)) {
          refreshes.refused.push(presented);
          return json(res, 400, { error: "invalid_grant" });
        }
        held.used = true;
        grant = held;
      }
      if (!grant || grant.revoked) return json(res, 400, { error: "invalid_grant" });
      const { access, refresh } = issueTokens(grant);
      const rotate = grantType === "authorization_code" || auth.refresh_token_rotates;
      if (!rotate) refreshTokens.delete(refresh);
      return json(res, 200, {
        access_token: access,
        token_type: "Bearer",
        expires_in: 7200,
        ...(rotate ? { refresh_token: refresh } : {}),
        scope: grant.scopes.join(auth.scope_separator),
      });
    }
    if (auth.type === "oauth2_authorization_code" && auth.revoke_url && pathOf(auth.revoke_url).test(path)) {
      const presented = new URLSearchParams(body).get("token") ?? "";
      revocations.push(presented);
      const held = refreshTokens.get(presented) ?? byKey.get(`bearer:${presented}`);
      if (held) held.revoked = true;
      return json(res, 200, {});
    }

    const grant = grantOf(req, requestUrl);
    if (!grant || grant.revoked) return json(res, fixture.unauthorized.status, fixture.unauthorized.body);
    const needed =
      doc.permissions.find(
        (p) => p.probe && pathOf(`${doc.base_url}/${p.probe.path.replace(/^\//, "")}`).test(path),
      )?.id ??
      doc.models.find(
        (m) => m.sync && pathOf(`${doc.base_url}/${m.sync.request.path.replace(/^\//, "")}`).test(path),
      )?.permission;
    if (needed && !grant.permissions.has(needed))
      return json(res, fixture.forbidden.status, fixture.forbidden.body);

    let answer: Record<string, unknown> = {};
    const model = doc.models.find(
      (m) => m.sync && pathOf(`${doc.base_url}/${m.sync.request.path.replace(/^\//, "")}`).test(path),
    );
    if (model?.sync) {
      const record: Record<string, unknown> = {};
      setAt(record, model.sync.id_path, `${grant.account.id}-1`);
      for (const [field, at] of Object.entries(model.sync.fields))
        setAt(record, at, `${field} of ${grant.account.name}`);
      if (model.sync.records_path === "") {
        // The answer is the list itself; a page after the first is empty.
        const first = (requestUrl.searchParams.get("offset") ?? "0") === "0";
        return json(res, 200, first ? [record] : []);
      }
      setAt(answer, model.sync.records_path, [record]);
    }
    if (identityPaths.some((p) => p.test(path))) {
      for (const value of [doc.identity.id, doc.identity.name]) {
        if (value && "response" in value) {
          setAt(answer, value.response, value === doc.identity.id ? grant.account.id : grant.account.name);
        }
      }
    }
    if (Object.keys(answer).length === 0) answer = { ok: true };
    return json(res, 200, answer);
  });

  return {
    url,
    doc,
    state,
    refreshes,
    revocations,
    issue(account, permissions) {
      const grant: Grant = {
        account,
        permissions: new Set(permissions),
        scopes: scopesOf(permissions),
        revoked: false,
      };
      const params = Object.fromEntries(doc.params.map((p) => [p.id, account.id]));
      switch (doc.auth.type) {
        case "api_key": {
          const key = token("key");
          byKey.set(`key:${key}`, grant);
          return { ...params, api_key: key };
        }
        case "basic": {
          const [username, password] = [token("user"), token("pw")];
          byKey.set(`key:${username}:${password}`, grant);
          return { ...params, username, password };
        }
        case "oauth2_client_credentials": {
          const [clientId, secret] = [token("client"), token("secret")];
          clients.set(clientId, { secret, grant });
          return { ...params, client_id: clientId, client_secret: secret };
        }
        case "oauth2_authorization_code":
          throw new TypeError("OAuth tools grant through consent()");
      }
    },
    revoke(values) {
      for (const grant of [
        byKey.get(`key:${values.api_key}`),
        byKey.get(`key:${values.username}:${values.password}`),
        clients.get(values.client_id ?? "")?.grant,
      ]) {
        if (grant) grant.revoked = true;
      }
    },
    revokeAccount(accountId) {
      for (const grant of [...byKey.values(), ...refreshTokens.values()]) {
        if (grant.account.id === accountId) grant.revoked = true;
      }
    },
    code(account, scopes) {
      const code = token("code");
      codes.set(code, {
        account,
        permissions: new Set(permissionsOf(new Set(scopes))),
        scopes,
        revoked: false,
      });
      return code;
    },
    async consent(authorizeUrl, account, scopes) {
      const asked = new URL(authorizeUrl);
      const granted = new Set(scopes);
      const code = token("code");
      codes.set(code, { account, permissions: new Set(permissionsOf(granted)), scopes, revoked: false });
      const back = new URL(asked.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", asked.searchParams.get("state") ?? "");
      return fetch(back);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Where an answer of a stand-in is read, for tests. */
export { valueAt };
