import type { Tool } from "@relink/sdk/contract";
import {
  type AccountIdentity,
  type Connector,
  ConnectorError,
  type Credentials,
} from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { DomainError } from "./errors.ts";

export interface VerifiedCredentials {
  credentials: Credentials;
  granted: string[];
  account: AccountIdentity;
  /** When they expire, where the tool said (`credentialsExpireAt`). */
  expiresAt?: string;
}

/** Refuses credential values that do not match the tool's auth fields (400, each field named). */
export function assertCredentialFields(tool: Tool, values: Record<string, string>): void {
  if (tool.auth.method !== "API_KEY") return;
  const known = new Set(tool.auth.fields.map((f) => f.id));
  const issues = [
    ...tool.auth.fields
      .filter((f) => f.required && !values[f.id]?.trim())
      .map((f) => ({ path: `credentials.${f.id}`, code: "required", message: `${f.label} is required` })),
    ...Object.keys(values)
      .filter((k) => !known.has(k))
      .map((k) => ({
        path: `credentials.${k}`,
        code: "unrecognized_key",
        message: `${tool.name} has no field "${k}"`,
      })),
  ];
  if (issues.length > 0) {
    throw new DomainError(
      "INVALID_REQUEST",
      `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      { details: { issues } },
    );
  }
}

/**
 * Checks credentials with the tool and reads what they grant and whose they are:
 * `422 CREDENTIALS_INVALID` when the tool rejects them, `503 TOOL_UNREACHABLE` when it cannot tell.
 * Network only: call it outside any transaction.
 */
export async function verifyCredentials(
  ctx: Pick<RelinkContext, "log">,
  connector: Connector,
  credentials: Credentials,
  signal: AbortSignal = AbortSignal.timeout(30_000),
): Promise<VerifiedCredentials> {
  // What a connector says is repeated to the caller and the log only without the submitted values.
  const scrub = (text: string | undefined) => withoutValues(text, credentials);
  let check: Awaited<ReturnType<Connector["checkAuth"]>>;
  try {
    check = await connector.checkAuth({ credentials, signal });
  } catch (error) {
    if (error instanceof ConnectorError) {
      if (error.outcome === "AUTH_FAILED") throw credentialsInvalid(connector);
      throw toolUnreachable(connector, scrub(error.message));
    }
    ctx.log.error({ err: scrubbedError(error, credentials), tool: connector.tool.id }, "connector failed");
    throw toolUnreachable(connector, "the connector failed");
  }
  const current = check.refreshedCredentials ?? credentials;
  if (check.outcome === "AUTH_FAILED") throw credentialsInvalid(connector);
  if (check.outcome === "INCONCLUSIVE") throw toolUnreachable(connector, scrub(check.detail));
  try {
    const [granted, account] = await Promise.all([
      connector.grantedPermissions({ credentials: current, signal }),
      connector.accountIdentity({ credentials: current, signal }),
    ]);
    return { credentials: current, granted, account, expiresAt: check.credentialsExpireAt };
  } catch (error) {
    if (error instanceof ConnectorError) {
      if (error.outcome === "AUTH_FAILED") throw credentialsInvalid(connector);
      throw toolUnreachable(connector, scrub(error.message));
    }
    ctx.log.error({ err: scrubbedError(error, credentials), tool: connector.tool.id }, "connector failed");
    throw toolUnreachable(connector, "the connector failed");
  }
}

function toolUnreachable(connector: Connector, detail: string | undefined): DomainError {
  return new DomainError(
    "TOOL_UNREACHABLE",
    `${connector.tool.name} could not be reached to check the credentials${detail ? ` (${detail})` : ""}. Try again in a moment.`,
    { retryAfterSeconds: 5 },
  );
}

const credentialsInvalid = (connector: Connector) =>
  new DomainError("CREDENTIALS_INVALID", `${connector.tool.name} rejected these credentials.`);

/** `text` with every submitted credential value in it replaced (longest first). */
function withoutValues(text: string | undefined, credentials: Credentials): string | undefined {
  if (text === undefined) return undefined;
  const values = Object.values(credentials)
    .filter((value): value is string => typeof value === "string" && value.trim().length >= 4)
    .sort((a, b) => b.length - a.length);
  let scrubbed = text;
  for (const value of values) {
    for (const form of [value, value.trim(), JSON.stringify(value).slice(1, -1)]) {
      if (form.length >= 4) scrubbed = scrubbed.replaceAll(form, "[redacted]");
    }
  }
  return scrubbed;
}

/** An unexpected connector error, as logged: its message and stack without the submitted values. */
function scrubbedError(error: unknown, credentials: Credentials) {
  if (!(error instanceof Error)) return { message: "a connector threw a non-error" };
  return {
    type: error.name,
    message: withoutValues(error.message, credentials),
    stack: withoutValues(error.stack, credentials),
  };
}
