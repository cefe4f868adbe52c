import type { Context } from "hono";
import { Hono } from "hono";
import { renderConsentPage, renderErrorPage } from "../consent-page.ts";
import type { DemoHrisEnv } from "../env.ts";
import { OAuthError } from "../errors.ts";
import {
  authenticateClient,
  createAuthorizationCode,
  exchangeAuthorizationCode,
  isCodeChallenge,
  isRedirectUriAllowed,
  parseScope,
  refreshAccessToken,
} from "../oauth-server.ts";
import type { Permission } from "../permissions.ts";
import { type DemoHrisState, findCompany, type OAuthClient } from "../state.ts";

/** Request parameters, whether they came in the query string or a form body. */
interface Params {
  get(name: string): string | undefined;
  getAll(name: string): string[];
  has(name: string): boolean;
}

function queryParams(c: Context<DemoHrisEnv>): Params {
  const url = new URL(c.req.url);
  return {
    get: (name) => url.searchParams.get(name) ?? undefined,
    getAll: (name) => url.searchParams.getAll(name),
    has: (name) => url.searchParams.has(name),
  };
}

async function formParams(c: Context<DemoHrisEnv>): Promise<Params | null> {
  const contentType = c.req.header("Content-Type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType)) return null;
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    return null;
  }
  const getAll = (name: string) =>
    form.getAll(name).filter((value): value is string => typeof value === "string");
  return { get: (name) => getAll(name)[0], getAll, has: (name) => form.has(name) };
}

const HTML_HEADERS = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

const TOKEN_HEADERS = { "Cache-Control": "no-store", Pragma: "no-cache" };

type AuthorizationRequest =
  /** The client or redirect URI cannot be trusted: show an error page, never redirect. */
  | { kind: "untrusted"; message: string }
  /** Trusted redirect URI but a bad request: redirect with `error=` (RFC 6749 section 4.1.2.1). */
  | { kind: "error"; redirectUri: string; state: string | undefined; error: string; description: string }
  | {
      kind: "valid";
      client: OAuthClient;
      redirectUri: string;
      state: string | undefined;
      codeChallenge: string;
      scopes: Permission[];
    };

function checkAuthorizationRequest(
  store: DemoHrisState,
  params: Params,
  requestedScope: string | undefined,
): AuthorizationRequest {
  const clientId = params.get("client_id");
  const client = clientId ? store.oauthClients.get(clientId) : undefined;
  if (!client) return { kind: "untrusted", message: `Unknown client_id ${JSON.stringify(clientId ?? "")}.` };
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return { kind: "untrusted", message: "redirect_uri is required." };
  if (!isRedirectUriAllowed(client, redirectUri)) {
    return { kind: "untrusted", message: `redirect_uri ${redirectUri} is not registered for this client.` };
  }
  const state = params.get("state");
  const error = (code: string, description: string): AuthorizationRequest => ({
    kind: "error",
    redirectUri,
    state,
    error: code,
    description,
  });
  if (params.get("response_type") !== "code") {
    return error("unsupported_response_type", "Only response_type=code is supported");
  }
  const scopes = parseScope(requestedScope ?? "");
  if (!scopes) return error("invalid_scope", `Unknown permission in scope ${JSON.stringify(requestedScope)}`);
  if (scopes.length === 0) return error("invalid_scope", "scope must name at least one permission");
  const codeChallenge = params.get("code_challenge");
  if (!codeChallenge || !isCodeChallenge(codeChallenge)) {
    return error(
      "invalid_request",
      "PKCE is required: send a code_challenge (BASE64URL(SHA256(code_verifier)))",
    );
  }
  if (params.get("code_challenge_method") !== "S256") {
    return error("invalid_request", "code_challenge_method must be S256");
  }
  return { kind: "valid", client, redirectUri, state, codeChallenge, scopes };
}

function redirectUrl(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

function clientCredentials(c: Context<DemoHrisEnv>, form: Params): [string | undefined, string | undefined] {
  const header = c.req.header("Authorization");
  const basic = header ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!basic) return [form.get("client_id"), form.get("client_secret")];
  if (form.has("client_secret")) {
    throw new OAuthError(
      "invalid_request",
      "Send client credentials either with HTTP Basic or in the body, not both",
    );
  }
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw new OAuthError("invalid_client", "Malformed HTTP Basic credentials");
  // RFC 6749 section 2.3.1: both parts are form-urlencoded before being joined.
  const formDecode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, " "));
    } catch {
      throw new OAuthError("invalid_client", "Malformed HTTP Basic credentials");
    }
  };
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

