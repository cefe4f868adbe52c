/** The management API called in process (`app.request`), for the bench's seeding processes. */
export type ManagementCall = <T>(method: string, path: string, body: unknown) => Promise<T>;

/** Calls `app` with `apiKey`, answers the parsed JSON, and throws with the status and body on an error. */
export function managementCall(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  apiKey: string,
): ManagementCall {
  return async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const response = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
}
