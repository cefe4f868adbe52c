import type { Integration } from "@relink/sdk/contract";
import { expect } from "vitest";
import type { TestRelink } from "../src/testing/index.ts";

/** Black-box helpers of the issue-20 tests: everything through the HTTP API. */

export async function okJson<T>(response: Promise<Response> | Response, status = 200): Promise<T> {
  const r = await response;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export async function importIntegration(
  t: TestRelink,
  apiKey: string,
  origin: string,
  scopeConfigId?: string,
): Promise<Integration> {
  return okJson<Integration>(
    t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: origin, organization_name: `${origin} Inc` },
        credentials: { api_key: apiKey },
        ...(scopeConfigId ? { scope_config_id: scopeConfigId } : {}),
      },
    }),
    201,
  );
}

export interface ApiEvent {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

/** The events of an integration (or of a type), oldest first, through `GET /v1/events`. */
export async function apiEvents(
  t: TestRelink,
  query: { integration_id?: string; type?: string },
): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ limit: "200", ...query, ...(cursor ? { cursor } : {}) });
    const page: { data: ApiEvent[]; next_cursor: string | null } = await okJson(
      t.request("GET", `/v1/events?${params}`),
    );
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export const integration = (t: TestRelink, id: string) =>
  okJson<Integration>(t.request("GET", `/v1/integrations/${id}`));
