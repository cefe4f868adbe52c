/**
 * The same-work floors of the connect API benchmark, in their own process: a bare Hono app on the
 * same adapter as relink (`@hono/node-server`), with no middleware, that does the essential work
 * of each measured route and nothing else, on the same SQLite file relink serves (opened with
 * better-sqlite3, statements prepared once, wide rows built from raw arrays as relink's data layer
 * builds them: `builtRows` in `same-work-steps.ts`):
 *
 * - `GET /flow`, the work of `GET /connect/v1/flow`: verify the same flow token with the same JWT
 *   library (fast-jwt, HS256, the key read by the token's `kid`), read the same rows by primary
 *   key, answer the same JSON document;
 * - `GET /integration/:id`, the work of `GET /v1/integrations/:id`: look the API key up by its
 *   SHA-256 hash, check its scopes, read the integration by primary key, answer the same JSON
 *   document.
 *
 * What relink computes from its connector definitions in memory (the tool, which permissions a
 * scope's models need) is taken from the document relink answered; every value the answer depends
 * on is read from the database and placed in the answer per request (the end user, the remote
 * account, the scope configs, which permissions are newly required by what was granted).
 *
 *   same-work-floor-process.ts <db file> <floor.json> [added µs]
 *   floor.json: { flow: <relink's document>, integration: <relink's document>, workspaceId,
 *                 secrets: { <kid>: <HS256 secret> } }
 *   added µs: busy work added to each `GET /flow` (default none): `bench/probe-flow.ts` measures
 *   what work added to the floor costs it under the benchmark's load
 *   reports `{ url }` over IPC
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";
import type { RequiredPermission } from "../../packages/sdk/src/contract/index.ts";
import { sameWorkStatements, sameWorkVerifier, verifyAndReadFlow } from "./same-work-steps.ts";

const [file, floorFile, added = "0"] = process.argv.slice(2);
if (!file || !floorFile)
  throw new Error("usage: same-work-floor-process.ts <db file> <floor.json> [added µs]");
const addedMs = Number(added) / 1000;
if (!(addedMs >= 0)) throw new Error(`added µs: a number of microseconds, not ${added}`);
const floor = JSON.parse(readFileSync(floorFile, "utf8")) as {
  flow: Record<string, unknown>;
  integration: Record<string, unknown>;
  /** The workspace of the flow (its target scope config is read at start). */
  workspaceId: string;
  /** The opened HMAC secrets by key id (relink keeps the opened key in memory the same way). */
  secrets: Record<string, string>;
};

