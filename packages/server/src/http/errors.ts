import type { ErrorCode } from "@relink/sdk/contract";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../domain/errors.ts";

/**
 * A refusal decided by the HTTP layer itself (request shape, authentication, rate limits), with its
 * status. The domain throws `DomainError` instead, whose status comes from `STATUS_OF_CODE`.
 */
export class ApiError extends HTTPException {
  override name = "ApiError";
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(status, { message });
  }
}

export const notFound = (what: string) => new ApiError(404, "NOT_FOUND", `${what} not found`);

/** The one table from a contract error code to the HTTP status a `DomainError` with it is answered with. */
export const STATUS_OF_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  UNKNOWN_TOOL: 422,
  SCOPE_CONFIG_INVALID: 422,
  SCOPE_CONFIG_IN_USE: 409,
  LAST_API_KEY: 409,
  INSUFFICIENT_SCOPE: 403,
  INTEGRATION_INVALID: 409,
  INTEGRATION_INACTIVE: 409,
  INTEGRATION_PAUSED: 409,
  AUTHENTICATION_FAILED: 409,
  SESSION_EXPIRED: 409,
  SESSION_FINISHED: 409,
  MODEL_NOT_IN_SCOPE: 404,
  CREDENTIALS_INVALID: 422,
  PERMISSIONS_MISSING: 422,
  ACCOUNT_MISMATCH: 409,
  TOOL_UNREACHABLE: 503,
  ORIGIN_NOT_ALLOWED: 403,
  TOKEN_MISSING: 401,
  TOKEN_MALFORMED: 401,
  TOKEN_TOO_LARGE: 401,
  TOKEN_TYPE_INVALID: 401,
  TOKEN_ALGORITHM_INVALID: 401,
  TOKEN_KEY_UNKNOWN: 401,
  TOKEN_KEY_REVOKED: 401,
  TOKEN_SIGNATURE_INVALID: 401,
  TOKEN_AUDIENCE_INVALID: 401,
  TOKEN_ISSUER_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  TOKEN_LIFETIME_TOO_LONG: 401,
  TOKEN_CLAIM_MISSING: 401,
  TOKEN_CLAIM_INVALID: 401,
  TOKEN_SUBJECT_UNKNOWN: 401,
  TOKEN_SCOPE_CONFIG_UNKNOWN: 401,
  TOKEN_ALREADY_USED: 409,
  LINK_REVOKED: 410,
  FLOW_SUPERSEDED: 409,
};

/** A domain refusal as the HTTP error the one error handler answers. */
export function httpErrorOf(error: DomainError): ApiError {
  const headers =
    error.retryAfterSeconds === undefined
      ? undefined
      : { "Retry-After": String(Math.max(0, Math.ceil(error.retryAfterSeconds))) };
  return new ApiError(STATUS_OF_CODE[error.code], error.code, error.message, error.details, headers);
}

export { DomainError };
