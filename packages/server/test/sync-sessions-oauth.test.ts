import { type RunningDemoHris, startDemoHris } from "@relink/demo-hris";
import { demoHrisOAuthConnector } from "@relink/demo-hris/connectors";
import type { SyncSessionOpened } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import { toJson } from "../src/db/schema.ts";
import { openCredentials, sealCredentials } from "../src/domain/integrations.ts";
import { createApiKey, createWorkspace } from "../src/domain/workspaces.ts";
import { newId } from "../src/ids.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";

/**
 * An OAuth integration whose access token has expired is hit by 20 concurrent sync sessions spread
 * over 3 server replicas on one database: the demo HR system rotates refresh tokens, so a second
 * refresh with the same token would be refused (`invalid_grant`) and count as an authentication
 * failure. The token is refreshed exactly once, every session gets the same fresh token, and no
 * check fails. Each replica has its own connector (no shared in-process state), as separate
 * processes would.
 */

const SESSIONS = 20;

describe.each(availableDialects())("OAuth sync sessions on %s", (dialect) => {
  // Replicas share a PostgreSQL database; SQLite is one process (an in-memory test database is one connection).
  const REPLICAS = dialect === "postgres" ? 3 : 1;
  let hris: RunningDemoHris;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: RelinkServer[] = [];
  const clock = new ManualClock(Date.now());
  let refreshes = 0;
  let integrationId = "";
  let sessionKey = "";

  beforeAll(async () => {
    hris = await startDemoHris({ port: 0 });
    database = await createTestDatabase(dialect);
    const counting: typeof fetch = async (input, init) => {
      if (String(input).endsWith("/oauth/token") && String(init?.body).includes("grant_type=refresh_token")) {
        refreshes++;
      }
      return fetch(input, init);
    };
    const config = { encryptionKey: generateEncryptionKey() };
    for (let i = 0; i < REPLICAS; i++) {
      servers.push(
        await createRelinkServer({
          db: database.url,
          clock,
          config,
          connectors: [
            demoHrisOAuthConnector({
              baseUrl: hris.url,
              clientId: "relink-demo",
              clientSecret: "relink-demo-secret",
              now: () => clock.now().getTime(),
              fetch: counting,
            }),
          ],
          logger: createLogger({ level: "silent" }),
        }),
      );
    }
    const ctx = (servers[0] as RelinkServer).ctx;
    const { workspaceId } = await createWorkspace(ctx);
    sessionKey = (await createApiKey(ctx, workspaceId, "sync", ["credentials:read"])).key;

    // A grant the customer gave earlier: its access token has expired, its refresh token is valid.
    const scopes = ["employees:read", "teams:read"] as const;
    hris.state.refreshTokens.set("dhrt_session_test", {
      token: "dhrt_session_test",
      client_id: "relink-demo",
      company_id: "acme",
      scopes: [...scopes],
      grant_id: "grant_session_test",
    });
    integrationId = newId("int");
    const at = clock.now().toISOString();
    await ctx.db
      .insertInto("integrations")
      .values({
        id: integrationId,
        workspace_id: workspaceId,
        tool: "demo-hris-oauth",
        category: "HRIS",
        end_user_origin_id: "acme",
        end_user_organization_name: "Acme",
        end_user_email: null,
        credentials_sealed: sealCredentials(ctx, integrationId, {
          access_token: "dhat_expired",
          refresh_token: "dhrt_session_test",
          expires_at: String(clock.now().getTime() - 1_000),
          scope: scopes.join(" "),
        }),
        account_id: "acme",
        account_name: "Acme Corp",
        scope_config_id: null,
        state: "ACTIVE",
        failing_since: null,
        failed_checks: 0,
        last_checked_at: at,
        last_succeeded_at: at,
        next_sync_at: null,
        sync_interval_ms: null,
        retry_attempt: 0,
        granted_permissions: toJson([...scopes]),
        missing_permissions: toJson([]),
        opted_out: toJson([]),
        created_at: at,
        updated_at: at,
      })
      .execute();
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await database?.close();
    await hris?.close();
  });

  it(`refreshes the token once for ${SESSIONS} concurrent sessions on every replica, and every session gets it`, async () => {
    const answers = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) =>
        (servers[i % REPLICAS] as RelinkServer).app.request(
          `/v1/integrations/${integrationId}/sync-sessions`,
          {
            method: "POST",
            headers: { authorization: `Bearer ${sessionKey}`, "content-type": "application/json" },
            body: "{}",
          },
        ),
      ),
    );
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.json() })));
    expect(bodies.map((b) => b.status)).toEqual(Array(SESSIONS).fill(201));
    expect(refreshes).toBe(1);
    const sessions = bodies.map((b) => b.body as SyncSessionOpened);
    const tokens = new Set(sessions.map((s) => s.credentials.access_token));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens];
    expect(token).not.toBe("dhat_expired");
    // The refresh token stays relink's: only the access token and its expiry are handed out.
    for (const s of sessions)
      expect(Object.keys(s.credentials).sort()).toEqual(["access_token", "expires_at"]);
    const expiry = Date.parse(sessions[0]?.credentials.expires_at ?? "");
    for (const s of sessions) expect(Date.parse(s.expires_at)).toBeLessThan(expiry);

    // The stored token is the one handed out, and it works with the tool.
    const ctx = (servers[0] as RelinkServer).ctx;
    const row = await ctx.db
      .selectFrom("integrations")
      .selectAll()
      .where("id", "=", integrationId)
      .executeTakeFirstOrThrow();
    expect(openCredentials(ctx, row).access_token).toBe(token);
    expect(row.failing_since).toBeNull();
    const me = await fetch(`${hris.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const checks = await ctx.db
      .selectFrom("auth_checks")
      .select("outcome")
      .where("integration_id", "=", integrationId)
      .execute();
    expect(checks.map((c) => c.outcome)).toEqual(Array(SESSIONS).fill("OK"));
    expect(await ctx.db.selectFrom("credential_refresh_leases").selectAll().execute()).toEqual([]);
  });
});
