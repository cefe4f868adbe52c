import { type ErrorCode, MAX_TOKEN_BYTES, TOKEN_AUDIENCE, TOKEN_TYPE } from "@relink/sdk/contract";
import { DomainError } from "../domain/errors.ts";

/**
 * The refusals of a flow token: the code names the one check that failed (its HTTP status is in
 * `http/errors.ts`' `STATUS_OF_CODE`: 401, or 409 for `TOKEN_ALREADY_USED`); the message adds
 * nothing an attacker could use.
 */
const REFUSALS: Partial<Record<ErrorCode, string>> = {
  TOKEN_MISSING: "A flow token is required.",
  TOKEN_TOO_LARGE: `The flow token is larger than ${MAX_TOKEN_BYTES} bytes.`,
  TOKEN_MALFORMED: "The flow token is not a well-formed JWT.",
  TOKEN_TYPE_INVALID: `The flow token's typ must be ${TOKEN_TYPE}.`,
  TOKEN_ALGORITHM_INVALID: "The flow token's algorithm is not accepted for its key.",
  TOKEN_KEY_UNKNOWN: "The flow token's signing key is unknown.",
  TOKEN_KEY_REVOKED: "The flow token's signing key was revoked.",
  TOKEN_SIGNATURE_INVALID: "The flow token's signature is invalid.",
  TOKEN_AUDIENCE_INVALID: `The flow token's audience must be ${TOKEN_AUDIENCE}.`,
  TOKEN_ISSUER_INVALID: "The flow token's issuer is not its signing key's workspace.",
  TOKEN_EXPIRED: "The flow token has expired.",
  TOKEN_NOT_YET_VALID: "The flow token is not valid yet.",
  TOKEN_LIFETIME_TOO_LONG: "The flow token lives longer than allowed.",
  TOKEN_CLAIM_MISSING: "The flow token lacks a required claim.",
  TOKEN_CLAIM_INVALID: "The flow token has an invalid claim.",
  TOKEN_SUBJECT_UNKNOWN: "The flow token's integration does not exist.",
  TOKEN_SCOPE_CONFIG_UNKNOWN: "The flow token's scope config does not exist.",
  TOKEN_ALREADY_USED: "This flow token has already completed a flow.",
};

/** A refusal of the token by the check `code` names. */
export const refuse = (code: ErrorCode): DomainError =>
  new DomainError(code, REFUSALS[code] ?? "The flow token was refused.");

/**
 * A claim missing or invalid, named in the message and in `details.claim` (a dotted path such as
 * `end_user.organization_name`), never quoting its value. Only ever said of a token whose signature
 * was checked: whoever reads it holds the signing key.
 */
export const refuseClaim = (
  code: "TOKEN_CLAIM_MISSING" | "TOKEN_CLAIM_INVALID",
  claim: string,
): DomainError =>
  new DomainError(
    code,
    code === "TOKEN_CLAIM_MISSING"
      ? `The flow token lacks the required claim ${claim}.`
      : `The flow token's claim ${claim} is invalid.`,
    { details: { claim } },
  );
