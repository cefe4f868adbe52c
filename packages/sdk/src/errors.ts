import type { ErrorCode } from "./contract/errors.ts";

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
