import type { ErrorCode } from "./names.ts";

/**
 * The code of a `RelinkApiError`: one of the API's error codes, or `UNEXPECTED_RESPONSE` for an
 * answer that is not relink's (a proxy's error page).
 *
 * @example
 * ```ts
 * const retryLater = (code: RelinkApiErrorCode) => code === "TOOL_UNREACHABLE" || code === "RATE_LIMITED";
 * ```
 */
export type RelinkApiErrorCode = ErrorCode | "UNEXPECTED_RESPONSE";

/**
 * The relink API refused a request: `status` is the HTTP status, `code` the stable error code to
 * `switch` on, `details` what the server added (e.g. the invalid fields), `requestId` the id to
 * quote when reporting a problem.
 *
 * @example
 * ```ts
 * try {
 *   await relink.integrations.get(id);
 * } catch (error) {
 *   if (error instanceof RelinkApiError && error.code === "NOT_FOUND") return null;
 *   throw error;
 * }
 * ```
 */
export class RelinkApiError extends Error {
  override name = "RelinkApiError";
  constructor(
    readonly status: number,
    readonly code: RelinkApiErrorCode,
    message: string,
    readonly details: unknown,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

/**
 * No answer came: the request timed out (`TIMEOUT`) or the connection failed (`NETWORK_ERROR`),
 * after the retries allowed. A request cancelled through its `signal` rejects with the signal's
 * reason instead, as `fetch` does.
 *
 * @example
 * ```ts
 * try {
 *   await relink.tools.list();
 * } catch (error) {
 *   if (error instanceof RelinkConnectionError) console.warn(`relink unreachable (${error.code})`);
 * }
 * ```
 */
export class RelinkConnectionError extends Error {
  override name = "RelinkConnectionError";
  constructor(
    readonly code: "TIMEOUT" | "NETWORK_ERROR",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// When to try a refused request again: one `Retry-After` parser and one exponential backoff,
// shared by this client and the server's outgoing calls (`@relink/sdk/retry`). They live here
// because the browser entry depends on nothing but `client.ts` and `errors.ts`.

/**
 * A `Retry-After` value in milliseconds from `nowMs`: delay-seconds (`"120"`) or an HTTP date (a
 * date already past gives 0). `undefined` when absent or unreadable, a fraction or a negative
 * number among them.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date starts with the day's name; `Date.parse` alone would read "1.5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** The wait before the first retry (`attempt` 0), doubled for each one after. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
  /**
   * `"equal"`: a random wait in the upper half of the step (retries of many clients spread out);
   * `"none"`: the step itself. Default `"equal"`.
   */
  jitter?: "equal" | "none";
  /** Random source from 0 to 1 (tests). */
  random?: () => number;
}

/** Exponential backoff: the wait before retry number `attempt` (0 = the first), in milliseconds. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(0, attempt), 40));
  if (options.jitter === "none") return step;
  const random = options.random ?? Math.random;
  return Math.round(step / 2 + (random() * step) / 2);
}

/**
 * Thrown by a `withSyncSession` callback when the tool rejected the credentials it was given (a
 * 401 from the tool): the session finishes as `AUTHENTICATION_FAILED`, and relink checks the
 * credentials at once; only that check counts towards a pause.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { headers: { authorization: `Bearer ${credentials.api_key}` } });
 * if (response.status === 401) throw new RelinkAuthError("the HR system refused the key");
 * ```
 */
export class RelinkAuthError extends Error {
  override name = "RelinkAuthError";
}
