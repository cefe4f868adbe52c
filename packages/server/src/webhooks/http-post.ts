import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";

/** What one POST to a receiver gave: an answer (any status) or an error, never both. */
export interface PostOutcome {
  status: number | null;
  /** The start of the answer's body, for the delivery log. */
  body: string | null;
  error: string | null;
  latencyMs: number;
  /** The `Retry-After` header of a 429 or 503 answer (how long the receiver asks to be left alone). */
  retryAfter?: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** Total time for connecting, sending and reading the answer. */
  timeoutMs: number;
  /** Bytes of the answer kept for the log. */
  keepBytes: number;
  /** Bytes of the answer read at most (to reuse the connection); past that it is cut. */
  readBytes: number;
  agent: http.Agent;
  lookup?: LookupFunction;
}

/**
 * POSTs a webhook. Redirects are not followed (a 3xx is an unsuccessful answer like any other),
 * the whole exchange has one deadline, and an answer's body is read only up to a cap.
 */
export function postWebhook(url: URL, options: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<PostOutcome, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      agent: options.agent,
      headers: {
        ...options.headers,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(options.body)),
      },
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    const timer = setTimeout(() => {
      const error = new Error(`timed out after ${options.timeoutMs} ms`);
      request.destroy(error);
      finish({ status: null, body: null, error: error.message });
    }, options.timeoutMs);

    request.on("error", (error: NodeJS.ErrnoException) => {
      finish({ status: null, body: null, error: describeError(error) });
    });
    request.on("response", (response) => {
      const status = response.statusCode ?? null;
      const retryAfter = status === 429 || status === 503 ? response.headers["retry-after"] : undefined;
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let readBytes = 0;
      let cut = false;
      const text = () => {
        // NUL characters cannot be stored in a PostgreSQL text column.
        const body = Buffer.concat(kept).toString("utf8").replaceAll("\u0000", "\uFFFD");
        return readBytes > keptBytes || cut ? `${body}…[truncated]` : body;
      };
      response.on("data", (chunk: Buffer) => {
        readBytes += chunk.length;
        if (keptBytes < options.keepBytes) {
          const part = chunk.subarray(0, options.keepBytes - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
        if (readBytes > options.readBytes && !cut) {
          cut = true;
          response.destroy();
          request.destroy();
          finish({ status, body: text(), error: null });
        }
      });
      response.on("end", () =>
        finish({ status, body: text(), error: null, ...(retryAfter ? { retryAfter } : {}) }),
      );
      response.on("error", (error) => {
        // The status arrived: the receiver answered even if the body broke off.
        finish({ status, body: text(), error: cut ? null : describeError(error) });
      });
      response.on("close", () => finish({ status, body: text(), error: null }));
    });
    request.end(options.body);
  });
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - nowMs;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function describeError(error: NodeJS.ErrnoException): string {
  const message = error.message || String(error);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
