import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createDemoHris, DEMO_OAUTH_CLIENT } from "@relink/demo-hris";

/**
 * The tool of replicas.test.ts, in its own process (`node --import tsx replicas-tool.ts`): the real
 * demo HR system, with a per-credential behaviour in front of it so that, among thousands of
 * integrations, some fail authentication and some get no conclusive answer, each in its own way:
 *
 * - `ok`: passed through;
 * - `reject`: every request answered 401 (until healed through `/__test/heal`);
 * - `reject-once`: the first `/api/me` answered 401, then passed through (FAILING, then OK);
 * - `flap`: one `/api/me` in three answered 401 (a failing check, then a passing check and its
 *   permission read, again and again);
 * - `unavailable`: every request answered 503 (INCONCLUSIVE forever: must never pause).
 *
 * Prints one JSON line `{"url": …}` once listening. `POST /__test/credentials {"items":[{kind,mode}]}`
 * makes API keys (`kind: "api_key"`) and OAuth grants (`kind: "oauth"`, tokens valid for a day,
 * so that no refresh happens), `POST /__test/heal {"tokens":[…]}` passes those through from now on,
 * `GET /__test/stats` counts the answers by mode.
 */

type Mode = "ok" | "reject" | "reject-once" | "flap" | "unavailable";
const PERMISSIONS = ["employees:read", "teams:read"] as const;
const DAY = 24 * 3_600_000;

const { app, state } = createDemoHris();
const modes = new Map<string, Mode>();
const meCalls = new Map<string, number>();
const answered: Record<string, number> = {};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const refuse = (status: number) =>
  json({ error: { code: status === 401 ? "UNAUTHORIZED" : "UNAVAILABLE", message: "simulated" } }, status);

async function control(request: Request, path: string): Promise<Response> {
  if (path === "/__test/stats") return json({ answered, credentials: modes.size });
  const body = (await request.json()) as Record<string, unknown>;
  if (path === "/__test/heal") {
    for (const token of body.tokens as string[]) modes.set(token, "ok");
    return json({ healed: (body.tokens as string[]).length });
  }
  if (path === "/__test/credentials") {
    const items = body.items as Array<{ kind: "api_key" | "oauth"; mode: Mode }>;
    const out: Array<Record<string, string>> = [];
    for (const { kind, mode } of items) {
      if (kind === "api_key") {
        const created = await app.request("/admin/api-keys", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ company_id: "acme", permissions: PERMISSIONS }),
        });
        const { key } = (await created.json()) as { key: string };
        modes.set(key, mode);
        out.push({ api_key: key });
      } else {
        // What a completed authorization-code grant leaves in the tool (see oauth-server.ts).
        const grant = {
          client_id: DEMO_OAUTH_CLIENT.client_id,
          company_id: "acme",
          scopes: [...PERMISSIONS],
          grant_id: `grant_${randomBytes(12).toString("hex")}`,
        };
        const accessToken = `dhat_${randomBytes(24).toString("base64url")}`;
        const refreshToken = `dhrt_${randomBytes(24).toString("base64url")}`;
        const expiresAt = Date.now() + DAY;
        state.accessTokens.set(accessToken, { ...grant, token: accessToken, expires_at: expiresAt });
        state.refreshTokens.set(refreshToken, { ...grant, token: refreshToken });
        modes.set(accessToken, mode);
        out.push({
          access_token: accessToken,
          refresh_token: refreshToken,
          expires_at: String(expiresAt),
          scope: PERMISSIONS.join(" "),
        });
      }
    }
    return json({ items: out });
  }
  return json({ error: "unknown control path" }, 404);
}

function behaviour(token: string | undefined, path: string): "pass" | 401 | 503 {
  const mode = token ? modes.get(token) : undefined;
  if (!token || !mode || mode === "ok") return "pass";
  if (mode === "reject") return 401;
  if (mode === "unavailable") return 503;
  if (path !== "/api/me") return "pass";
  const n = (meCalls.get(token) ?? 0) + 1;
  meCalls.set(token, n);
  if (mode === "reject-once") return n === 1 ? 401 : "pass";
  return n % 3 === 1 ? 401 : "pass"; // flap
}

const server = serve(
  {
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request, env) => {
      const path = new URL(request.url).pathname;
      if (path.startsWith("/__test/")) return control(request, path);
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      const decision = behaviour(token, path);
      const key = `${modes.get(token ?? "") ?? "none"} ${decision}`;
      answered[key] = (answered[key] ?? 0) + 1;
      if (decision !== "pass") return refuse(decision);
      return app.fetch(request, env);
    },
  },
  (info: AddressInfo) => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
  },
);

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
