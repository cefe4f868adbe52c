import type { ErrorCode } from "@relink/sdk/contract";

export interface DomainErrorOptions {
  /** Machine-readable details, answered as the envelope's `details` (never a secret). */
  details?: unknown;
  /** When the caller may try again (answered as `Retry-After` by the HTTP layer). */
  retryAfterSeconds?: number;
}

/**
 * A refusal by the domain: a stable code of the contract and a sentence for people. The domain knows
 * nothing of HTTP: `http/errors.ts` maps each code to its status in one table.
 */
export class DomainError extends Error {
  override name = "DomainError";
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** `what` (e.g. "Integration int_…") does not exist in this workspace. */
export const notFound = (what: string): DomainError => new DomainError("NOT_FOUND", `${what} not found`);
