import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.ts";

export type { Logger };

/**
 * Keys whose values are never written to a log line, wherever they appear in a logged object.
 * Secrets should not reach the logger at all; this is the second line of defence.
 */
const REDACTED_KEYS = [
  "authorization",
  "api_key",
  "apiKey",
  "key",
  "secret",
  "password",
  "token",
  "access_token",
  "refresh_token",
  "credentials",
  "values",
  "client_secret",
  "code_verifier",
  "cookie",
];

export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "relink" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
        censor: "[redacted]",
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
