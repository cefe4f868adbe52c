import { request as httpRequest } from "node:http";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { prepared } from "../src/db/prepared.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import type { AppEnv } from "../src/http/env.ts";
import { requestContext, varyByOrigin } from "../src/http/middleware.ts";
import { createLogger, lazyChild } from "../src/logging.ts";
import type { RunningServer } from "../src/serve.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { startQuietServer } from "./running-server.ts";

/**
 * What the hot read paths (the connect API's flow, an integration by id) skip, and what they must
 * not lose: the request's logger is created only when something is logged, hot queries are compiled
 * once, GET requests skip the body limit; request ids, log lines and refusals stay as they were.
 */

describe("a request's lazy logger", () => {
  const capture = (level: "debug" | "info" | "warn" | "silent" = "info") => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level,
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    return { logger, lines, child: vi.spyOn(logger, "child") };
  };

  it("logs with every binding without creating a child", () => {
    const { logger, lines, child } = capture();
    const log = lazyChild(logger, { request_id: "req_1" }).child({ workspace_id: "ws_1" });
    log.debug("below the level");
    expect(log.isLevelEnabled("info")).toBe(true);
    expect(log.isLevelEnabled("debug")).toBe(false);
    expect(child).not.toHaveBeenCalled();
    log.info({ apiKey: "rlk_secret", n: 1 }, "hello");
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([
      expect.objectContaining({
        request_id: "req_1",
        workspace_id: "ws_1",
        n: 1,
        apiKey: "[redacted]",
        msg: "hello",
      }),
    ]);
    log.warn("again");
    expect(lines[1]).toMatchObject({
      request_id: "req_1",
      workspace_id: "ws_1",
      level: "warn",
      msg: "again",
    });
    // Anything beyond a log call creates the real child, once.
    expect(log.bindings()).toMatchObject({ request_id: "req_1", workspace_id: "ws_1" });
    log.info("through the child");
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines[2]).toMatchObject({ request_id: "req_1", workspace_id: "ws_1", msg: "through the child" });
  });

  it("writes the very lines a pino child writes", () => {
    const lazy = capture("debug");
    const real = capture("debug");
    const lazyLog = lazyChild(lazy.logger, { request_id: "req_3" }).child({ workspace_id: "ws_3" });
    const realLog = real.logger.child({ request_id: "req_3" }).child({ workspace_id: "ws_3" });
    const boom = new Error("boom");
    const calls: Array<(log: typeof lazyLog) => void> = [
      (log) => log.info("plain"),
      (log) => log.info("format %s and %d", "x", 7),
      (log) => log.info({ a: 1, nested: { token: "t", ok: true } }, "with object"),
      (log) => log.warn({ apiKey: "rlk_x", credentials: { api_key: "k" } }),
      (log) => log.debug({ request_id: "overridden" }, "same key as a binding"),
      (log) => log.error({ err: boom }, "an error in an object"),
      (log) => log.info({ list: [1, 2], when: new Date(0) }, "values"),
      (log) => log.info(JSON.parse('{"__proto__": {"polluted": true}, "n": 2}'), "an own __proto__ key"),
      (log) => log.child({ request_id: "again", extra: 1 }).info({ more: 2 }, "a child's bindings"),
    ];
    for (const call of calls) {
      call(lazyLog);
      call(realLog);
    }
    const strip = (lines: Array<Record<string, unknown>>) => lines.map(({ time: _time, ...rest }) => rest);
    expect(strip(lazy.lines)).toEqual(strip(real.lines));
    expect(lazy.lines.map((l) => Object.keys(l))).toEqual(real.lines.map((l) => Object.keys(l)));
    // No child was created for any of these.
    expect(lazy.child).not.toHaveBeenCalled();
    // An error as the first argument: through a real child, as pino does it.
    const first = new Error("first argument");
    lazyLog.error(first);
    realLog.error(first);
    expect(strip(lazy.lines).at(-1)).toEqual(strip(real.lines).at(-1));
  });

  it("behaves as a pino child for everything else", () => {
    const { logger, lines } = capture("warn");
    const log = lazyChild(logger, { request_id: "req_2" });
    log.info("dropped");
    expect(lines).toEqual([]);
    expect(log.level).toBe("warn");
    expect(log.bindings()).toMatchObject({ request_id: "req_2" });
    const grandchild = log.child({ a: 1 }, { level: "error" });
    grandchild.warn("dropped too");
    grandchild.error("kept");
    expect(lines).toEqual([expect.objectContaining({ request_id: "req_2", a: 1, msg: "kept" })]);
    const silent = capture("silent");
    lazyChild(silent.logger, { request_id: "x" }).error("nothing");
    expect(silent.child).not.toHaveBeenCalled();
  });
});