function required(form: Params, name: string): string {
  const value = form.get(name);
  if (!value) throw new OAuthError("invalid_request", `${name} is required`);
  return value;
}

/** `/oauth/*`: the authorization server (authorization code + PKCE S256, rotating refresh tokens). */
export function oauthRoutes(store: DemoHrisState, now: () => number) {
  return new Hono<DemoHrisEnv>()
    .get("/authorize", (c) => {
      const params = queryParams(c);
      const request = checkAuthorizationRequest(store, params, params.get("scope"));
      if (request.kind === "untrusted") {
        return c.html(renderErrorPage("Invalid authorization request", request.message), 400, HTML_HEADERS);
      }
      if (request.kind === "error") {
        return c.redirect(
          redirectUrl(request.redirectUri, {
            error: request.error,
            error_description: request.description,
            state: request.state,
          }),
          302,
        );
      }
      const hiddenFields: Record<string, string> = {
        response_type: "code",
        client_id: request.client.client_id,
        redirect_uri: request.redirectUri,
        requested_scope: request.scopes.join(" "),
        code_challenge: request.codeChallenge,
        code_challenge_method: "S256",
      };
      if (request.state !== undefined) hiddenFields["state"] = request.state;
      const html = renderConsentPage({
        clientName: request.client.name,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        companies: store.companies,
        selectedCompanyId: params.get("company_id"),
        hiddenFields,
      });
      return c.html(html, 200, HTML_HEADERS);
    })
    .post("/authorize", async (c) => {
      const form = await formParams(c);
      if (!form) {
        return c.html(
          renderErrorPage("Invalid authorization request", "Submit the consent form as a form post."),
          400,
          HTML_HEADERS,
        );
      }
      // The consent page posts the requested scope in requested_scope and the checked boxes as
      // `scope`; a hand-made post may send only `scope`, which is then both requested and granted.
      const requestedScope = form.get("requested_scope") ?? form.getAll("scope").join(" ");
      const request = checkAuthorizationRequest(store, form, requestedScope);
      if (request.kind === "untrusted") {
        return c.html(renderErrorPage("Invalid authorization request", request.message), 400, HTML_HEADERS);
      }
      const back = (params: Record<string, string | undefined>) =>
        c.redirect(redirectUrl(request.redirectUri, { ...params, state: request.state }), 302);
      if (request.kind === "error")
        return back({ error: request.error, error_description: request.description });

      const decision = form.get("decision");
      if (decision === "deny")
        return back({ error: "access_denied", error_description: "The user denied access" });
      if (decision !== "approve") {
        return back({ error: "invalid_request", error_description: "decision must be approve or deny" });
      }
      const company = findCompany(store, form.get("company_id") ?? "");
      if (!company) return back({ error: "invalid_request", error_description: "Unknown company_id" });
      const checked = parseScope(form.getAll("scope").join(" ")) ?? [];
      const granted = request.scopes.filter((scope) => checked.includes(scope));
      if (granted.length === 0) {
        return back({ error: "access_denied", error_description: "The user granted no permission" });
      }
      const code = createAuthorizationCode(
        store,
        {
          client_id: request.client.client_id,
          redirect_uri: request.redirectUri,
          code_challenge: request.codeChallenge,
          company_id: company.id,
          scopes: granted,
        },
        now(),
      );
      return back({ code });
    })
    .post("/token", async (c) => {
      const form = await formParams(c);
      if (!form)
        throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded");
      const [clientId, clientSecret] = clientCredentials(c, form);
      const client = authenticateClient(store, clientId, clientSecret);
      const grantType = form.get("grant_type");
      if (grantType === "authorization_code") {
        const tokens = exchangeAuthorizationCode(
          store,
          client,
          {
            code: required(form, "code"),
            redirect_uri: required(form, "redirect_uri"),
            code_verifier: required(form, "code_verifier"),
          },
          now(),
        );
        return c.json(tokens, 200, TOKEN_HEADERS);
      }
      if (grantType === "refresh_token") {
        const tokens = refreshAccessToken(
          store,
          client,
          { refresh_token: required(form, "refresh_token") },
          now(),
        );
        return c.json(tokens, 200, TOKEN_HEADERS);
      }
      if (!grantType) throw new OAuthError("invalid_request", "grant_type is required");
      throw new OAuthError("unsupported_grant_type", `grant_type ${grantType} is not supported`);
    });
}
