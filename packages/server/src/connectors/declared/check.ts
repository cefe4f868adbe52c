import { type AuthCheckResult, type ConnectorContext, ConnectorError, type Credentials } from "../types.ts";
import { ready } from "./auth.ts";
import { send, type ToolRequest } from "./request.ts";
import type { DeclaredRuntime } from "./runtime.ts";
import { matches, ok } from "./values.ts";

/** A request whose answer must be a success: declared rejections are `AUTH_FAILED`, the rest `INCONCLUSIVE`. */
export const read = async (
  rt: DeclaredRuntime,
  request: ToolRequest,
  credentials: Credentials,
  signal: AbortSignal,
) => {
  const response = await send(rt, request, credentials, signal);
  if (rt.doc.check.auth_failed.some((rule) => matches(rule, response))) {
    throw new ConnectorError("AUTH_FAILED", `the tool rejected the credentials (HTTP ${response.status})`);
  }
  if (!ok(response.status) || response.body === null) {
    throw new ConnectorError("INCONCLUSIVE", `unexpected answer from the tool (HTTP ${response.status})`);
  }
  return response.body;
};

/** The credential check: the document's check request, its answer classified; refreshed tokens handed back. */
export async function checkAuth(rt: DeclaredRuntime, ctx: ConnectorContext): Promise<AuthCheckResult> {
  try {
    const current = await ready(rt, ctx);
    await read(rt, rt.doc.check.request, current.credentials, ctx.signal);
    return current.refreshed
      ? { outcome: "OK", refreshedCredentials: current.credentials }
      : { outcome: "OK" };
  } catch (error) {
    if (error instanceof ConnectorError) {
      return { outcome: error.outcome, detail: error.message, retryAfterMs: error.retryAfterMs };
    }
    throw error;
  }
}
