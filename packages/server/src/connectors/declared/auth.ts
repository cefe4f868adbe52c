import { type ConnectorContext, ConnectorError, type Credentials } from "../types.ts";
import { freshOAuth } from "./oauth.ts";
import type { DeclaredRuntime } from "./runtime.ts";
import { clientCredentialsToken } from "./token-endpoint.ts";
import { basic } from "./values.ts";

/** The credentials as the tool wants them on a request: headers and query parameters. */
export const authenticate = async (
  rt: DeclaredRuntime,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<{ headers: Record<string, string>; query: Record<string, string> }> => {
  const auth = rt.doc.auth;
  switch (auth.type) {
    case "api_key": {
      const key = credentials.api_key?.trim();
      if (!key) throw new ConnectorError("AUTH_FAILED", "no API key given");
      const p = auth.placement;
      if (p.in === "header") return { headers: { [p.name]: `${p.prefix ?? ""}${key}` }, query: {} };
      if (p.in === "bearer") return { headers: { authorization: `Bearer ${key}` }, query: {} };
      if (p.in === "basic_as_user") return { headers: { authorization: basic(key, p.password) }, query: {} };
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
        headers: { authorization: `Bearer ${await clientCredentialsToken(rt, credentials, signal)}` },
        query: {},
      };
  }
};

/** Credentials ready for requests (fresh OAuth tokens), and whether they were refreshed here. */
export const ready = async (rt: DeclaredRuntime, ctx: ConnectorContext) =>
  rt.doc.auth.type === "oauth2_authorization_code"
    ? freshOAuth(rt, ctx)
    : { credentials: ctx.credentials, refreshed: false };
