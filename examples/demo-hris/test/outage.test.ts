import { afterEach, describe, expect, it } from "vitest";
import { createDemoHris, DEMO_OAUTH_CLIENT, type RunningDemoHris, startDemoHris } from "../src/index.ts";
import { bearer, createTestHris, issueKey, postForm, postJson } from "./helpers.ts";

async function setup() {
  const hris = createTestHris();
  const key = await issueKey(hris.app, "acme", ["employees:read"]);
  return { ...hris, key };
}

describe("POST /admin/outage", () => {
  it.each([
    [500, "INTERNAL_ERROR"],
    [502, "BAD_GATEWAY"],
    [503, "SERVICE_UNAVAILABLE"],
    [429, "RATE_LIMITED"],
  ] as const)("status %i answers %i with a JSON error on every /api call", async (status, code) => {
    const { app, key } = await setup();
    const res = await postJson(app, "/admin/outage", { status, duration_ms: 60_000 });
    expect(res.status).toBe(200);
    for (const path of ["/api/me", "/api/employees", "/api/teams"]) {
      const failed = await app.request(path, bearer(key));
      expect(failed.status).toBe(status);
      expect(await failed.json()).toMatchObject({ error: { code } });
      expect(failed.headers.get("Retry-After")).toBe(status === 429 ? "1" : null);
    }
  });

  it("fails before authentication: even a bad credential sees the outage", async () => {
    const { app } = await setup();
    await postJson(app, "/admin/outage", { status: 503, duration_ms: 60_000 });
    expect((await app.request("/api/me", bearer("dhk_nope"))).status).toBe(503);
  });

  it("also breaks /oauth/token but not /admin or the consent page", async () => {
    const { app } = await setup();
    await postJson(app, "/admin/outage", { status: 502, duration_ms: 60_000 });
    const token = await postForm(app, "/oauth/token", { grant_type: "refresh_token", refresh_token: "x" });
    expect(token.status).toBe(502);
    expect((await app.request("/admin/companies")).status).toBe(200);
    const page = await app.request(
      `/oauth/authorize?${new URLSearchParams({
        response_type: "code",
        client_id: DEMO_OAUTH_CLIENT.client_id,
        redirect_uri: "http://localhost:9/cb",
        scope: "teams:read",
        code_challenge: "a".repeat(43),
        code_challenge_method: "S256",
      })}`,
    );
    expect(page.status).toBe(200);
  });

  it("ends by itself after duration_ms (on the injected clock)", async () => {
    const { app, key, clock } = await setup();
    await postJson(app, "/admin/outage", { status: 503, duration_ms: 5_000 });
    clock.advance(4_999);
    expect((await app.request("/api/me", bearer(key))).status).toBe(503);
    clock.advance(1);
    expect((await app.request("/api/me", bearer(key))).status).toBe(200);
    expect(await (await app.request("/admin/outage")).json()).toEqual({ outage: null });
  });

  it("shows the current outage and ends it on DELETE", async () => {
    const { app, key, clock } = await setup();
    await postJson(app, "/admin/outage", { status: 429, duration_ms: 10_000 });
    clock.advance(2_500);
    expect(await (await app.request("/admin/outage")).json()).toEqual({
      outage: {
        status: 429,
        duration_ms: 10_000,
        started_at: expect.any(String),
        ends_at: expect.any(String),
        remaining_ms: 7_500,
      },
    });
    expect((await app.request("/admin/outage", { method: "DELETE" })).status).toBe(204);
    expect((await app.request("/api/me", bearer(key))).status).toBe(200);
  });

  it("'malformed' answers 200 with a body that is not JSON", async () => {
    const { app, key } = await setup();
    await postJson(app, "/admin/outage", { status: "malformed", duration_ms: 60_000 });
    const res = await app.request("/api/employees", bearer(key));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it("'reset' falls back to 502 when there is no socket (app.request)", async () => {
    const { app, key } = await setup();
    await postJson(app, "/admin/outage", { status: "reset", duration_ms: 60_000 });
    expect((await app.request("/api/me", bearer(key))).status).toBe(502);
  });

  it.each([
    { status: 404, duration_ms: 1000 },
    { status: "slow", duration_ms: 1000 },
    { status: 503 },
    { status: 503, duration_ms: 0 },
    { status: 503, duration_ms: "1000" },
  ])("refuses %j with 400", async (body) => {
    const { app } = await setup();
    const res = await postJson(app, "/admin/outage", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_REQUEST" } });
  });
});

describe("'timeout' outage", () => {
  // The hold is measured in real time, so these tests use the real clock.
  async function setupOnRealClock() {
    const { app } = createDemoHris();
    return { app, apiKey: await issueKey(app, "acme", []) };
  }

  it("holds the request until the outage ends, then answers 504", async () => {
    const { app, apiKey } = await setupOnRealClock();
    // Long enough that the request arrives during the outage even on a busy machine; measured from
    // before the outage began, so the hold lasts at least the whole duration.
    const started = performance.now();
    await postJson(app, "/admin/outage", { status: "timeout", duration_ms: 1_000 });
    const res = await app.request("/api/me", bearer(apiKey));
    const waited = performance.now() - started;
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: "GATEWAY_TIMEOUT" } });
    expect(waited).toBeGreaterThanOrEqual(990);
    expect((await app.request("/api/me", bearer(apiKey))).status).toBe(200);
  });

  it("lets held requests go as soon as the outage is deleted", async () => {
    const { app, apiKey } = await setupOnRealClock();
    await postJson(app, "/admin/outage", { status: "timeout", duration_ms: 60_000 });
    const held = Promise.resolve(app.request("/api/me", bearer(apiKey)));
    let settled = false;
    void held.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    await app.request("/admin/outage", { method: "DELETE" });
    expect((await held).status).toBe(504);
  });
});

describe("outages over real HTTP", () => {
  let hris: RunningDemoHris | undefined;
  afterEach(async () => {
    await hris?.close();
    hris = undefined;
  });

  async function start() {
    hris = await startDemoHris({ port: 0 });
    const res = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: ["employees:read"] }),
    });
    const { key } = (await res.json()) as { key: string };
    const setOutage = (status: number | string, duration_ms: number) =>
      fetch(`${hris!.url}/admin/outage`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status, duration_ms }),
      });
    return { url: hris.url, key, setOutage };
  }

  it("'reset' destroys the connection", async () => {
    const { url, key, setOutage } = await start();
    await setOutage("reset", 60_000);
    const error = await fetch(`${url}/api/me`, bearer(key)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TypeError);
    await fetch(`${url}/admin/outage`, { method: "DELETE" });
    expect((await fetch(`${url}/api/me`, bearer(key))).status).toBe(200);
  });

  it("'timeout' leaves a client with a shorter timeout hanging", async () => {
    const { url, key, setOutage } = await start();
    await setOutage("timeout", 60_000);
    const error = await fetch(`${url}/api/me`, { ...bearer(key), signal: AbortSignal.timeout(100) }).then(
      () => null,
      (err: unknown) => err,
    );
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("'malformed' sends a 200 whose JSON does not parse", async () => {
    const { url, key, setOutage } = await start();
    await setOutage("malformed", 60_000);
    const res = await fetch(`${url}/api/employees`, bearer(key));
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it("close() does not wait for requests held by a 'timeout' outage", async () => {
    const { url, key, setOutage } = await start();
    await setOutage("timeout", 60_000);
    const held = fetch(`${url}/api/me`, bearer(key)).then(
      (res) => res.status,
      () => "failed",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await hris!.close();
    hris = undefined;
    expect([504, "failed"]).toContain(await held);
  });
});