describe.each(availableDialects())("hot paths on %s", (dialect) => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [scriptedConnector().connector] });
  });
  afterAll(() => t.close());

  it("runs a prepared query with each call's parameters, as the query builder would", async () => {
    const keyById = prepared((db, workspaceId: string | null, id: string | null) =>
      db
        .selectFrom("api_keys")
        .select(["id", "workspace_id"])
        .where("workspace_id", "=", workspaceId)
        .where("id", "=", id),
    );
    const keys = await t.server.ctx.db.selectFrom("api_keys").select(["id", "workspace_id"]).execute();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(await keyById(t.server.ctx.db, key.workspace_id, key.id)).toEqual([key]);
      expect(await keyById(t.server.ctx.db, "ws_other", key.id)).toEqual([]);
      expect(await keyById(t.server.ctx.db, key.workspace_id, null)).toEqual([]);
    }
    // Plugins still apply: booleans and JSON read back as values, literals of the query kept.
    const defaults = prepared((db, workspaceId: string | null) =>
      db
        .selectFrom("scope_configs")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("is_default", "=", false),
    );
    const created = await t.request("POST", "/v1/scope-configs", {
      body: { name: "S", category: "HRIS", models: { employees: { setting: "ENABLED" } } },
    });
    expect(created.status).toBe(201);
    const [row] = await defaults(t.server.ctx.db, t.workspaceId);
    expect(row).toMatchObject({ is_default: false, models: { employees: { setting: "ENABLED" } } });
    // Inside a transaction, on the transaction's connection.
    const inTx = await t.server.ctx.db
      .transaction()
      .execute((trx) => keyById(trx, keys[0]?.workspace_id ?? null, keys[0]?.id ?? null));
    expect(inTx).toEqual([keys[0]]);
  });

  it("refuses a prepared query whose parameter is not a value", async () => {
    const bad = prepared((db, _unused: string | null) => db.selectFrom("api_keys").select("id"));
    await expect(bad(t.server.ctx.db, "x")).rejects.toThrow(/parameter 0/);
  });

  it("keeps request ids on every kind of answer, and logs each request with its workspace", async () => {
    const responses = [
      await t.request("GET", "/healthz", { key: null }),
      await t.request("GET", `/v1/integrations/int_${"0".repeat(26)}`),
      await t.request("GET", "/v1/tools", { key: "rlk_nope" }),
      await t.request("PATCH", "/healthz", { key: null }),
      await t.request("GET", "/nowhere", { key: null }),
      await t.request("GET", "/openapi.json", { key: null }),
      await t.request("GET", "/docs", { key: null }),
      await t.request("GET", "/connect/v1/flow", { key: null }),
      await t.request("OPTIONS", "/connect/v1/flow", { key: null, headers: { origin: "https://x.example" } }),
    ];
    for (const response of responses)
      expect(response.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    const ids = new Set(responses.map((r) => r.headers.get("x-request-id")));
    expect(ids.size).toBe(responses.length);
    // Security headers as before.
    expect(responses[0]?.headers.get("x-content-type-options")).toBe("nosniff");
    // API answers (found, refused, preflight) are never cached: they carry personal data.
    for (const i of [1, 2, 7, 8])
      expect(responses[i]?.headers.get("cache-control"), `answer ${i}`).toBe("no-store");
    const id = responses[1]?.headers.get("x-request-id");
    const line = t.logs.find((l) => l.msg === "request" && l.request_id === id);
    expect(line).toMatchObject({ method: "GET", status: 404, workspace_id: t.workspaceId });
  });

  it("answers every kind of request with the security headers hono's secureHeaders set, a route's own values kept", async () => {
    // What `secureHeaders({ crossOriginResourcePolicy: false, overwrite: false })` sets, from the library.
    const reference = new Hono();
    reference.use("*", secureHeaders({ crossOriginResourcePolicy: false, overwrite: false }));
    reference.get("/", (c) => c.text("x"));
    const expected = Object.fromEntries(
      [...(await reference.request("/")).headers].filter(([name]) => name !== "content-type"),
    );
    expect(Object.keys(expected)).toHaveLength(10);
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024) });
    const answers: Array<[string, Response, Record<string, string>]> = [
      ["200 health", await t.request("GET", "/healthz", { key: null }), {}],
      ["200 API", await t.request("GET", "/v1/tools"), {}],
      ["404 API", await t.request("GET", `/v1/integrations/int_${"0".repeat(26)}`), {}],
      ["401", await t.request("GET", "/v1/tools", { key: "rlk_nope" }), {}],
      ["401 flow token", await t.request("GET", "/connect/v1/flow", { key: null }), {}],
      ["405", await t.request("PATCH", "/healthz", { key: null }), {}],
      ["404 path", await t.request("GET", "/nowhere", { key: null }), {}],
      ["413", await t.request("POST", "/v1/api-keys", { rawBody: big }), {}],
      [
        "preflight",
        await t.request("OPTIONS", "/connect/v1/flow", {
          key: null,
          headers: { origin: "https://x.example", "access-control-request-method": "GET" },
        }),
        {},
      ],
      ["400", await t.request("POST", "/v1/api-keys", { rawBody: "{" }), {}],
      [
        "API reference (its own CSP and frame policy)",
        await t.request("GET", "/docs", { key: null }),
        { "x-frame-options": "DENY" },
      ],
      [
        "hosted page (its own opener and frame policy)",
        await t.request("GET", "/link", { key: null }),
        { "cross-origin-opener-policy": "same-origin-allow-popups", "x-frame-options": "DENY" },
      ],
    ];
    for (const [kind, response, own] of answers) {
      const headers = Object.fromEntries(response.headers);
      for (const [name, value] of Object.entries(expected))
        expect(headers[name], `${kind}: ${name}`).toBe(own[name] ?? value);
      expect(headers["x-powered-by"], kind).toBeUndefined();
      expect(headers["x-request-id"], kind).toMatch(/^req_[0-9a-f]{32}$/);
    }
    expect(answers.map(([kind, r]) => `${kind} ${r.status}`)).toEqual([
      "200 health 200",
      "200 API 200",
      "404 API 404",
      "401 401",
      "401 flow token 401",
      "405 405",
      "404 path 404",
      "413 413",
      "preflight 204",
      "400 400",
      "API reference (its own CSP and frame policy) 200",
      "hosted page (its own opener and frame policy) 200",
    ]);
  });

  it("records each answered request in the latency metric by its route pattern and status", async () => {
    await t.request("GET", `/v1/integrations/int_${"1".repeat(26)}`);
    await t.request("PATCH", "/healthz", { key: null });
    const text = await t.server.metrics.registry.metrics();
    expect(text).toMatch(
      /relink_http_request_duration_seconds_count\{method="GET",route="\/v1\/integrations\/:id",status="404"\} [1-9]/,
    );
    expect(text).toMatch(
      /relink_http_request_duration_seconds_count\{method="PATCH",route="unmatched",status="405"\} [1-9]/,
    );
  });

  it("still limits bodies of requests that have one", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024) });
    const response = await t.request("POST", "/v1/api-keys", { rawBody: big });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("frames an answer whose headers cannot change (a Response.redirect) as any other, its own headers kept", async () => {
    const app = new Hono<AppEnv>();
    app.use("*", requestContext(t.server.ctx));
    app.get("/v1/away", (c) => {
      varyByOrigin(c);
      return Response.redirect("https://tool.example/authorize?state=s", 302);
    });
    app.get("/away", () => Response.redirect("https://tool.example/", 307));
    const redirect = Response.redirect("https://x.example/", 302);
    expect(() => redirect.headers.set("x-test", "1")).toThrow();

    const api = await app.request("/v1/away", {
      headers: { "x-request-id": "req_0123456789abcdef0123456789abcdef" },
    });
    expect(api.status).toBe(302);
    expect(api.headers.get("location")).toBe("https://tool.example/authorize?state=s");
    expect(api.headers.get("x-request-id")).toBe("req_0123456789abcdef0123456789abcdef");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(api.headers.get("cache-control")).toBe("no-store");
    expect(api.headers.get("vary")).toBe("Origin");

    const page = await app.request("/away");
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe("https://tool.example/");
    expect(page.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    expect(page.headers.get("strict-transport-security")).toBeTruthy();
    expect(page.headers.get("cache-control")).toBeNull();
    expect(page.headers.get("vary")).toBeNull();
  });
});

