import type { ErrorEnvelope } from "@relink/sdk/contract";

/** A refused or failed API call, carrying the server's error envelope. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }

  /** The server has no such route: a part of relink this server does not have (yet). */
  get routeMissing(): boolean {
    return (
      (this.status === 404 && this.message.startsWith("No route for")) ||
      (this.status === 405 && this.code === "METHOD_NOT_ALLOWED")
    );
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * The management API, called with the API key in the `Authorization` header. The key lives only in
 * this object's memory: no cookie, no storage, so no request can carry it without this code (CSRF-safe),
 * and reloading the page signs out.
 */
export class Api {
  readonly #key: string;
  readonly #base: string;
  /** Called when the server says the key is no longer valid. */
  onUnauthorized: (() => void) | null = null;

  constructor(key: string, base = "") {
    this.#key = key;
    this.#base = base;
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", withQuery(path, query), undefined, signal);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body ?? {});
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }
  delete(path: string): Promise<void> {
    return this.request<void>("DELETE", path);
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#key}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.#base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(
        0,
        "NETWORK_ERROR",
        "The relink server could not be reached. Check that it is running.",
      );
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const envelope = parsed as Partial<ErrorEnvelope> | undefined;
      const error = envelope?.error;
      const failure = new ApiError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
        error?.request_id ?? null,
        error?.details,
      );
      if (response.status === 401) this.onUnauthorized?.();
      throw failure;
    }
    return parsed as T;
  }
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(name, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The message to show for a failed call. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.routeMissing) return "Not available on this server yet.";
    return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
