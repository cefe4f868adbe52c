import { randomBytes } from "node:crypto";
import type {
  ConnectFlow,
  ConnectTool,
  MissingPermissionDetail,
  RequiredPermission,
  Tool,
} from "@relink/sdk/contract";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { SCOPES, type Scenario } from "./scopes.ts";

/**
 * A contract-faithful stand-in for the server's connect API (DESIGN section 4), used while the
 * real `/connect/v1/*` routes do not exist yet. It checks credentials against the real demo HR
 * system and reads the tool catalog from the real relink server, so only the flow bookkeeping is
 * fake.
 */
export interface FakeFlow {
  scenario: Required<Pick<Scenario, "flow">> & Scenario;
  integrationId: string | null;
  scopeConfigId: string;
  /** Permissions required by the target scope, and those only OPTIONAL parts need. */
  required: string[];
  optional: string[];
  organization: string;
  used: boolean;
  exits: Array<{ step: string; reason: string }>;
}

export interface FakeConnectApiOptions {
  catalog: Tool[];
  hrisUrl: string;
  /** Its own base URL, for the OAuth authorize page. */
  selfUrl: () => string;
}

export function createFakeConnectApi(options: FakeConnectApiOptions) {
  const flows = new Map<string, FakeFlow>();
  const app = new Hono();
  app.use("*", cors({ origin: (origin) => origin, allowHeaders: ["authorization", "content-type"] }));
  const fail = (status: number, code: string, message: string, details?: unknown) =>
    Response.json(
      { error: { code, message, ...(details === undefined ? {} : { details }), request_id: "req_fake" } },
      { status },
    );

  const toolOf = (id: string | null | undefined) => options.catalog.find((t) => t.id === id) ?? null;
  const connectTool = (tool: Tool): ConnectTool => ({
    id: tool.id,
    name: tool.name,
    category: tool.category,
    logo_url: tool.logo_url,
    auth: tool.auth,
  });

  const authenticate = (header: string | undefined) => {
    const token = /^Bearer (\S+)$/.exec(header ?? "")?.[1];
    if (!token) return { error: fail(401, "TOKEN_MISSING", "A flow token is required.") };
    const flow = flows.get(token);
    if (!flow)
      return { error: fail(401, "TOKEN_SIGNATURE_INVALID", "The flow token's signature is invalid.") };
    if (flow.scenario.expired) return { error: fail(401, "TOKEN_EXPIRED", "The flow token has expired.") };
    if (flow.used)
      return { error: fail(409, "TOKEN_ALREADY_USED", "This flow token has already completed a flow.") };
    return { token, flow };
  };

  const describe = (flow: FakeFlow, toolId: string | null): ConnectFlow => {
    const tool = toolOf(toolId);
    const current = flow.scenario.current ?? ["employees:read", "teams:read"];
    const required_permissions: RequiredPermission[] = tool
      ? tool.permissions
          .filter((p) => flow.required.includes(p.id))
          .map((p) => ({
            ...p,
            newly_required: flow.scenario.flow === "relink" && !current.includes(p.id),
            optional: flow.optional.includes(p.id),
          }))
      : [];
    const optional_parts = tool
      ? tool.models
          .filter((m) => flow.optional.includes(m.permission))
          .map((m) => ({ id: m.id, label: m.label, permission: m.permission }))
      : [];
    return {
      flow: flow.scenario.flow,
      integration_id: flow.integrationId as ConnectFlow["integration_id"],
      tool: tool ? connectTool(tool) : null,
      end_user: { origin_id: "org-1", organization_name: flow.organization, email: null },
      remote_account: null,
      current_scope_config:
        flow.scenario.flow === "relink" ? { id: "sc_basic" as `sc_${string}`, name: "Basic" } : null,
      target_scope_config: {
        id: flow.scopeConfigId as `sc_${string}`,
        name: SCOPES[flow.scenario.scope ?? "basic"].name,
      },
      required_permissions,
      newly_required_permissions: required_permissions.filter((p) => p.newly_required).map((p) => p.id),
      optional_parts,
      locale: (flow.scenario.locale ?? null) as ConnectFlow["locale"],
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
    };
  };

  const presetTool = (flow: FakeFlow) =>
    flow.scenario.flow === "relink" ? (flow.scenario.tool ?? "demo-hris") : (flow.scenario.tool ?? null);

  app.get("/connect/v1/flow", (c) => {
    const auth = authenticate(c.req.header("authorization"));
    if (auth.error) return auth.error;
    const preset = presetTool(auth.flow);
    const asked = c.req.query("tool");
    if (asked && !toolOf(asked)) return fail(422, "UNKNOWN_TOOL", `Unknown tool ${asked}.`);
    return c.json(describe(auth.flow, preset ?? asked ?? null));
  });

  app.get("/connect/v1/tools", (c) => {
    const auth = authenticate(c.req.header("authorization"));
    if (auth.error) return auth.error;
    return c.json({ data: options.catalog.map(connectTool) });
  });

  const complete = (token: string, flow: FakeFlow) => {
    flow.used = true;
    flows.set(token, flow);
    return {
      status: "COMPLETED" as const,
      flow: flow.scenario.flow,
      integration_id: flow.integrationId ?? `int_${randomBytes(8).toString("hex")}`,
      scope_config_id: flow.scopeConfigId,
    };
  };

  app.post("/connect/v1/credentials", async (c) => {
    const auth = authenticate(c.req.header("authorization"));
    if (auth.error) return auth.error;
    const body = (await c.req.json().catch(() => null)) as {
      tool?: string;
      values?: Record<string, string>;
      opted_out?: string[];
    } | null;
    if (!body || typeof body.values !== "object") return fail(400, "INVALID_REQUEST", "values is required.");
    const tool = toolOf(presetTool(auth.flow) ?? body.tool);
    if (!tool) return fail(400, "INVALID_REQUEST", "Choose a tool.");
    const apiKey = body.values.api_key;
    if (!apiKey) return fail(422, "CREDENTIALS_INVALID", "The tool rejected the credentials.");
    let me: Response;
    try {
      me = await fetch(`${options.hrisUrl}/api/me`, {
        headers: { authorization: `Bearer ${apiKey}` },
        signal: AbortSignal.timeout(2000),
      });
    } catch {
      return fail(503, "TOOL_UNREACHABLE", `${tool.name} could not be reached.`);
    }
    if (me.status === 401 || me.status === 403) {
      return fail(422, "CREDENTIALS_INVALID", "The tool rejected the credentials.");
    }
    if (!me.ok) return fail(503, "TOOL_UNREACHABLE", `${tool.name} could not be reached.`);
    const answer = (await me.json()) as { company: { id: string }; permissions: string[] };
    const optedOut = new Set(body.opted_out ?? []);
    const needed = auth.flow.required.filter(
      (p) =>
        !auth.flow.optional.includes(p) || tool.models.some((m) => m.permission === p && !optedOut.has(m.id)),
    );
    const missing: MissingPermissionDetail[] = tool.permissions
      .filter((p) => needed.includes(p.id) && !answer.permissions.includes(p.id))
      .map((p) => ({
        permission: p.id,
        label: p.label,
        description: p.description,
        where_to_grant: p.where_to_grant,
        models: tool.models.filter((m) => m.permission === p.id).map((m) => m.id),
        fields: tool.models.flatMap((m) =>
          m.fields
            .filter((f) => f.permission === p.id && m.permission !== p.id)
            .map((f) => `${m.id}.${f.id}`),
        ),
      }));
    if (missing.length) {
      return fail(422, "PERMISSIONS_MISSING", "The credentials lack permissions.", { missing });
    }
    if (
      auth.flow.scenario.flow === "relink" &&
      answer.company.id !== (auth.flow.scenario.company ?? "acme")
    ) {
      return fail(409, "ACCOUNT_MISMATCH", "The credentials belong to another account.");
    }
    return c.json(complete(auth.token, auth.flow));
  });

  app.post("/connect/v1/oauth/start", async (c) => {
    const auth = authenticate(c.req.header("authorization"));
    if (auth.error) return auth.error;
    const body = (await c.req.json().catch(() => null)) as { origin?: string } | null;
    if (!body?.origin) return fail(400, "INVALID_REQUEST", "origin is required.");
    const url = new URL("/__fake/oauth", options.selfUrl());
    url.searchParams.set("token", auth.token);
    url.searchParams.set("origin", body.origin);
    return c.json({ authorize_url: url.href });
  });

  /** Stands in for the tool's consent page and the callback: reports to the opener at once. */
  app.get("/__fake/oauth", (c) => {
    const token = c.req.query("token") ?? "";
    const origin = c.req.query("origin") ?? "";
    const flow = flows.get(token);
    const outcome = (flow?.scenario as { oauth?: string } | undefined)?.oauth ?? "complete";
    const message =
      outcome === "complete" && flow
        ? { type: "relink:oauth", ...complete(token, flow) }
        : { type: "relink:oauth", status: "ERROR", code: "ACCOUNT_MISMATCH", message: "Another account." };
    const script =
      outcome === "close"
        ? "window.close();"
        : `window.opener.postMessage(${JSON.stringify(message)}, ${JSON.stringify(origin)});`;
    return c.html(`<!doctype html><title>Fake OAuth</title><p>Done.</p><script>${script}</script>`);
  });

  app.post("/connect/v1/exit", async (c) => {
    const auth = authenticate(c.req.header("authorization"));
    if (auth.error) return auth.error;
    auth.flow.exits.push((await c.req.json()) as { step: string; reason: string });
    return c.body(null, 204);
  });

  return {
    app,
    /** Registers a flow; its token is opaque (the fake signs nothing). */
    add(flow: Omit<FakeFlow, "used" | "exits">): string {
      const token = `fake.${randomBytes(18).toString("base64url")}`;
      flows.set(token, { ...flow, used: false, exits: [] });
      return token;
    },
    flows,
  };
}
