import { ERROR_CODES, type ErrorCode } from "@relink/sdk/contract";

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

/** What a refusal says to its caller. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * The refusal an error carries, or `undefined` for a failure (a bug, an outage). A `DomainError`,
 * or any error carrying a contract code (the HTTP layer's `ApiError`), is a refusal: code that
 * reports refusals (the OAuth callback page, flow-failure events) reads them here without knowing
 * the HTTP layer.
 */
export function refusalOf(error: unknown): Refusal | undefined {
  if (error instanceof DomainError) return error;
  if (!(error instanceof Error)) return undefined;
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  if (typeof code !== "string" || !CODES.has(code)) return undefined;
  return { code: code as ErrorCode, message: error.message, details };
}
