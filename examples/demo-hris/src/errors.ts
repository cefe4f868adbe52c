import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Codes of the `/api` and `/admin` error envelope `{ "error": { "code", "message", … } }`. */
export type DemoHrisErrorCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "INVALID_REQUEST"
  | "RATE_LIMITED"
  | "INTERNAL_ERROR"
  | "BAD_GATEWAY"
  | "SERVICE_UNAVAILABLE"
  | "GATEWAY_TIMEOUT";

export interface DemoHrisErrorBody {
  error: { code: DemoHrisErrorCode; message: string; [detail: string]: unknown };
}

/** A refused request; `app.onError` turns it into the error envelope. */
export class DemoHrisError extends Error {
  override readonly name = "DemoHrisError";

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: DemoHrisErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  toBody(): DemoHrisErrorBody {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** Error codes of the OAuth token endpoint (RFC 6749 section 5.2). */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type";

/** A refused token request: answered `400 { "error", "error_description" }`. */
export class OAuthError extends Error {
  override readonly name = "OAuthError";

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

export function invalidRequest(message: string, details?: Record<string, unknown>): DemoHrisError {
  return new DemoHrisError(400, "INVALID_REQUEST", message, details);
}
