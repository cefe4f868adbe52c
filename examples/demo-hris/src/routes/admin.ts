import type { Context } from "hono";
import { Hono } from "hono";
import { issueApiKey, maskKey, revokeApiKey } from "../api-keys.ts";
import type { DemoHrisEnv } from "../env.ts";
import { DemoHrisError, invalidRequest } from "../errors.ts";
import { registerClient, revokeCompanyGrants } from "../oauth-server.ts";
import type { OutageControl } from "../outage.ts";
import {
  type DemoHrisState,
  findCompany,
  OUTAGE_STATUSES,
  type Outage,
  type OutageStatus,
  resetState,
} from "../state.ts";

/** The longest outage one can ask for: a forgotten one should not outlive a demo session. */
const MAX_OUTAGE_MS = 3_600_000;

async function readJsonObject(c: Context<DemoHrisEnv>): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw invalidRequest("The body must be a JSON object (Content-Type: application/json)");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidRequest("The body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function isOutageStatus(value: unknown): value is OutageStatus {
  return (OUTAGE_STATUSES as readonly unknown[]).includes(value);
}

function isRedirectUri(value: unknown): value is string {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hash === "";
}

function presentOutage(outage: Outage, now: number) {
  return {
    status: outage.status,
    duration_ms: outage.duration_ms,
    started_at: new Date(outage.started_at).toISOString(),
    ends_at: new Date(outage.ends_at).toISOString(),
    remaining_ms: Math.max(0, outage.ends_at - now),
  };
}

/** `/admin/*`: the demo operator's controls. No authentication: this is a local development tool. */
export function adminRoutes(state: DemoHrisState, outage: OutageControl, now: () => number) {
  const requireCompany = (companyId: unknown) => {
    const company = typeof companyId === "string" ? findCompany(state, companyId) : undefined;
    if (!company) {
      const known = state.companies.map((c) => c.id).join(", ");
      throw invalidRequest(`Unknown company_id ${JSON.stringify(companyId)}; known companies: ${known}`);
    }
    return company;
  };

  return new Hono<DemoHrisEnv>()
    .get("/companies", (c) =>
      c.json({
        data: state.companies.map(({ id, name }) => ({
          id,
          name,
          employee_count: state.employees.filter((employee) => employee.company_id === id).length,
        })),
      }),
    )
    .post("/api-keys", async (c) => {
      const body = await readJsonObject(c);
      const apiKey = issueApiKey(state, body, now());
      return c.json(apiKey, 201);
    })
    .get("/api-keys", (c) =>
      c.json({
        data: [...state.apiKeys.values()].map((apiKey) => ({ ...apiKey, key: maskKey(apiKey.key) })),
      }),
    )
    .delete("/api-keys/:key", (c) => {
      if (!revokeApiKey(state, c.req.param("key"))) {
        throw new DemoHrisError(404, "NOT_FOUND", "No such API key");
      }
      return c.body(null, 204);
    })
    .post("/oauth-clients", async (c) => {
      const { name, redirect_uris } = await readJsonObject(c);
      if (typeof name !== "string" || name.trim() === "")
        throw invalidRequest("name must be a non-empty string");
      if (
        !Array.isArray(redirect_uris) ||
        redirect_uris.length === 0 ||
        !redirect_uris.every(isRedirectUri)
      ) {
        throw invalidRequest(
          "redirect_uris must be a non-empty array of absolute http(s) URLs without a fragment",
        );
      }
      const client = registerClient(state, { name, redirect_uris }, now());
      return c.json(
        {
          client_id: client.client_id,
          client_secret: client.client_secret,
          name: client.name,
          redirect_uris: client.redirect_uris,
        },
        201,
      );
    })
    .post("/oauth-grants/revoke", async (c) => {
      const { company_id } = await readJsonObject(c);
      const company = requireCompany(company_id);
      return c.json({ company_id: company.id, ...revokeCompanyGrants(state, company.id) });
    })
    .get("/outage", (c) => {
      const current = outage.current();
      return c.json({ outage: current ? presentOutage(current, now()) : null });
    })
    .post("/outage", async (c) => {
      const { status, duration_ms } = await readJsonObject(c);
      if (!isOutageStatus(status)) {
        throw invalidRequest(
          `status must be one of ${OUTAGE_STATUSES.map((s) => JSON.stringify(s)).join(", ")}`,
        );
      }
      if (
        typeof duration_ms !== "number" ||
        !Number.isFinite(duration_ms) ||
        duration_ms <= 0 ||
        duration_ms > MAX_OUTAGE_MS
      ) {
        throw invalidRequest(`duration_ms must be a number of milliseconds from 1 to ${MAX_OUTAGE_MS}`);
      }
      return c.json({ outage: presentOutage(outage.start(status, duration_ms), now()) });
    })
    .delete("/outage", (c) => {
      outage.end();
      return c.body(null, 204);
    })
    .post("/reset", (c) => {
      outage.end();
      resetState(state);
      return c.body(null, 204);
    });
}
