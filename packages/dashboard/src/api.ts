import { RelinkApiError, RelinkClient, RelinkConnectionError } from "@relink/sdk";

/**
 * The management API: the SDK's `RelinkClient` (its retries, timeouts and `RelinkApiError`), with
 * the API key in the `Authorization` header. The key lives only in this object's memory: no cookie,
 * no storage, so no request can carry it without this code (CSRF-safe), and reloading the page
 * signs out.
 */
export type Api = RelinkClient;

/** What the shell learns from every answer. */
export interface ApiHooks {
  /** Called when the server says the key is no longer valid. */
  onUnauthorized?: (() => void) | undefined;
}

/**
 * The client of this page's own server. Its `fetch` sends no cookie and reads no cache, and tells
 * `hooks` about a 401 (set `onUnauthorized` once the key is accepted).
 */
export function connect(key: string, hooks: ApiHooks = {}, baseUrl = location.origin): Api {
  return new RelinkClient({
    baseUrl,
    apiKey: key,
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, credentials: "omit", cache: "no-store" });
      if (response.status === 401) hooks.onUnauthorized?.();
      return response;
    },
  });
}

/** The server has no such route: a part of relink this server does not have (yet). */
export function routeMissing(error: unknown): boolean {
  return (
    error instanceof RelinkApiError &&
    ((error.status === 404 && error.message.startsWith("No route for")) ||
      (error.status === 405 && error.code === "METHOD_NOT_ALLOWED"))
  );
}

/** The API refused with this HTTP status. */
export const refusedWith = (error: unknown, status: number): error is RelinkApiError =>
  error instanceof RelinkApiError && error.status === status;

/** The message to show for a failed call. */
export function errorText(error: unknown): string {
  if (error instanceof RelinkApiError) {
    if (routeMissing(error)) return "Not available on this server yet.";
    return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  }
  if (error instanceof RelinkConnectionError) {
    return error.code === "TIMEOUT"
      ? "The relink server did not answer in time. Try again."
      : "The relink server could not be reached. Check that it is running.";
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
