import { z } from "zod";

/**
 * Every error code the relink HTTP API can answer with. Stable: clients `switch` on them.
 */
export const ERROR_CODES = [
  // request shape
  "INVALID_REQUEST",
  "INVALID_JSON",
  "UNSUPPORTED_MEDIA_TYPE",
  "PAYLOAD_TOO_LARGE",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "UNAUTHORIZED",
  "RATE_LIMITED",
  "CONFLICT",
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
  // catalog and configuration
  "UNKNOWN_TOOL",
  "SCOPE_CONFIG_INVALID",
  "SCOPE_CONFIG_IN_USE",
  "LAST_API_KEY",
  "INSUFFICIENT_SCOPE",
  // integrations
  "INTEGRATION_INVALID",
  "INTEGRATION_INACTIVE",
  "INTEGRATION_PAUSED",
  // sync sessions and records
  "AUTHENTICATION_FAILED",
  "SESSION_EXPIRED",
  "SESSION_FINISHED",
  "MODEL_NOT_IN_SCOPE",
  // tool answers (connect API and imports)
  "CREDENTIALS_INVALID",
  "PERMISSIONS_MISSING",
  "ACCOUNT_MISMATCH",
  "TOOL_UNREACHABLE",
  // connect API
  "ORIGIN_NOT_ALLOWED",
  // flow tokens
  "TOKEN_MISSING",
  "TOKEN_MALFORMED",
  "TOKEN_TOO_LARGE",
  "TOKEN_TYPE_INVALID",
  "TOKEN_ALGORITHM_INVALID",
  "TOKEN_KEY_UNKNOWN",
  "TOKEN_KEY_REVOKED",
  "TOKEN_SIGNATURE_INVALID",
  "TOKEN_AUDIENCE_INVALID",
  "TOKEN_ISSUER_INVALID",
  "TOKEN_EXPIRED",
  "TOKEN_NOT_YET_VALID",
  "TOKEN_LIFETIME_TOO_LONG",
  "TOKEN_CLAIM_MISSING",
  "TOKEN_CLAIM_INVALID",
  "TOKEN_SUBJECT_UNKNOWN",
  "TOKEN_SCOPE_CONFIG_UNKNOWN",
  "TOKEN_ALREADY_USED",
  // relink links
  "LINK_REVOKED",
  "FLOW_SUPERSEDED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/** The one error envelope of every failed request. */
export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      details: z.unknown().optional(),
      request_id: z.string(),
    }),
  })
  .meta({ id: "Error" });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
