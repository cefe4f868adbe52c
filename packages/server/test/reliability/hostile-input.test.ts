import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialect } from "../../src/db/connect.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../../src/testing/index.ts";
import { report, scale } from "./support.ts";

/**
 * Issue 11 item 4, hostile input. Every operation of `/openapi.json` is fuzzed with fast-check
 * (path parameters, query, headers, body, credentials): never a 5xx, always the error envelope.
 * Then oversized and deeply nested JSON and header injection through a real socket. The JWT
 * attack set (66 tokens) is flow-tokens.test.ts, SSRF through webhook URLs webhooks-urls.test.ts,
 * static path traversal dashboard.test.ts: see SECURITY.md.
 *
 * Runs on both databases: text SQLite keeps and PostgreSQL refuses (a NUL, an unpaired surrogate)
 * must be refused alike at the edge, never reach a query as a 500.
 */

type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
  security?: Array<Record<string, unknown>>;
};

const ENVELOPE_CODE = /^[A-Z][A-Z0-9_]*$/;

async function assertWellFormed(response: Response, label: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${label} → ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(text, `${label}: a stack trace in the answer`).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  if ((response.headers.get("content-type") ?? "").startsWith("text/html")) {
    // The OAuth callback answers the popup with a page: whatever came in is shown as text.
    expect(text, `${label}: markup from the request reflected into the page`).not.toMatch(
      /<img src=x|<script>alert/i,
    );
    return;
  }
  if (response.status >= 400 && response.status !== 405) {
    let body: { error?: { code?: string; message?: string; request_id?: string } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${label}: ${response.status} answer is not JSON: ${text.slice(0, 200)}`);
    }
    expect(body.error?.code, `${label}: ${text.slice(0, 300)}`).toMatch(ENVELOPE_CODE);
    expect(typeof body.error?.message).toBe("string");
    // A well-formed incoming x-request-id is kept; otherwise the server makes one.
    expect(body.error?.request_id).toMatch(/^[A-Za-z0-9_.:-]{1,128}$/);
  }
}

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%00",
    "\u0000",
    "a\u0000b",
    "int_\u0000",
    "\ud800",
    "x\udc00y",
    "int_' OR '1'='1",
    "'; drop table integrations; --",
    "__proto__",
    "constructor",
    "<img src=x onerror=alert(1)>",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, literally
    "${7*7}",
    "\u202e",
    "x".repeat(5000),
    "-1",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
  ),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const fuzzCases = { count: 0 };

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (let i = 0; i < 10_000; i++) {
    const end = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, end), 16);
    if (!size) break;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
  return out;
}

describe.each(availableDialects())("hostile input on %s", (dialect: Dialect) => {
  let t: TestRelink;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let flowToken: string;
  let knownIds: string[] = [];

  beforeAll(async () => {
    const tool = scriptedConnector("scripted");
    tool.setKey("k1");
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as typeof doc;
    const sc = await (
      await t.request("POST", "/v1/scope-configs", {
        body: { name: "S", category: "HRIS", models: { teams: { setting: "ENABLED" } } },
      })
    ).json();
    const integration = await (
      await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "o", organization_name: "O" },
          credentials: { api_key: "k1" },
        },
      })
    ).json();
    knownIds = [sc.id, integration.id];
    const link = await (
      await t.request("POST", `/v1/integrations/${integration.id}/relink`, { body: {} })
    ).json();
    flowToken = link.token;
  });
  afterAll(() => t?.close());

  describe("fuzzing every operation of /openapi.json", () => {
    it("never answers 5xx, always the error envelope", async () => {
      const runs = scale(30, 300);
      let operations = 0;
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          operations++;
          const security = JSON.stringify(op.security ?? []);
          const goodAuth = security.includes("flowToken")
            ? flowToken
            : security.includes("apiKey")
              ? t.apiKey
              : null;
          const queryNames = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
          const schema = op.requestBody?.content?.["application/json"]?.schema;
          const props = Object.keys(schema?.properties ?? {});
          const body = fc.oneof(
            fc.constant(undefined),
            jsonish.map((v) => JSON.stringify(v)),
            hostileString, // not JSON at all
            props.length
              ? fc
                  .dictionary(fc.constantFrom(...props, "__proto__", "extra"), jsonish, {
                    maxKeys: props.length + 1,
                  })
                  .map((v) => JSON.stringify(v))
              : fc.constant("{}"),
          );
          const arbitrary = fc.record({
            pathParams: fc.array(fc.oneof(hostileString, fc.constantFrom(...knownIds)), {
              minLength: 4,
              maxLength: 4,
            }),
            encode: fc.boolean(),
            query: fc.dictionary(fc.constantFrom(...queryNames, "x", "limit", "cursor"), hostileString, {
              maxKeys: 4,
            }),
            auth: fc.constantFrom(
              goodAuth,
              goodAuth,
              null,
              "garbage",
              "Basic Zm9vOmJhcg==",
              t.apiKey,
              flowToken,
            ),
            contentType: fc.constantFrom(
              "application/json",
              "application/json",
              "text/plain",
              "application/x-www-form-urlencoded",
              "multipart/form-data; boundary=x",
              "application/json; charset=utf-16",
              "",
            ),
            requestId: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 })),
            origin: fc.constantFrom(undefined, "https://evil.example", "null"),
            body,
          });
          await fc.assert(
            fc.asyncProperty(arbitrary, async (input) => {
              fuzzCases.count++;
              let n = 0;
              let url = path.replace(/\{[^}]+\}/g, () => {
                const raw = input.pathParams[n++ % 4] ?? "";
                return input.encode ? encodeURIComponent(raw) : raw.replace(/[?#\s]/g, "_");
              });
              const query = new URLSearchParams(input.query).toString();
              if (query) url += `?${query}`;
              const headers: Record<string, string> = {};
              if (input.auth)
                headers.authorization =
                  input.auth === "garbage" || input.auth.startsWith("Basic")
                    ? input.auth
                    : `Bearer ${input.auth}`;
              if (input.contentType) headers["content-type"] = input.contentType;
              if (input.requestId !== undefined && !/[\r\n\0]/.test(input.requestId)) {
                headers["x-request-id"] = input.requestId.replace(/[^\x20-\x7e]/g, "");
              }
              if (input.origin) headers.origin = input.origin;
              const hasBody = method !== "get" && input.body !== undefined;
              let response: Response;
              try {
                response = await t.server.app.request(url, {
                  method: method.toUpperCase(),
                  headers,
                  body: hasBody ? input.body : undefined,
                });
              } catch (error) {
                if (error instanceof TypeError && /URL|header/i.test(error.message)) return; // the client refused it
                throw error;
              }
              await assertWellFormed(response, `${method.toUpperCase()} ${url.slice(0, 120)}`);
            }),
            { numRuns: runs, seed: Number(process.env.RELINK_FUZZ_SEED ?? 20261128) },
          );
        }
      }
      expect(operations).toBeGreaterThan(40);
      report("hostile/fuzz", { fuzzCases: fuzzCases.count, note: `${operations} operations` });
    }, 600_000);
  });

  describe("a NUL or an unpaired surrogate in every text field of valid requests", () => {
    /** Every string leaf of `value`, with a setter returning a copy that holds `bad` there. */
    function textLeaves(
      value: unknown,
      path: string[] = [],
    ): Array<{ path: string; with(bad: string): unknown }> {
      // Inside the text: a parser may drop what is at either end (URLs drop controls there).
      if (typeof value === "string") {
        return [{ path: path.join("."), with: (bad) => `${value.slice(0, 1)}${bad}${value.slice(1)}` }];
      }
      if (Array.isArray(value)) {
        return value.flatMap((item, i) =>
          textLeaves(item, [...path, String(i)]).map((leaf) => ({
            path: leaf.path,
            with: (bad: string) => value.map((other, j) => (j === i ? leaf.with(bad) : other)),
          })),
        );
      }
      if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) =>
          textLeaves(item, [...path, key]).map((leaf) => ({
            path: leaf.path,
            with: (bad: string) => ({ ...value, [key]: leaf.with(bad) }),
          })),
        );
      }
      return [];
    }

    it("answers 400 INVALID_REQUEST for each, on bodies and queries of the management and connect APIs", async () => {
      const [scopeConfigId, integrationId] = knownIds;
      const link = await t.request("POST", `/v1/integrations/${integrationId}/relink`, { body: {} });
      const token = ((await link.json()) as { token: string }).token;
      const bodies: Array<[string, string, Record<string, unknown>, string?]> = [
        [
          "POST",
          "/v1/scope-configs",
          { name: "S2", category: "HRIS", models: { teams: { setting: "ENABLED" } } },
        ],
        ["PATCH", `/v1/scope-configs/${scopeConfigId}`, { name: "S3" }],
        [
          "POST",
          "/v1/integrations",
          {
            tool: "scripted",
            end_user: { origin_id: "o9", organization_name: "Org", email: "it@org.example" },
            credentials: { api_key: "k1" },
          },
        ],
        ["POST", "/v1/webhook-endpoints", { url: "https://hooks.example.com/x", description: "d" }],
        ["POST", "/v1/api-keys", { name: "n" }],
        [
          "POST",
          `/v1/integrations/${integrationId}/relink`,
          { link_type: "MAGIC_LINK", expires_in: "2h", language: "de" },
        ],
        ["PUT", "/v1/settings/allowed-origins", { allowed_origins: ["https://app.example.com"] }],
        ["POST", "/connect/v1/exit", { step: "intro", reason: "closed" }, token],
        [
          "POST",
          "/connect/v1/credentials",
          { tool: "scripted", values: { api_key: "k1" }, opted_out: ["x"] },
          token,
        ],
        ["POST", "/connect/v1/oauth/start", { tool: "scripted", origin: "https://app.example.com" }, token],
      ];
      const queries: Array<[string, Record<string, string>, string?]> = [
        ["/v1/integrations", { q: "acme", tool: "scripted", end_user_origin_id: "o" }],
        ["/v1/events", { type: "sync-finished" }],
        ["/connect/v1/flow", { tool: "scripted" }, token],
        ["/connect/v1/oauth/callback", { state: "s", code: "c", error: "e", error_description: "d" }],
      ];
      let attacks = 0;
      const before = t.logs.filter((line) => line.level === "error").length;
      for (const bad of ["\u0000", "\ud800", "\udfff"]) {
        for (const [method, path, body, auth] of bodies) {
          const leaves = [
            ...textLeaves(body),
            // A key of the body itself, and of every nested object.
            { path: "(key)", with: (b: string) => ({ ...body, [`k${b}`]: "v" }) },
          ];
          for (const leaf of leaves) {
            const response = await t.request(method, path, { key: auth ?? t.apiKey, body: leaf.with(bad) });
            const text = await response.text();
            const label = `${method} ${path} ${leaf.path} ${JSON.stringify(bad)}: ${response.status} ${text.slice(0, 200)}`;
            expect(response.status, label).toBe(400);
            expect(JSON.parse(text).error.code, label).toBe("INVALID_REQUEST");
            attacks++;
          }
        }
        for (const [path, query, auth] of queries) {
          for (const name of Object.keys(query)) {
            const search = new URLSearchParams({ ...query, [name]: `${bad}${query[name]}` });
            const response = await t.request("GET", `${path}?${search}`, { key: auth ?? t.apiKey });
            const text = await response.text();
            const label = `GET ${path} ${name} ${JSON.stringify(bad)}: ${response.status} ${text.slice(0, 200)}`;
            // An unpaired surrogate cannot travel in a URL: it arrives as U+FFFD, which is text.
            if (bad === "\u0000") {
              expect(response.status, label).toBe(400);
              expect(JSON.parse(text).error.code, label).toBe("INVALID_REQUEST");
            } else {
              expect(response.status, label).toBeLessThan(500);
            }
            attacks++;
          }
        }
      }
      expect(t.logs.filter((line) => line.level === "error").length).toBe(before);
      report("hostile/unstorable-text", { attacks, note: dialect });
    });
  });

  describe("oversized, deeply nested and injected input through a real socket", () => {
    let url: string;
    let port: number;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const server = serve({ fetch: t.server.app.fetch, port: 0, hostname: "127.0.0.1" });
      await new Promise((r) => server.once("listening", r));
      port = (server.address() as AddressInfo).port;
      url = `http://127.0.0.1:${port}`;
      close = () => new Promise((r) => server.close(() => r()));
    });
    afterAll(() => close?.());

    /** Writes a raw HTTP request (what fetch refuses to send) and returns the raw answer head. */
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        let data = "";
        socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
        socket.on("data", (c) => {
          data += c.toString("latin1");
        });
        socket.on("end", () => resolve(data));
        socket.on("close", () => resolve(data));
        // The server may answer and close before the whole request is written: keep what came back.
        socket.on("error", (error) => (data ? resolve(data) : reject(error)));
        socket.write(request);
      });

    /**
     * A POST through a raw socket: the server may answer 413 before the upload ends and close,
     * which fetch reports as a failed upload rather than as the answer.
     */
    const post = async (path: string, body: string, auth = t.apiKey) => {
      const answer = await raw(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      const [head = "", rest = ""] = [
        answer.slice(0, answer.indexOf("\r\n\r\n")),
        answer.slice(answer.indexOf("\r\n\r\n") + 4),
      ];
      const text = /transfer-encoding: chunked/i.test(head) ? dechunk(rest) : rest;
      return { status, json: JSON.parse(text) as { error: { code: string } } };
    };

    it("refuses oversized and deeply nested JSON with the envelope, and keeps serving", async () => {
      let attacks = 0;
      const huge = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), category: "HRIS", models: {} });
      for (const path of ["/v1/scope-configs", "/v1/integrations", "/v1/webhook-endpoints"]) {
        const answer = await post(path, huge);
        expect(answer.status, path).toBe(413);
        expect(answer.json.error.code).toBe("PAYLOAD_TOO_LARGE");
        attacks++;
      }
      const connectHuge = await post(
        "/connect/v1/credentials",
        JSON.stringify({ values: { api_key: "x".repeat(300_000) } }),
        flowToken,
      );
      expect(connectHuge.status).toBe(413);
      expect(connectHuge.json.error.code).toBe("PAYLOAD_TOO_LARGE");
      attacks++;
      for (const depth of [1_000, 100_000]) {
        const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
        const objects = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
        for (const [path, body] of [
          ["/v1/scope-configs", nested],
          ["/v1/integrations", objects],
          ["/v1/webhook-endpoints", `{"url":"https://x.example","event_types":${nested}}`],
          ["/connect/v1/credentials", `{"values":${objects}}`],
        ] as const) {
          const response = await post(path, body, path.startsWith("/connect") ? flowToken : t.apiKey);
          expect(response.status, `nested ${depth} ${path}`).toBeGreaterThanOrEqual(400);
          expect(response.status, `nested ${depth} ${path}`).toBeLessThan(500);
          expect(response.json.error.code).toMatch(ENVELOPE_CODE);
          attacks++;
        }
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      report("hostile/oversized", { attacks });
    });

    it("echoes no injected header: request ids, CRLF, and header smuggling attempts", async () => {
      let attacks = 0;
      const attempts = [
        "abc\r\nSet-Cookie: pwned=1",
        "abc%0d%0aSet-Cookie:%20pwned=1",
        "abc\nX-Injected: 1",
        "abc\rX-Injected: 1",
        `${"a".repeat(10_000)}`,
        "<script>alert(1)</script>",
        "req_ok\u0000x",
      ];
      for (const id of attempts) {
        const head = await raw(
          `GET /v1/tools HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.apiKey}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n`,
        ).catch((e: Error) => `ERR ${e.message}`);
        attacks++;
        const headers = head.split("\r\n\r\n")[0] ?? "";
        expect(headers, JSON.stringify(id)).not.toMatch(/^set-cookie:/im);
        expect(headers).not.toMatch(/^x-injected:/im);
        const echoed = /^x-request-id: (.*)$/im.exec(headers)?.[1];
        if (echoed !== undefined) {
          expect(echoed).toMatch(/^[A-Za-z0-9_.:-]{1,128}$/);
          expect(echoed).not.toContain("<");
        }
        if (headers.startsWith("HTTP/1.1 5")) throw new Error(`5xx for request id ${JSON.stringify(id)}`);
      }
      // Request smuggling: both Content-Length and Transfer-Encoding is refused by Node's parser.
      const smuggled = await raw(
        `POST /v1/scope-configs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/api-keys HTTP/1.1\r\nHost: x\r\n\r\n`,
      ).catch(() => "");
      attacks++;
      expect(smuggled).not.toMatch(/HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 200/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      report("hostile/header-injection", { attacks });
    });
  });
});
