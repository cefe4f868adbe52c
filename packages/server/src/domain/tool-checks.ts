import type { Tool } from "@relink/sdk/contract";
import {
  type AccountIdentity,
  type Connector,
  ConnectorError,
  type Credentials,
} from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";

export interface VerifiedCredentials {
  credentials: Credentials;
  granted: string[];
  account: AccountIdentity;
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
    throw new ApiError(
      400,
      "INVALID_REQUEST",
      `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      {
        issues,
      },
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
  const check = await connector.checkAuth({ credentials, signal });
  const current = check.refreshedCredentials ?? credentials;
  if (check.outcome === "AUTH_FAILED") {
    throw new ApiError(422, "CREDENTIALS_INVALID", `${connector.tool.name} rejected these credentials.`);
  }
  if (check.outcome === "INCONCLUSIVE") throw toolUnreachable(connector, check.detail);
  try {
    const [granted, account] = await Promise.all([
      connector.grantedPermissions({ credentials: current, signal }),
      connector.accountIdentity({ credentials: current, signal }),
    ]);
    return { credentials: current, granted, account };
  } catch (error) {
    if (error instanceof ConnectorError) {
      if (error.outcome === "AUTH_FAILED") {
        throw new ApiError(422, "CREDENTIALS_INVALID", `${connector.tool.name} rejected these credentials.`);
      }
      throw toolUnreachable(connector, error.message);
    }
    ctx.log.error({ err: error, tool: connector.tool.id }, "connector failed");
    throw toolUnreachable(connector, "the connector failed");
  }
}

function toolUnreachable(connector: Connector, detail: string | undefined): ApiError {
  return new ApiError(
    503,
    "TOOL_UNREACHABLE",
    `${connector.tool.name} could not be reached to check the credentials${detail ? ` (${detail})` : ""}. Try again in a moment.`,
    undefined,
    { "Retry-After": "5" },
  );
}
