import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import { catalogDocuments } from "../src/connectors/catalog.ts";
import { declaredConnector } from "../src/connectors/declared/connector.ts";
import { refreshAccessToken } from "../src/connectors/oauth.ts";
import type { Credentials } from "../src/connectors/types.ts";
import { openCredentials } from "../src/domain/integrations.ts";
import { createIntegration } from "../src/domain/lifecycle.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { createTestDatabase, postgresAdminUrl } from "../src/testing/index.ts";
import { type StandIn, startStandIn } from "./tool-stand-in.ts";

const gusto = catalogDocuments().find((d) => d.id === "gusto")!;
const HOUR = 3_600_000;

/**
 * Gusto rotates refresh tokens: each one works once. Three relink instances on one PostgreSQL
 * database refresh the same integration 20 times at once; the lease in the database lets one
 * refresh happen, stores its tokens before anyone uses them, and hands them to the other 19.
 */
describe.skipIf(!postgresAdminUrl())("rotating refresh tokens on 3 replicas (PostgreSQL)", () => {
  let standIn: StandIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const servers: RelinkServer[] = [];
  const clock = new ManualClock(Date.parse("2026-03-02T09:00:00Z"));
  let integrationId: string;

  beforeAll(async () => {
    standIn = await startStandIn(gusto, {
      unauthorized: { status: 401, body: { errors: [{ category: "invalid_token" }] } },
      forbidden: { status: 403, body: null },
    });
    database = await createTestDatabase("postgres");
    const config = { encryptionKey: generateEncryptionKey(), runWorkers: false };
    for (let i = 0; i < 3; i++) {
      servers.push(
        await createRelinkServer({
          db: database.url,
          clock,
          config,
          connectors: [
            declaredConnector(standIn.doc, {
              clientId: "relink-client",
              clientSecret: "relink-secret",
              now: () => clock.now().getTime(),
            }),
          ],
          logger: createLogger({ level: "silent" }),
        }),
      );
    }
    const ctx = servers[0]!.ctx;
    const { workspaceId } = await createWorkspace(ctx);
    const connector = ctx.connectors.get("gusto")!;
    const credentials = await connector.oauth!.exchangeCode({
      code: standIn.code({ id: "acme", name: "Acme" }, ["employees:read"]),
      redirectUri: "http://127.0.0.1/callback",
      codeVerifier: "unused",
      signal: AbortSignal.timeout(10_000),
    });
    const row = await createIntegration(ctx, {
      workspaceId,
      tool: { id: "gusto", category: "HRIS" },
      endUser: { origin_id: "acme", organization_name: "Acme" },
      verified: { credentials, granted: ["employees:read"], account: { id: "acme" } },
      scopeConfig: null,
      syncIntervalMs: null,
    });
    integrationId = row.id;
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await database?.close();
    await standIn?.close();
  });

  const stored = async () => {
    const row = await servers[0]!.ctx.db
      .selectFrom("integrations")
      .select(["id", "credentials_sealed"])
      .where("id", "=", integrationId)
      .executeTakeFirstOrThrow();
    return openCredentials(servers[0]!.ctx, row);
  };

  const twentyAtOnce = (stale: Credentials) =>
    Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const server = servers[i % 3]!;
        return refreshAccessToken(server.ctx, integrationId, {
          connector: server.ctx.connectors.get("gusto")!,
          signal: AbortSignal.timeout(60_000),
          stale,
        });
      }),
    );

  it("survives 20 concurrent refreshes on 3 replicas, twice: one refresh each time, never a refused token", async () => {
    for (const round of [1, 2]) {
      clock.advance(3 * HOUR); // the access token (2 hours) has expired
      const stale = await stored();
      const results = await twentyAtOnce(stale);
      expect(new Set(results.map((c) => c.access_token)).size).toBe(1);
      expect(results[0]!.access_token).not.toBe(stale.access_token);
      expect(results[0]!.refresh_token).not.toBe(stale.refresh_token);
      expect(await stored()).toEqual(results[0]);
      expect(standIn.refreshes.presented).toHaveLength(round);
      expect(standIn.refreshes.refused).toEqual([]);
    }
    // The grant is still alive: the stored refresh token is the one the tool issued last.
    expect(
      (
        await servers[1]!.ctx.connectors
          .get("gusto")!
          .checkAuth({ credentials: await stored(), signal: AbortSignal.timeout(10_000) })
      ).outcome,
    ).toBe("OK");
  });

  it("without the lease, the same 20 refreshes lose the grant to the rotation (what the lease prevents)", async () => {
    clock.advance(3 * HOUR);
    const stale = await stored();
    const connector = servers[0]!.ctx.connectors.get("gusto")!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        connector.oauth!.refresh({ credentials: stale, signal: AbortSignal.timeout(10_000) }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected").length).toBe(19);
    expect(standIn.refreshes.refused).toHaveLength(19);
  });
});
