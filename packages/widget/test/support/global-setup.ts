import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { serve } from "@hono/node-server";
import { startDemoHris } from "@relink/demo-hris";
import { demoHrisConnectors } from "@relink/demo-hris/connectors";
import type { Tool } from "@relink/sdk/contract";
import { createWorkspace, defineConfig, startServer } from "@relink/server";
import { freePort } from "@relink/server/testing";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { SignJWT } from "jose";
import type { TestProject } from "vitest/node";
import { createFakeConnectApi } from "./fake-connect-api.ts";
import { SCOPES, type Scenario, type ScenarioAnswer, type ScopeName } from "./scopes.ts";

/**
 * Node side of the widget tests: the demo HR system, a relink server (SQLite in memory) with a
 * workspace, scope configs and a signing key, and a control server the browser tests call to
 * mint flow tokens and drive the demo HR system. The widget talks to the real connect API when
 * the server has it, else to a contract-faithful fake (`RELINK_WIDGET_BACKEND=fake|real` forces).
 */
export default async function setup(project: TestProject) {
  const hris = await startDemoHris({ port: 0 });
  // The OAuth redirect URI is built from the public URL, so the port must be known up front.
  const port = await freePort();
  const relink = await startServer({
    extraConnectors: demoHrisConnectors(hris.url),
    config: defineConfig({
      port,
      publicUrl: `http://127.0.0.1:${port}`,
      databaseUrl: "sqlite::memory:",
      encryptionKey: randomBytes(32).toString("base64"),
      runWorkers: false,
      logLevel: "silent",
    }),
  });
  const { workspaceId, apiKey } = await createWorkspace(relink.relink.ctx, "Widget tests");
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(relink.url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey.key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };

  const scopeIds = {} as Record<ScopeName, string>;
  for (const [name, body] of Object.entries(SCOPES)) {
    scopeIds[name as ScopeName] = (await api<{ id: string }>("POST", "/v1/scope-configs", body)).id;
  }
  const signingKey = await api<{ id: string; secret: string }>("POST", "/v1/signing-keys", {
    algorithm: "HS256",
  });
  const catalog = (await api<{ data: Tool[] }>("GET", "/v1/tools")).data;

  const hrisKey = async (company: string, permissions: string[]) => {
    const response = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: company, permissions }),
    });
    if (!response.ok) throw new Error(`demo HR: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { key: string }).key;
  };
  const companyName = (company = "acme") => (company === "globex" ? "Globex Inc" : "Acme Corp");

  // The fake connect API, on its own port.
  let fakeUrl = "";
  const fake = createFakeConnectApi({ catalog, hrisUrl: hris.url, selfUrl: () => fakeUrl });
  const fakeServer = await listen(fake.app.fetch);
  fakeUrl = fakeServer.url;

  const forced = process.env.RELINK_WIDGET_BACKEND;
  const realReady =
    forced === "real" ||
    (forced !== "fake" &&
      (existsSync("/tmp/relink-connect-api-ready") ||
        (await fetch(`${relink.url}/connect/v1/flow`)).status !== 404));
  const backend = realReady ? "real" : "fake";

  const requirements = (scope: ScopeName, toolId = "demo-hris") => {
    const tool = catalog.find((t) => t.id === toolId) ?? catalog[0]!;
    const required = new Set<string>();
    const optional = new Set<string>();
    const models = SCOPES[scope].models as Record<
      string,
      { setting: string; fields?: Record<string, string> }
    >;
    for (const model of tool.models) {
      const setting = models[model.id]?.setting ?? "DISABLED";
      if (setting === "DISABLED") continue;
      const permissions = new Set([model.permission]);
      for (const field of model.fields) {
        if ((models[model.id]?.fields?.[field.id] ?? setting) !== "DISABLED")
          permissions.add(field.permission);
      }
      for (const p of permissions) (setting === "OPTIONAL" ? optional : required).add(p);
    }
    for (const p of required) optional.delete(p);
    return { required: [...required, ...optional], optional: [...optional] };
  };

  const scenario = async (s: Scenario): Promise<ScenarioAnswer> => {
    const scope = s.scope ?? "basic";
    const organization = companyName(s.company);
    let integrationId: string | null = null;
    if (s.flow === "relink" && backend === "real") {
      const key = await hrisKey(s.company ?? "acme", s.current ?? ["employees:read", "teams:read"]);
      integrationId = (
        await api<{ id: string }>("POST", "/v1/integrations", {
          tool: s.tool ?? "demo-hris",
          end_user: { origin_id: `org-${randomBytes(4).toString("hex")}`, organization_name: organization },
          credentials: { api_key: key },
          scope_config_id: scopeIds.basic,
        })
      ).id;
    } else if (s.flow === "relink") {
      integrationId = `int_${randomBytes(8).toString("hex")}`;
    }
    if (backend === "fake") {
      const token = fake.add({
        scenario: s,
        integrationId,
        scopeConfigId: scopeIds[scope],
        organization,
        ...requirements(scope, s.flow === "relink" ? (s.tool ?? "demo-hris") : (s.tool ?? "demo-hris")),
      });
      return {
        token,
        integration_id: integrationId,
        scope_config_id: scopeIds[scope],
        organization_name: organization,
      };
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = s.expired ? now - 7200 : now;
    const claims: Record<string, unknown> = {
      flow: s.flow,
      scope_config_id: scopeIds[scope],
      ...(s.locale ? { locale: s.locale } : {}),
      ...(s.flow === "relink"
        ? { sub: integrationId }
        : {
            ...(s.tool ? { tool: s.tool } : {}),
            end_user: { origin_id: `org-${randomBytes(4).toString("hex")}`, organization_name: organization },
          }),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: signingKey.id, typ: "relink-flow+jwt" })
      .setIssuer(workspaceId)
      .setAudience("relink")
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .setJti(randomBytes(18).toString("base64url"))
      .sign(new TextEncoder().encode(signingKey.secret));
    return {
      token,
      integration_id: integrationId,
      scope_config_id: scopeIds[scope],
      organization_name: organization,
    };
  };

  const control = new Hono();
  control.use("*", cors({ origin: (origin) => origin }));
  control.post("/allow-origin", async (c) => {
    const { origin } = await c.req.json<{ origin: string }>();
    const current = await api<{ allowed_origins: string[] }>("GET", "/v1/settings/allowed-origins");
    const allowed_origins = [...new Set([...current.allowed_origins, origin])];
    return c.json(await api("PUT", "/v1/settings/allowed-origins", { allowed_origins }));
  });
  control.post("/scenario", async (c) => c.json(await scenario(await c.req.json<Scenario>())));
  control.post("/hris/key", async (c) => {
    const { company, permissions } = await c.req.json<{ company: string; permissions: string[] }>();
    return c.json({ key: await hrisKey(company, permissions) });
  });
  control.post("/hris/outage", async (c) => {
    await fetch(`${hris.url}/admin/outage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await c.req.json()),
    });
    return c.body(null, 204);
  });
  control.delete("/hris/outage", async (c) => {
    await fetch(`${hris.url}/admin/outage`, { method: "DELETE" });
    return c.body(null, 204);
  });
  control.get("/integrations/:id", async (c) =>
    c.json(await api("GET", `/v1/integrations/${c.req.param("id")}`)),
  );
  control.onError((error, c) => c.json({ error: String(error) }, 500));
  const controlServer = await listen(control.fetch);

  project.provide("widget", {
    server: backend === "real" ? relink.url : fakeUrl,
    control: controlServer.url,
    backend,
  });
  if (backend === "fake") {
    console.warn(
      "\n⚠ widget tests run against the FAKE connect API: RELINK_WIDGET_BACKEND=fake, or the server has no /connect/v1\n",
    );
  }

  return async () => {
    await controlServer.close();
    await fakeServer.close();
    await relink.close();
    await hris.close();
  };
}

async function listen(fetch: (request: Request) => Response | Promise<Response>) {
  return new Promise<{ url: string; close(): Promise<void> }>((resolve, reject) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      }),
    );
    server.once("error", reject);
  });
}
