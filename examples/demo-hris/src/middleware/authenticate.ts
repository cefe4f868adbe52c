import type { MiddlewareHandler } from "hono";
import { resolveCredential } from "../credentials.ts";
import type { DemoHrisEnv } from "../env.ts";
import { DemoHrisError } from "../errors.ts";
import type { Permission } from "../permissions.ts";
import type { DemoHrisState } from "../state.ts";

function unauthorized(message: string): DemoHrisError {
  return new DemoHrisError(
    401,
    "UNAUTHORIZED",
    message,
    {},
    { "WWW-Authenticate": 'Bearer realm="demo-hris"' },
  );
}

/** Accepts `Authorization: Bearer <api key or access token>` and sets `c.var.credential`. */
export function authenticate(state: DemoHrisState, now: () => number): MiddlewareHandler<DemoHrisEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization");
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw unauthorized("Send a credential as 'Authorization: Bearer <api key or access token>'");
    const lookup = resolveCredential(state, match[1]!, now());
    if (!lookup.ok) throw unauthorized(lookup.reason);
    c.set("credential", lookup.credential);
    await next();
  };
}

/** Refuses with 403, naming the missing permission, unless the credential carries `permission`. */
export function requirePermission(permission: Permission): MiddlewareHandler<DemoHrisEnv> {
  return async (c, next) => {
    if (!c.var.credential.permissions.includes(permission)) {
      throw new DemoHrisError(403, "FORBIDDEN", `This credential lacks the ${permission} permission`, {
        permission,
      });
    }
    await next();
  };
}
