import type { ToolResponse } from "../http.ts";
import type { AnswerMatch } from "./schema.ts";

/** A value in a JSON answer at a dotted path (`data.0.id`); undefined when absent. */
export function valueAt(body: unknown, path: string): unknown {
  if (path === "") return body;
  // A key with dots in it (`@odata.nextLink`) is looked up whole first.
  if (body !== null && typeof body === "object" && path in body)
    return (body as Record<string, unknown>)[path];
  let current: unknown = body;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Whether a tool's answer is the one a declared rule describes (status, and a value in its body). */
export function matches(rule: AnswerMatch, response: ToolResponse<unknown>): boolean {
  if (rule.status !== response.status) return false;
  if (rule.body_path === undefined || rule.body_values === undefined) return true;
  const value = valueAt(response.body, rule.body_path);
  return rule.body_values.some((v) => v === value);
}

export const ok = (status: number) => status >= 200 && status < 300;

/** An HTTP Basic `authorization` header value. */
export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
