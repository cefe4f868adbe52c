import type { ConnectFlow, ConnectTool } from "@relink/sdk/contract";
import { vi } from "vitest";

/**
 * An in-page stand-in for the connect API at `https://relink.test`, for the states a real server
 * cannot be made to answer on demand (hostile tool text, rate limits, multi-field tools, OAuth
 * messages). Requests to other origins pass through to the network.
 */
export const STUB_SERVER = "https://relink.test";

export interface StubCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

type Answer = { status?: number; body?: unknown };
export type StubRoutes = Record<string, (call: StubCall) => Answer | Promise<Answer>>;

export function stubServer(routes: StubRoutes) {
  const calls: StubCall[] = [];
  const realFetch = globalThis.fetch.bind(globalThis);
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    if (url.origin !== STUB_SERVER) return realFetch(input, init);
    const call: StubCall = {
      method: init?.method ?? "GET",
      url: url.href,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === "string" ? init.body : null,
    };
    calls.push(call);
    const route = routes[`${call.method} ${url.pathname}`];
    const answer = route ? await route(call) : { status: 404, body: { error: { code: "NOT_FOUND" } } };
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  });
  return { calls, restore: () => spy.mockRestore() };
}

export const apiKeyTool: ConnectTool = {
  id: "acme-hr",
  name: "Acme HR",
  category: "HRIS",
  logo_url: null,
  auth: {
    method: "API_KEY",
    fields: [
      {
        id: "subdomain",
        label: "Subdomain",
        type: "text",
        required: true,
        help: "The first part of your Acme HR address.",
        placeholder: "yourcompany",
      },
      { id: "api_key", label: "API key", type: "secret", required: true, help: null, placeholder: null },
      {
        id: "base_url",
        label: "Server URL",
        type: "url",
        required: false,
        help: null,
        placeholder: "https://",
      },
    ],
  },
};

export const oauthTool: ConnectTool = {
  id: "acme-oauth",
  name: "Acme Cloud",
  category: "HRIS",
  logo_url: null,
  auth: { method: "OAUTH2", fields: [] },
};

export function stubFlow(overrides: Partial<ConnectFlow> = {}): ConnectFlow {
  return {
    flow: "relink",
    integration_id: "int_stub",
    tool: apiKeyTool,
    end_user: { origin_id: "org-1", organization_name: "Initech", email: null },
    remote_account: { id: "initech", name: "Initech" },
    current_scope_config: { id: "sc_old", name: "Basic" },
    target_scope_config: { id: "sc_new", name: "Extended" },
    required_permissions: [
      {
        id: "employees:read",
        label: "Employees (read)",
        description: "Names and work emails",
        where_to_grant: "Settings → API → Employees",
        newly_required: false,
        optional: false,
      },
    ],
    newly_required_permissions: [],
    optional_parts: [],
    locale: null,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    ...overrides,
  };
}

export const completed = {
  status: "COMPLETED",
  flow: "relink",
  integration_id: "int_stub",
  scope_config_id: "sc_new",
};

export const errorBody = (code: string, message = code, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }), request_id: "req_stub" },
});
