import { ConnectorError, type Credentials } from "../types.ts";
import { read } from "./check.ts";
import { send } from "./request.ts";
import type { DeclaredRuntime } from "./runtime.ts";
import { matches, ok, valueAt } from "./values.ts";

/** The permissions the credentials grant, found as the document's `granted` rule says. */
export const granted = async (
  rt: DeclaredRuntime,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<string[]> => {
  const { doc } = rt;
  const rule = doc.granted;
  const byScopes = (scopes: Set<string>) =>
    doc.permissions.filter((p) => (p.scopes ?? [p.id]).every((s) => scopes.has(s))).map((p) => p.id);
  switch (rule.from) {
    case "all":
      return doc.permissions.map((p) => p.id);
    case "token_scope": {
      if (credentials.scope === undefined) return doc.permissions.map((p) => p.id);
      const separator = doc.auth.type === "oauth2_authorization_code" ? doc.auth.scope_separator : " ";
      return byScopes(
        new Set(credentials.scope.split(separator).concat(credentials.scope.split(" ")).filter(Boolean)),
      );
    }
    case "response": {
      const body = await read(rt, rule.request ?? doc.check.request, credentials, signal);
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
          const response = await send(rt, p.probe ?? doc.check.request, credentials, signal);
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
