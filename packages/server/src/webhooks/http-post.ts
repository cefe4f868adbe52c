import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { urlToHttpOptions } from "node:url";

/**
 * What one POST to a receiver gave: an answer (any status), an error, or both when the answer broke
 * off or ran past the deadline after its status arrived (the status is what counts).
 */
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
}

/**
 * Where a webhook goes, prepared once per URL: the request options (through a keep-alive agent, and
 * with the address check of every new connection as `lookup`).
 */
export interface PostTarget {
  readonly url: URL;
  readonly send: (options: http.RequestOptions) => http.ClientRequest;
  readonly options: Readonly<http.RequestOptions>;
}

export function postTarget(url: URL, agent: http.Agent, lookup?: LookupFunction): PostTarget {
  // Only what a request needs: the agent and the client copy these options on every request.
  const { protocol, hostname, port, path, auth } = urlToHttpOptions(url);
  return {
    url,
    send: url.protocol === "https:" ? https.request : http.request,
    options: {
      protocol,
      hostname,
      ...(port !== undefined ? { port } : {}),
      path,
      ...(auth ? { auth } : {}),
      method: "POST",
      agent,
      ...(lookup ? { lookup } : {}),
    },
  };
}

/**
 * POSTs a webhook. Redirects are not followed (a 3xx is an unsuccessful answer like any other),
 * the whole exchange has one deadline, and an answer's body is read only up to a cap.
 *
 * A kept-alive connection may have been closed by the receiver just as it was reused (its idle
 * timeout): a reset of a reused connection before any answer is tried again at once, once, on
 * another connection, within the same deadline (the receiver did not read the request, or, if it
 * did, gets it twice with the same `webhook-id`: at least once).
 */
export function postWebhook(target: PostTarget, options: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const requestOptions: http.RequestOptions = {
    ...target.options,
    headers: {
      ...options.headers,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(options.body)),
    },
  };
  return new Promise((resolve) => {
    let settled = false;
    let request: http.ClientRequest;
    /** Once the status line arrived: what to record if the deadline passes while the body is read. */
    let answeredSoFar: ((error: string) => Omit<PostOutcome, "latencyMs">) | null = null;
    const finish = (outcome: Omit<PostOutcome, "latencyMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const timer = setTimeout(() => {
      const error = new Error(`timed out after ${options.timeoutMs} ms`);
      const outcome = answeredSoFar?.(`${error.message} reading the answer`) ?? {
        status: null,
        body: null,
        error: error.message,
      };
      request.destroy(error);
      finish(outcome);
    }, options.timeoutMs);

    const send = (retried: boolean) => {
      let answered = false;
      request = target.send(requestOptions);
      const current = request;
      current.on("error", (error: NodeJS.ErrnoException) => {
        if (
          !retried &&
          !answered &&
          !settled &&
          current.reusedSocket &&
          (error.code === "ECONNRESET" || error.code === "EPIPE")
        ) {
          send(true);
          return;
        }
        finish({ status: null, body: null, error: describeError(error) });
      });
      current.on("response", (response) => {
        answered = true;
        const status = response.statusCode ?? null;
        const retryAfter = status === 429 || status === 503 ? response.headers["retry-after"] : undefined;
        const kept: Buffer[] = [];
        let keptBytes = 0;
        let readBytes = 0;
        let cut = false;
        const text = (incomplete = false) => {
          // NUL characters cannot be stored in a PostgreSQL text column.
          const body = Buffer.concat(kept).toString("utf8").replaceAll("\u0000", "\uFFFD");
          return readBytes > keptBytes || cut || incomplete ? `${body}…[truncated]` : body;
        };
        // The receiver answered: a deadline passing while its body is read keeps the status.
        answeredSoFar = (error) => ({
          status,
          body: text(true),
          error,
          ...(retryAfter ? { retryAfter } : {}),
        });
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
            current.destroy();
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
      current.end(options.body);
    };
    send(false);
  });
}

function describeError(error: NodeJS.ErrnoException): string {
  const message = error.message || String(error);
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
