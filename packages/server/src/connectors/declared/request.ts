import { callTool, type ToolResponse } from "../http.ts";
import { ConnectorError, type Credentials } from "../types.ts";
import { authenticate } from "./auth.ts";
import { type DeclaredRuntime, fill, url } from "./runtime.ts";
import type { DeclaredRequest } from "./schema.ts";

/** A declared request, or a next page the tool gave by URL. */
export type ToolRequest = DeclaredRequest | { method: "GET"; url: string };

/** Sends a request to the tool with the credentials placed as the document says; any answer is returned. */
export const send = async (
  rt: DeclaredRuntime,
  request: ToolRequest,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<ToolResponse<unknown>> => {
  const { headers, query } = await authenticate(rt, credentials, signal);
  let target: string;
  if ("url" in request) {
    // A next-page URL given by the tool: followed only on the tool's own origin.
    const base = new URL(url(rt, "", credentials));
    const next = new URL(request.url, base);
    if (next.origin !== base.origin)
      throw new ConnectorError("INCONCLUSIVE", "the tool's next page is on another origin");
    target = next.toString();
  } else {
    target = url(rt, request.path, credentials, { ...request.query });
  }
  const withQuery = new URL(target);
  for (const [k, v] of Object.entries(query)) withQuery.searchParams.set(k, v);
  const fill2 = (h: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, fill(rt, v, credentials)]));
  const body = "body" in request && request.body !== undefined ? JSON.stringify(request.body) : undefined;
  return callTool<unknown>({
    url: withQuery.toString(),
    method: request.method,
    headers: {
      ...fill2(rt.doc.headers),
      ...("headers" in request ? fill2(request.headers) : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body,
    signal,
    timeoutMs: rt.timeoutMs,
    fetch: rt.options.fetch,
    notJson: "null",
  });
};
