import { parseRetryAfter } from "@relink/sdk/retry";
import { ConnectorError } from "./types.ts";

export interface ToolRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  timeoutMs: number;
  fetch?: typeof fetch;
  /**
   * A body that is not JSON: `throw` (default) makes the call `INCONCLUSIVE`; `null` returns the
   * status with a null body, for callers that judge some statuses whatever the body (an HTML 401).
   */
  notJson?: "throw" | "null";
}

export interface ToolResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * One call to a tool, with the classification every connector shares: the answer's status is
 * returned for the caller to judge (401, 403, 400), while a timeout, a connection error, a 5xx,
 * a 429 or a body that is not JSON throws an `INCONCLUSIVE` `ConnectorError`.
 */
export async function callTool<T>(request: ToolRequest): Promise<ToolResponse<T>> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  let headers: Headers;
  try {
    headers = new Headers({ accept: "application/json", ...request.headers });
  } catch {
    // A header value (a key with a character no header can carry) that cannot be sent: the
    // credentials are wrong, the tool was never asked. The error quotes the value: never repeated.
    throw new ConnectorError("AUTH_FAILED", "the credentials cannot be sent to the tool");
  }
  let response: Response;
  try {
    response = await (request.fetch ?? fetch)(request.url, {
      method: request.method ?? "GET",
      headers,
      body: request.body,
      signal,
      redirect: "manual",
    });
  } catch (error) {
    if (timeout.aborted)
      throw new ConnectorError("INCONCLUSIVE", `the tool did not answer within ${request.timeoutMs} ms`);
    if (request.signal.aborted) throw new ConnectorError("INCONCLUSIVE", "the check was cancelled");
    throw new ConnectorError("INCONCLUSIVE", `the tool could not be reached (${describe(error)})`);
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel().catch(() => {});
    throw new ConnectorError(
      "INCONCLUSIVE",
      response.status === 429
        ? "the tool is rate limiting (429)"
        : `the tool failed with HTTP ${response.status}`,
      retryAfterMs(response.headers.get("retry-after")),
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (timeout.aborted)
      throw new ConnectorError("INCONCLUSIVE", `the tool did not answer within ${request.timeoutMs} ms`);
    throw new ConnectorError("INCONCLUSIVE", `the tool's answer was cut off (${describe(error)})`);
  }
  let body: T;
  try {
    body = (text === "" ? null : JSON.parse(text)) as T;
  } catch {
    if (request.notJson === "null")
      return { status: response.status, body: null as T, headers: response.headers };
    throw new ConnectorError(
      "INCONCLUSIVE",
      `the tool answered HTTP ${response.status} with a body that is not JSON`,
    );
  }
  return { status: response.status, body, headers: response.headers };
}

/**
 * A failed call in words that quote nothing of the request: an error's message may repeat a
 * header or the URL, and so a credential. Only a system error code (`ECONNREFUSED`) is named.
 */
function describe(error: unknown): string {
  const code =
    (error as { cause?: { code?: unknown }; code?: unknown } | null)?.cause?.code ??
    (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : "request failed";
}

/** The longest wait a tool's `Retry-After` asks of us that we honour. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * A tool's `Retry-After` (seconds or an HTTP date) in milliseconds, through the SDK's one parser;
 * capped at one hour. A date already past gives 0: try again now.
 */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  const ms = parseRetryAfter(header, nowMs);
  return ms === undefined ? undefined : Math.min(ms, MAX_RETRY_AFTER_MS);
}
