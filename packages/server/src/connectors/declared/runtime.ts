import type { Credentials, OAuthHooks } from "../types.ts";
import { ConnectorError } from "../types.ts";
import type { DeclaredConnector } from "./schema.ts";

export interface DeclaredConnectorOptions {
  /** relink's OAuth client at the tool (authorization-code tools): the operator's settings. */
  clientId?: string;
  clientSecret?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; access tokens expiring within a minute are refreshed first. */
  now?: () => number;
}

/**
 * The shared state of one declared connector, made once by `declaredConnector` and passed to each
 * part of the interpreter (auth placement, token endpoint, check, permissions, identity, sync).
 */
export interface DeclaredRuntime {
  readonly doc: DeclaredConnector;
  readonly options: DeclaredConnectorOptions;
  readonly now: () => number;
  readonly timeoutMs: number;
  /** Client-credentials tokens, per client, kept in memory until a minute before they expire. */
  readonly clientTokens: Map<string, { token: string; expiresAt: number }>;
  /** The authorization-code hooks (authorization-code tools only). */
  readonly oauth: OAuthHooks | undefined;
}

/** Access tokens expiring within this margin are refreshed (or fetched again) first. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Fills `{param}` from the credentials, each value checked against its declared pattern. */
export const fill = (rt: Pick<DeclaredRuntime, "doc">, text: string, credentials: Credentials): string =>
  text.replace(/\{([a-z][a-z0-9_]*)\}/g, (_, name: string) => {
    const param = rt.doc.params.find((p) => p.id === name);
    const value = credentials[name]?.trim() ?? "";
    if (!param || !new RegExp(`^(?:${param.pattern})$`).test(value)) {
      throw new ConnectorError("AUTH_FAILED", `the ${param?.label ?? name} is not valid`);
    }
    return encodeURIComponent(value);
  });

/** A URL at the tool: a path under the document's base URL (or an absolute one), filled. */
export const url = (
  rt: Pick<DeclaredRuntime, "doc">,
  path: string,
  credentials: Credentials,
  query?: Record<string, string>,
): string => {
  const absolute = /^https?:\/\//.test(path);
  const target = new URL(
    absolute
      ? fill(rt, path, credentials)
      : `${fill(rt, rt.doc.base_url, credentials).replace(/\/+$/, "")}/${fill(rt, path, credentials).replace(/^\/+/, "")}`,
  );
  for (const [k, v] of Object.entries(query ?? {})) target.searchParams.set(k, fill(rt, v, credentials));
  return target.toString();
};