const statements = sameWorkStatements(new Database(file, { readonly: true, fileMustExist: true }));
const { apiKeyByHash, integrationById, syncRunById } = statements;
const unauthorized = { error: { code: "UNAUTHORIZED", message: "refused" } };
const bearer = (header: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
const json = (value: unknown) => (typeof value === "string" ? (JSON.parse(value) as unknown) : value);

const verify = sameWorkVerifier(statements, floor.secrets);

/** The permissions relink derived from the target scope's models (its connector's knowledge)… */
const permissions = floor.flow.required_permissions as RequiredPermission[];
/** …and those models, as stored: the derivation holds while the target scope has them. */
const targetModels = statements.scopeConfigById.get(
  (floor.flow.target_scope_config as { id: string }).id,
  floor.workspaceId,
)?.models;
if (targetModels === undefined) throw new Error("the flow's target scope config is not in the database");

const app = new Hono();

app.get("/flow", async (c) => {
  if (addedMs > 0) {
    // Not the floor's work: the probe's added work (see the header).
    const until = performance.now() + addedMs;
    while (performance.now() < until);
  }
  // Step 1: the bearer token.
  const token = bearer(c.req.header("authorization"));
  if (!token) return c.json(unauthorized, 401);
  // Steps 2–4: its size, signature and header (fast-jwt), claims, and the rows it names (see
  // same-work-steps.ts).
  const read = await verifyAndReadFlow(statements, verify, token, Math.floor(Date.now() / 1000));
  if ("refused" in read) return c.json(unauthorized, read.refused);
  const { payload, integration, current, target, brand } = read;
  // Step 5: what the answer derives from them: the permissions relink derived for the target's
  // models, each newly required unless the integration was granted it.
  if (target.models !== targetModels) return c.json({ error: "the target scope's models changed" }, 500);
  const granted = new Set(JSON.parse(integration.granted_permissions as string) as string[]);
  const required: RequiredPermission[] = [];
  const newlyRequired: string[] = [];
  for (const p of permissions) {
    const newly = !granted.has(p.id);
    required.push({
      id: p.id,
      label: p.label,
      description: p.description,
      where_to_grant: p.where_to_grant,
      newly_required: newly,
      optional: p.optional,
    });
    if (newly) newlyRequired.push(p.id);
  }
  // Step 6: the same JSON document, with what was read.
  return c.json(
    {
      ...floor.flow,
      integration_id: integration.id,
      end_user: {
        origin_id: integration.end_user_origin_id,
        organization_name: integration.end_user_organization_name,
        email: integration.end_user_email,
      },
      remote_account:
        integration.account_id === null
          ? null
          : { id: integration.account_id, name: integration.account_name },
      current_scope_config: current ? { id: current.id, name: current.name } : null,
      target_scope_config: { id: target.id, name: target.name },
      required_permissions: required,
      newly_required_permissions: newlyRequired,
      locale: payload.locale ?? null,
      expires_at: new Date((payload.exp as number) * 1000).toISOString(),
      branding: {
        product_name: brand?.brand_product_name ?? null,
        logo_url: brand?.brand_logo_url ?? null,
        accent_color: brand?.brand_accent_color ?? null,
      },
    },
    200,
  );
});

app.get("/integration/:id", (c) => {
  // Step 1: the API key, looked up by its SHA-256 hash.
  const presented = bearer(c.req.header("authorization"));
  if (!presented) return c.json(unauthorized, 401);
  const key = apiKeyByHash.get(createHash("sha256").update(presented).digest("hex"));
  if (!key) return c.json(unauthorized, 401);
  // Step 1b: the key's scopes (JSON text) name the one this route needs.
  if (!(JSON.parse(key.scopes) as string[]).includes("management")) {
    return c.json({ error: { code: "INSUFFICIENT_SCOPE", message: "management" } }, 403);
  }
  // Step 2: the integration by primary key, in the key's workspace (and its last sync, if any).
  const row = integrationById.get(c.req.param("id"), key.workspace_id);
  if (!row) return c.json({ error: { code: "NOT_FOUND", message: "Integration not found" } }, 404);
  const lastSync = row.last_sync_id ? syncRunById.get(row.last_sync_id as string) : undefined;
  // Step 3: the same JSON document, with what was read.
  return c.json(
    {
      ...floor.integration,
      id: row.id,
      tool: row.tool,
      category: row.category,
      state: row.state,
      end_user: {
        origin_id: row.end_user_origin_id,
        organization_name: row.end_user_organization_name,
        email: row.end_user_email,
      },
      scope_config_id: row.scope_config_id,
      auth: {
        ...(floor.integration.auth as object),
        failing_since: row.failing_since,
        last_checked_at: row.last_checked_at,
        last_succeeded_at: row.last_succeeded_at,
        failed_checks: row.failed_checks,
      },
      missing_permissions: json(row.missing_permissions),
      next_sync_at: row.next_sync_at,
      sync_interval_ms: row.sync_interval_ms,
      last_sync: lastSync ?? null,
      created_at: row.created_at,
      updated_at: row.updated_at,
    },
    200,
  );
});

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
  process.send?.({ url: `http://127.0.0.1:${info.port}` }),
);
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("disconnect", stop);
