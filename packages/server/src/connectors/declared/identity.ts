import { type AccountIdentity, type ConnectorContext, ConnectorError, type Credentials } from "../types.ts";
import { ready } from "./auth.ts";
import { read } from "./check.ts";
import type { DeclaredRuntime } from "./runtime.ts";
import type { DeclaredConnector } from "./schema.ts";
import { valueAt } from "./values.ts";

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

/** The account the credentials belong to: from a parameter, a credential, the token answer or a request. */
export async function accountIdentity(rt: DeclaredRuntime, ctx: ConnectorContext): Promise<AccountIdentity> {
  const { doc } = rt;
  const { credentials } = await ready(rt, ctx);
  const needsResponse = [doc.identity.id, doc.identity.name].some((v) => v && "response" in v);
  const body = needsResponse
    ? await read(rt, doc.identity.request ?? doc.check.request, credentials, ctx.signal)
    : null;
  const id = identityValue(doc.identity.id, body, credentials);
  if (!id) throw new ConnectorError("INCONCLUSIVE", "the tool's answer does not name the account");
  const name = doc.identity.name ? identityValue(doc.identity.name, body, credentials) : undefined;
  return name ? { id, name } : { id };
}
