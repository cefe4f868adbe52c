import type { Connector } from "../types.ts";
import { ready } from "./auth.ts";
import { checkAuth } from "./check.ts";
import { accountIdentity } from "./identity.ts";
import { oauthHooks } from "./oauth.ts";
import { granted } from "./permissions.ts";
import type { DeclaredConnectorOptions, DeclaredRuntime } from "./runtime.ts";
import type { DeclaredConnector } from "./schema.ts";
import { sync } from "./sync.ts";
import { toolOf, translationsOf } from "./tool.ts";

export type { DeclaredConnectorOptions } from "./runtime.ts";
export { toolOf } from "./tool.ts";
export { valueAt } from "./values.ts";

/**
 * The `Connector` a declared document describes. It behaves as a coded one: the check says
 * `AUTH_FAILED` only for the answers the document declares as such, `INCONCLUSIVE` for anything
 * else that is not a success.
 *
 * The interpreter is split by job: auth placement (`auth.ts`), token endpoints and OAuth
 * (`token-endpoint.ts`, `oauth.ts`), requests (`request.ts`), the check and the classification of
 * answers (`check.ts`), permissions, account identity and sync; each takes the `DeclaredRuntime`
 * made here.
 */
export function declaredConnector(doc: DeclaredConnector, options: DeclaredConnectorOptions = {}): Connector {
  const base = {
    doc,
    options,
    now: options.now ?? Date.now,
    timeoutMs: options.timeoutMs ?? 10_000,
    clientTokens: new Map<string, { token: string; expiresAt: number }>(),
  };
  const oauth = oauthHooks(base);
  const rt: DeclaredRuntime = { ...base, oauth };
  const connector: Connector = {
    tool: toolOf(doc),
    translations: translationsOf(doc),
    checkAuth: (ctx) => checkAuth(rt, ctx),
    async grantedPermissions(ctx) {
      return granted(rt, (await ready(rt, ctx)).credentials, ctx.signal);
    },
    accountIdentity: (ctx) => accountIdentity(rt, ctx),
    ...(oauth ? { oauth } : {}),
  };
  if (doc.models.some((m) => m.sync)) connector.sync = (ctx) => sync(rt, ctx);
  return connector;
}
