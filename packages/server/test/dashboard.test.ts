import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Integration, IntegrationPauses, IntegrationStats } from "@relink/sdk/contract";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../src/http/env.ts";
import { notFoundHandler, onError, requestContext } from "../src/http/middleware.ts";
import { DASHBOARD_CSP, dashboardRoutes } from "../src/routes/dashboard.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../src/testing/index.ts";

describe("dashboard static files", () => {
  let root: string;
  let app: Hono<AppEnv>;
  beforeAll(async () => {
    // dist/ beside a secret file one level up: nothing outside dist/ may ever be served.
    root = mkdtempSync(join(tmpdir(), "relink-dashboard-route-"));
    mkdirSync(join(root, "dist", "assets"), { recursive: true });
    writeFileSync(join(root, "dist", "index.html"), "<!doctype html><title>dashboard index</title>");
    writeFileSync(join(root, "dist", "assets", "app-1234.js"), "console.log('app')");
    writeFileSync(join(root, "secret.txt"), "TOP SECRET");
    const t = await createTestRelink();
    app = new Hono<AppEnv>();
    app.use("*", requestContext(t.server.ctx));
    app.route("/", dashboardRoutes({ distDir: join(root, "dist") }));
    app.notFound(notFoundHandler);
    app.onError(onError);
    await t.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("serves index.html with a strict CSP, assets with long caching, and deep links as the app", async () => {
    const index = await app.request("/dashboard/");
    expect(index.status).toBe(200);
    expect(await index.text()).toContain("dashboard index");
    expect(index.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(index.headers.get("cache-control")).toBe("no-cache");

    const asset = await app.request("/dashboard/assets/app-1234.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");

    const deep = await app.request("/dashboard/integrations/int_0123456789abcdef");
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("dashboard index");

    const redirect = await app.request("/dashboard");
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/dashboard/");

    const missingAsset = await app.request("/dashboard/assets/nope.js");
    expect(missingAsset.status).toBe(404);
    expect((await missingAsset.json()).error.code).toBe("NOT_FOUND");
  });

  it.each([
    "/dashboard/../secret.txt",
    "/dashboard/%2e%2e/secret.txt",
    "/dashboard/..%2fsecret.txt",
    "/dashboard/%2e%2e%2fsecret.txt",
    "/dashboard/assets/..%2f..%2fsecret.txt",
    "/dashboard/%2E%2E%2F%2E%2E%2Fsecret.txt",
    "/dashboard/..%5csecret.txt",
    "/dashboard/%00../secret.txt",
    `/dashboard/${encodeURIComponent(join(tmpdir(), "x", "..", "secret.txt"))}`,
    "/dashboard//etc/passwd",
    "/dashboard/%2fetc%2fpasswd",
    "/dashboard/%252e%252e%252fsecret.txt",
    "/dashboard/%",
  ])("never serves anything outside dist/: %s", async (path) => {
    const response = await app.request(path);
    const body = await response.text();
    expect(body).not.toContain("TOP SECRET");
    expect(body).not.toMatch(/root:.*:0:0:/);
    if (response.status === 200) expect(body).toContain("dashboard index");
    else expect(response.status).toBe(404);
  });

  it("is mounted in the app with its CSP, and leaves /v1 alone", async () => {
    const t = await createTestRelink();
    try {
      const response = await t.request("GET", "/dashboard/integrations", { key: null });
      // Built or not (the page then says how to build it), the answer carries the CSP.
      expect([200, 503]).toContain(response.status);
      expect(response.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
      expect((await t.request("GET", "/v1/integrations/stats")).status).toBe(200);
      expect((await t.request("GET", "/v1/integrations/stats", { key: null })).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it("answers a page saying how to build the dashboard when dist/ is missing", async () => {
    const bare = new Hono<AppEnv>();
    bare.route("/", dashboardRoutes({ distDir: join(root, "no-such-dist") }));
    const response = await bare.request("/dashboard/");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(await response.text()).toContain("pnpm --filter @relink/dashboard build");
  });
});

describe("dashboard read models", () => {
  let t: TestRelink;
  const tool = scriptedConnector();
  beforeAll(async () => {
    t = await createTestRelink({ connectors: [tool.connector] });
  });
  afterAll(() => t.close());

  const importOne = async (origin: string, key: string) => {
    tool.setKey(key, { permissions: ["employees:read"] });
    const response = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: origin, organization_name: origin },
        credentials: { api_key: key },
      },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as Integration;
  };

  it("counts integrations per state, and the active ones failing auth", async () => {
    const empty = await t.request("GET", "/v1/integrations/stats");
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ ACTIVE: 0, INVALID: 0, INACTIVE: 0, failing: 0, total: 0 });

    const a = await importOne("a", "KA");
    const b = await importOne("b", "KB");
    const c = await importOne("c", "KC");
    await importOne("d", "KD");
    await t.request("PUT", `/v1/integrations/${a.id}/enabled`, { body: { value: false } });
    await t.server.ctx.db
      .updateTable("integrations")
      .set({ failing_since: new Date().toISOString() })
      .where("id", "in", [b.id, c.id])
      .execute();
    await t.server.ctx.db
      .updateTable("integrations")
      .set({ state: "INVALID" })
      .where("id", "=", c.id)
      .execute();

    const stats = (await (await t.request("GET", "/v1/integrations/stats")).json()) as IntegrationStats;
    expect(stats).toEqual({ ACTIVE: 2, INVALID: 1, INACTIVE: 1, failing: 1, total: 4 });

    // Another workspace sees none of them.
    expect((await t.request("GET", "/v1/integrations/stats", { key: "rlk_unknown" })).status).toBe(401);
  });

  it("tells when paused integrations were paused, from the event log", async () => {
    const e = await importOne("e", "KE");
    const f = await importOne("f", "KF");
    tool.revoke("KE");
    // Make the pause window pass: a failing check at or after failing_since + window pauses.
    await t.server.ctx.db
      .updateTable("integrations")
      .set({ failing_since: new Date(t.clock.now().getTime() - 100 * 3_600_000).toISOString() })
      .where("id", "=", e.id)
      .execute();
    const check = await t.request("POST", `/v1/integrations/${e.id}/check-auth`);
    expect(check.status).toBe(200);
    expect(((await check.json()) as { integration: Integration }).integration.state).toBe("INVALID");

    const response = await t.request("GET", `/v1/integrations/pauses?ids=${e.id},${f.id}`);
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as IntegrationPauses;
    expect(data).toHaveLength(1);
    expect(data[0]?.integration_id).toBe(e.id);
    expect(data[0]?.paused_at).toBe(t.clock.now().toISOString());

    const bad = await t.request("GET", "/v1/integrations/pauses?ids=nope");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("INVALID_REQUEST");
  });
});
