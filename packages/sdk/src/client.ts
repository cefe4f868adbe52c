import { scopeConfigsResource, toolsResource } from "./client/catalog.ts";
import { integrationsResource } from "./client/integrations.ts";
import {
  type Method,
  PageRequest,
  type Query,
  type RequestOptions,
  type Transport,
} from "./client/transport.ts";
import { eventsResource, webhookDeliveriesResource, webhookEndpointsResource } from "./client/webhooks.ts";
import { apiKeysResource, settingsResource, signingKeysResource } from "./client/workspace.ts";
import type { Page } from "./contract/index.ts";
import { backoffDelay, parseRetryAfter, RelinkApiError, RelinkConnectionError } from "./errors.ts";

export { type ListQuery, PageRequest, type RequestOptions } from "./client/transport.ts";
export type { SigningKeyCreatedFor } from "./client/workspace.ts";
export { RelinkApiError, type RelinkApiErrorCode, RelinkConnectionError } from "./errors.ts";

/**
 * Options of `new RelinkClient`.
 *
 * @example
 * ```ts
 * const options: RelinkClientOptions = { baseUrl: "https://relink.example.com", apiKey, timeoutMs: 10_000, maxRetries: 3 };
 * ```
 */
export interface RelinkClientOptions {
  /** Where the relink server answers, e.g. `https://relink.example.com`. */
  baseUrl: string;
  /** A workspace API key (`rlk_…`). Keep it on your backend. */
  apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** How long one attempt may take, in milliseconds; default 30 000. */
  timeoutMs?: number;
  /** How often a request is retried on 429 and 503 (and, for GET, PUT and DELETE, on network errors and timeouts); default 2. */
  maxRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 2;
/** A `Retry-After` longer than this is not waited for: the error goes to the caller. */
const MAX_RETRY_DELAY_MS = 60_000;
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);

/**
 * The typed client of relink's management API (DESIGN section 4): one method per endpoint,
 * grouped by resource. Browser-safe (fetch only) but it carries an API key: use it on your backend.
 * Retries 429 and 503 with backoff, honouring `Retry-After`; times out each attempt.
 *
 * @example
 * ```ts
 * import { RelinkClient, RelinkApiError } from "@relink/sdk";
 *
 * const relink = new RelinkClient({ baseUrl: "https://relink.example.com", apiKey: process.env.RELINK_API_KEY! });
 * const integration = await relink.integrations.get("int_01jd5x3m9k2q8r7t6y5w4v3u2s");
 * if (integration.state === "INVALID") {
 *   const { link } = await relink.integrations.relink(integration.id, { link_type: "MAGIC_LINK" });
 * }
 * ```
 */
export class RelinkClient {
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;

  readonly #transport: Transport = {
    request: (method, path, init) => this.#request(method, path, init),
    list: (path, query, options) => this.#list(path, query, options),
  };

  /** The tool catalog. */
  readonly tools = toolsResource(this.#transport);
  /** Scope configs: which models and fields the product wants. */
  readonly scopeConfigs = scopeConfigsResource(this.#transport);
  /** Integrations: state, auth health, relink links, syncs and auth checks, sync sessions, records. */
  readonly integrations = integrationsResource(this.#transport);
  /** The event log. */
  readonly events = eventsResource(this.#transport);
  /** Webhook endpoints. */
  readonly webhookEndpoints = webhookEndpointsResource(this.#transport);
  /** Webhook deliveries. */
  readonly webhookDeliveries = webhookDeliveriesResource(this.#transport);
  /** Signing keys for relink and connect tokens. */
  readonly signingKeys = signingKeysResource(this.#transport);
  /** Workspace settings. */
  readonly settings = settingsResource(this.#transport);
  /** API keys of the workspace. */
  readonly apiKeys = apiKeysResource(this.#transport);

  constructor(options: RelinkClientOptions) {
    if (options === null || typeof options !== "object")
      throw new TypeError("RelinkClient needs an options object");
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(
        `baseUrl must be an absolute URL such as https://relink.example.com; got ${String(options.baseUrl)}`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError("baseUrl must be http(s)");
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError("apiKey is required: a workspace API key (rlk_…)");
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("no fetch: pass options.fetch");
    this.#baseUrl = url.href.replace(/\/+$/, "");
    this.#apiKey = options.apiKey.trim();
    this.#fetch = fetchImpl;
    this.#timeoutMs = checkedTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs");
    this.#maxRetries = checkedRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
  }

  #list<T>(path: string, query: Query, options: RequestOptions | undefined): PageRequest<T> {
    const { cursor, ...filters } = query;
    return new PageRequest<T>(
      (next) => this.#request<Page<T>>("GET", path, { query: { ...filters, cursor: next }, options }),
      typeof cursor === "string" ? cursor : undefined,
    );
  }

  async #request<T>(
    method: Method,
    path: string,
    { query, body, options = {} }: { query?: Query; body?: unknown; options?: RequestOptions | undefined },
  ): Promise<T> {
    const url = new URL(`${this.#baseUrl}${path}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.#apiKey}`,
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const timeoutMs = checkedTimeout(options.timeoutMs ?? this.#timeoutMs, "timeoutMs");
    const maxRetries = checkedRetries(options.maxRetries ?? this.#maxRetries);
    const { signal } = options;

    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await this.#fetch(url, {
          ...init,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        signal?.throwIfAborted();
        const timedOut = timeout.aborted;
        if (attempt < maxRetries && IDEMPOTENT.has(method)) {
          await sleep(backoff(attempt), signal);
          continue;
        }
        throw new RelinkConnectionError(
          timedOut ? "TIMEOUT" : "NETWORK_ERROR",
          timedOut
            ? `${method} ${path} got no answer within ${timeoutMs} ms`
            : `${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if ((response.status === 429 || response.status === 503) && attempt < maxRetries) {
        const delay = parseRetryAfter(response.headers.get("retry-after")) ?? backoff(attempt);
        if (delay <= MAX_RETRY_DELAY_MS) {
          await response.body?.cancel().catch(() => {});
          await sleep(delay, signal);
          continue;
        }
      }
      return read<T>(response, method, path);
    }
  }
}

async function read<T>(response: Response, method: string, path: string): Promise<T> {
  const requestId = response.headers.get("x-request-id");
  const text = await response.text();
  if (response.ok) {
    if (response.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RelinkApiError(
        response.status,
        "UNEXPECTED_RESPONSE",
        `${method} ${path} answered ${response.status} with a body that is not JSON`,
        text.slice(0, 500),
        requestId,
      );
    }
  }
  let envelope:
    | { error?: { code?: unknown; message?: unknown; details?: unknown; request_id?: unknown } }
    | undefined;
  try {
    envelope = JSON.parse(text);
  } catch {
    envelope = undefined;
  }
  const error = envelope?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return Promise.reject(
      new RelinkApiError(
        response.status,
        error.code as RelinkApiError["code"],
        error.message,
        error.details,
        typeof error.request_id === "string" ? error.request_id : requestId,
      ),
    );
  }
  throw new RelinkApiError(
    response.status,
    "UNEXPECTED_RESPONSE",
    `${method} ${path} answered ${response.status} without relink's error envelope`,
    text.slice(0, 500),
    requestId,
  );
}

/** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s … capped at 8 s. */
const backoff = (attempt: number): number => backoffDelay(attempt, { baseMs: 500, maxMs: 8_000 });

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function checkedTimeout(value: number, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

function checkedRetries(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 10) {
    throw new TypeError("maxRetries must be a whole number from 0 to 10");
  }
  return value;
}
