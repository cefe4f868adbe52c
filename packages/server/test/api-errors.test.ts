import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRelink, scriptedConnector, type TestRelink } from "../src/testing/index.ts";

/** Every kind of bad input gets a clear error in the one envelope, never a crash or a 500. */
describe("bad input", () => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ connectors: [scriptedConnector().connector] });
  });
  afterAll(() => t.close());

  async function expectError(response: Response, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(body.error.request_id).toMatch(/^req_/);
    expect(response.headers.get("x-request-id")).toBe(body.error.request_id);
    return body.error as { code: string; message: string; details?: { issues?: Array<{ path: string }> } };
  }

  it("malformed JSON", async () => {
    await expectError(
      await t.request("POST", "/v1/scope-configs", { rawBody: '{"name": ' }),
      400,
      "INVALID_JSON",
    );
  });

  it("wrong types, listing each issue with its path", async () => {
    const error = await expectError(
      await t.request("POST", "/v1/scope-configs", { body: { name: 42, category: "CRM", models: [] } }),
      400,
      "INVALID_REQUEST",
    );
    expect(error.details?.issues?.map((i) => i.path)).toEqual(["body.name", "body.category", "body.models"]);
  });

  it("unknown fields", async () => {
    const error = await expectError(
      await t.request("POST", "/v1/scope-configs", {
        body: { name: "S", category: "HRIS", models: {}, colour: "red" },
      }),
      400,
      "INVALID_REQUEST",
    );
    expect(error.message).toMatch(/colour/);
  });

  it("a body that is not JSON at all, or none", async () => {
    await expectError(
      await t.request("POST", "/v1/scope-configs", {
        rawBody: "name=S",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await expectError(await t.request("POST", "/v1/scope-configs"), 400, "INVALID_REQUEST");
    await expectError(await t.request("POST", "/v1/scope-configs", { rawBody: "" }), 400, "INVALID_JSON");
    await expectError(
      await t.request("POST", "/v1/scope-configs", { rawBody: "null" }),
      400,
      "INVALID_REQUEST",
    );
  });

  it("too-large bodies", async () => {
    const big = JSON.stringify({ name: "x".repeat(2 * 1024 * 1024), category: "HRIS", models: {} });
    await expectError(
      await t.request("POST", "/v1/scope-configs", { rawBody: big }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("deeply nested JSON", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const response = await t.request("POST", "/v1/scope-configs", {
      rawBody: `{"name":"x","category":"HRIS","models":${deep}}`,
    });
    await expectError(response, 400, "INVALID_REQUEST");
  });

  it("unknown routes and wrong methods", async () => {
    await expectError(await t.request("GET", "/v2/nothing"), 404, "NOT_FOUND");
    await expectError(await t.request("GET", "/v1/nothing"), 404, "NOT_FOUND");
    const response = await t.request("DELETE", "/v1/scope-configs");
    expect(response.headers.get("allow")).toMatch(/GET/);
    await expectError(response, 405, "METHOD_NOT_ALLOWED");
    await expectError(await t.request("PUT", "/healthz", { key: null }), 405, "METHOD_NOT_ALLOWED");
  });

  it("bad path parameters and query values", async () => {
    await expectError(await t.request("GET", "/v1/integrations/not-an-id"), 400, "INVALID_REQUEST");
    await expectError(await t.request("GET", "/v1/integrations?limit=0"), 400, "INVALID_REQUEST");
    await expectError(await t.request("GET", "/v1/integrations?limit=abc"), 400, "INVALID_REQUEST");
    await expectError(await t.request("GET", "/v1/integrations?state=BROKEN"), 400, "INVALID_REQUEST");
    await expectError(await t.request("GET", "/v1/integrations?cursor=%%%"), 400, "INVALID_REQUEST");
    await expectError(await t.request("GET", "/v1/integrations?cursor=aW50X2Zvbw"), 400, "INVALID_REQUEST");
  });

  it("missing, malformed and unknown API keys", async () => {
    const missing = await t.request("GET", "/v1/tools", { key: null });
    expect(missing.headers.get("www-authenticate")).toMatch(/Bearer/);
    await expectError(missing, 401, "UNAUTHORIZED");
    await expectError(
      await t.request("GET", "/v1/tools", { headers: { authorization: "Basic abc" }, key: null }),
      401,
      "UNAUTHORIZED",
    );
    await expectError(await t.request("GET", "/v1/tools", { key: "rlk_nope" }), 401, "UNAUTHORIZED");
  });

  it("keeps a well-formed incoming request id and replaces a hostile one", async () => {
    const kept = await t.request("GET", "/v1/nothing", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await t.request("GET", "/v1/nothing", {
      headers: { "x-request-id": "bad id\twith <script>" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("never answers 500 for unexpected shapes of valid JSON", async () => {
    for (const body of [
      "[]",
      '"text"',
      "123",
      "true",
      '{"models":{"employees":null}}',
      '{"__proto__":{"x":1}}',
    ]) {
      const response = await t.request("POST", "/v1/scope-configs", { rawBody: body });
      expect(response.status).toBe(400);
    }
  });
});
