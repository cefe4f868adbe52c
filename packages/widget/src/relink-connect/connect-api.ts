import type { ConnectTool, FlowStep, RelinkErrorCode, WidgetFlow } from "./types.ts";

/** A refused or failed request to the connect API, with the server's error code. */
export class ConnectApiError extends Error {
  override name = "ConnectApiError";
  constructor(
    readonly status: number,
    readonly code: RelinkErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * The client of `/connect/v1/*`. The flow token travels in the Authorization header only; the
 * credential values are sent to `${server}/connect/v1/credentials` and nowhere else.
 */
export function connectApi(server: string, token: string) {
  // `server` comes without a trailing slash (`FlowController.sync`).
  const base = `${server}/connect/v1`;
  const call = async <T>(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        // No `cache: "no-store"` here: Chromium then skips its CORS preflight cache and sends a
        // preflight before every call. The server marks every answer `Cache-Control: no-store`.
        referrerPolicy: "no-referrer",
        keepalive: path === "/exit",
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ConnectApiError(0, "NETWORK_ERROR", "The relink server could not be reached.");
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = data?.error;
      throw new ConnectApiError(
        response.status,
        error?.code ?? (response.status === 429 ? "RATE_LIMITED" : "INTERNAL_ERROR"),
        error?.message ?? `HTTP ${response.status}`,
        error?.details,
      );
    }
    return data as T;
  };
  return {
    /** Any call; the later views' chunk makes its own (credentials, OAuth, hand-off). */
    call,
    /** `locale`: the language of the tool's labels (default: the token's, then the browser's). */
    flow: (signal: AbortSignal, tool?: string, locale?: string) => {
      const query = `${new URLSearchParams({ ...(tool && { tool }), ...(locale && { locale }) })}`;
      return call<WidgetFlow>("GET", `/flow${query && `?${query}`}`, signal);
    },
    tools: (signal: AbortSignal) => call<{ data: ConnectTool[] }>("GET", "/tools", signal),
    exit: (body: { step: FlowStep; reason: string }) =>
      call("POST", "/exit", undefined, body).catch(() => {}),
  };
}

export type ConnectApi = ReturnType<typeof connectApi>;