describe("the request frame on a running server", () => {
  let server: RunningServer;
  let apiKey: string;
  beforeAll(async () => {
    server = await startQuietServer();
    apiKey = (await createWorkspace(server.relink.ctx)).apiKey.key;
  });
  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("writes the frame's headers without building a Headers object, the same headers and body as app.request()", async () => {
    const auth = () => ({ authorization: `Bearer ${apiKey}` });
    const cases: Array<[string, Record<string, string>, boolean]> = [
      [`/v1/integrations/int_${"0".repeat(26)}`, auth(), true],
      ["/v1/integrations/not-an-id", auth(), true],
      ["/v1/tools", auth(), true],
      ["/healthz", {}, true],
      ["/nowhere", {}, true],
      // The connect API without an Origin: `Vary: Origin` appended by the frame.
      ["/connect/v1/flow", { authorization: "Bearer not-a-token" }, true],
      ["/connect/v1/tools", {}, true],
      // The refusal sets its own WWW-Authenticate through the context: a Headers object, framed alike.
      ["/v1/tools", { authorization: "Bearer rlk_nope" }, false],
    ];
    const comparable = (headers: Record<string, unknown>) => {
      const {
        date: _date,
        connection: _connection,
        "keep-alive": _keepAlive,
        "content-length": _length,
        "x-request-id": requestId,
        ...rest
      } = headers;
      expect(requestId).toMatch(/^req_[0-9a-f]{32}$/);
      return rest;
    };
    const withoutRequestId = (body: string) => body.replace(/"request_id":"req_[0-9a-f]{32}"/, "");
    for (const [path, headers, plain] of cases) {
      const set = vi.spyOn(Headers.prototype, "set");
      const wire = await get(path, headers);
      const sets = set.mock.calls.length;
      set.mockRestore();
      const viaApp = await server.relink.app.request(path, { headers });
      expect(wire.status, path).toBe(viaApp.status);
      expect(comparable(wire.headers), path).toEqual(comparable(Object.fromEntries(viaApp.headers)));
      expect(Object.keys(comparable(wire.headers)).length, path).toBeGreaterThanOrEqual(11);
      expect(withoutRequestId(wire.body), path).toBe(withoutRequestId(await viaApp.text()));
      if (plain) expect(sets, `${path}: Headers.set calls`).toBe(0);
      if (path.startsWith("/connect/")) expect(wire.headers.vary, path).toBe("Origin");
    }
  });
});
