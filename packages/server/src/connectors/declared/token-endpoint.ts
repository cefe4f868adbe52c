import { callTool } from "../http.ts";
import { ConnectorError, type Credentials } from "../types.ts";
import { type DeclaredRuntime, EXPIRY_MARGIN_MS, fill } from "./runtime.ts";
import { basic, ok, valueAt } from "./values.ts";

type Runtime = Omit<DeclaredRuntime, "oauth">;

/** Client authentication at a token endpoint. */
export const clientAuth = (
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
export const tokenRequest = async (
  rt: Runtime,
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
    timeoutMs: rt.timeoutMs,
    fetch: rt.options.fetch,
    notJson: "null",
  });
  const error = response.body?.error;
  if (
    error === "invalid_grant" ||
    (rt.doc.auth.type === "oauth2_client_credentials" &&
      (response.status === 401 || error === "invalid_client"))
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

/** A client-credentials access token: the cached one while it lasts, else a new one from the token endpoint. */
export const clientCredentialsToken = async (
  rt: Runtime,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<string> => {
  const auth = rt.doc.auth;
  if (auth.type !== "oauth2_client_credentials") throw new TypeError("not a client-credentials tool");
  const clientId = credentials.client_id ?? "";
  const clientSecret = credentials.client_secret ?? "";
  if (!clientId || !clientSecret) throw new ConnectorError("AUTH_FAILED", "no client id or secret given");
  const key = `${clientId}\u0000${clientSecret}`;
  const cached = rt.clientTokens.get(key);
  if (cached && cached.expiresAt - rt.now() > EXPIRY_MARGIN_MS) return cached.token;
  const request = clientAuth(auth.client_auth, clientId, clientSecret, {
    ...auth.token_params,
    grant_type: "client_credentials",
    ...(auth.scopes.length > 0 ? { scope: auth.scopes.join(auth.scope_separator) } : {}),
  });
  const answer = await tokenRequest(
    rt,
    fill(rt, auth.token_url, credentials),
    request.headers,
    request.form,
    signal,
  );
  const token = valueAt(answer, auth.access_token_path);
  if (typeof token !== "string" || token === "") {
    throw new ConnectorError("INCONCLUSIVE", "the token endpoint answered without an access token");
  }
  const expiresIn = Number(valueAt(answer, auth.expires_in_path) ?? 3600);
  rt.clientTokens.set(key, {
    token,
    expiresAt: rt.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
  });
  return token;
};
