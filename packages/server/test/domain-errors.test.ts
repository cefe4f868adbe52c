import { ERROR_CODES } from "@relink/sdk/contract";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { RateLimiter } from "../src/connect/rate-limit.ts";
import { ConnectorRegistry } from "../src/connectors/types.ts";
import { DomainError } from "../src/domain/errors.ts";
import { assertValidScope } from "../src/domain/scope-configs.ts";
import { verifyCredentials } from "../src/domain/tool-checks.ts";
import type { AppEnv } from "../src/http/env.ts";
import { STATUS_OF_CODE } from "../src/http/errors.ts";
import { onError } from "../src/http/middleware.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

interface Envelope {
  error: { code: string; message: string; details?: unknown };
}

/** A domain refusal knows no status: the one table in `http/errors.ts` gives it, and the envelope carries the rest. */
describe("a DomainError answered by the error handler", () => {
  const appThrowing = (error: DomainError) => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.get("/", () => {
      throw error;
    });
    return app;
  };

  it.each(ERROR_CODES)("answers %s with the status of STATUS_OF_CODE", async (code) => {
    const response = await appThrowing(new DomainError(code, `refused with ${code}`)).request("/");
    expect(response.status).toBe(STATUS_OF_CODE[code]);
    const body = (await response.json()) as Envelope;
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBe(`refused with ${code}`);
    expect(response.headers.get("retry-after")).toBeNull();
  });

  it("answers its details and its Retry-After in whole seconds, rounded up", async () => {
    const response = await appThrowing(
      new DomainError("RATE_LIMITED", "Too many attempts.", {
        details: { retry_after: 3 },
        retryAfterSeconds: 2.2,
      }),
    ).request("/");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toMatchObject({
      error: { code: "RATE_LIMITED", message: "Too many attempts.", details: { retry_after: 3 } },
    });
  });
});

describe("refusals of the domain are DomainErrors, without HTTP", () => {
  it("the connect API's rate limiter refuses with RATE_LIMITED and when to retry", () => {
    const limiter = new RateLimiter("with this link", 1, 60_000, new ManualClock());
    limiter.hit("k");
    let refused: unknown;
    try {
      limiter.hit("k");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: "RATE_LIMITED",
      retryAfterSeconds: 60,
      details: { retry_after: 60 },
    });
  });

  it("tool checks and scope checks refuse with DomainErrors", async () => {
    const tool = scriptedConnector();
    tool.setKey("key-down", { outcome: "INCONCLUSIVE" });
    const log = { error: () => {} } as never;
    await expect(verifyCredentials({ log }, tool.connector, { api_key: "key-down" })).rejects.toMatchObject({
      name: "DomainError",
      code: "TOOL_UNREACHABLE",
      retryAfterSeconds: 5,
    });
    await expect(verifyCredentials({ log }, tool.connector, { api_key: "key-none" })).rejects.toBeInstanceOf(
      DomainError,
    );
    expect(() =>
      assertValidScope(new ConnectorRegistry([tool.connector]), "HRIS", {
        payroll: { setting: "ENABLED" },
      } as never),
    ).toThrow(DomainError);
  });
});

describe.each(availableDialects())(
  "a DomainError thrown in the domain reaches the client on %s",
  (dialect) => {
    let t: TestRelink;
    const tool = scriptedConnector();
    beforeAll(async () => {
      t = await createTestRelink({ dialect, connectors: [tool.connector] });
      tool.setKey("key-down", { outcome: "INCONCLUSIVE" });
    });
    afterAll(() => t.close());

    it("with the table's status, its code, message and Retry-After (tool checks)", async () => {
      const response = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "x", organization_name: "X" },
          credentials: { api_key: "key-down" },
        },
      });
      expect(response.status).toBe(STATUS_OF_CODE.TOOL_UNREACHABLE);
      expect(response.headers.get("retry-after")).toBe("5");
      const body = (await response.json()) as Envelope;
      expect(body.error.code).toBe("TOOL_UNREACHABLE");
      expect(body.error.message).toMatch(/^Scripted HR could not be reached to check the credentials/);
    });

    it("with the table's status, its code, message and details (scope checks)", async () => {
      const response = await t.request("POST", "/v1/scope-configs", {
        body: { name: "Bad", category: "HRIS", models: { payroll: { setting: "ENABLED" } } },
      });
      expect(response.status).toBe(STATUS_OF_CODE.SCOPE_CONFIG_INVALID);
      const body = (await response.json()) as Envelope & {
        error: { details: { issues: Array<{ path: string }> } };
      };
      expect(body.error.code).toBe("SCOPE_CONFIG_INVALID");
      expect(body.error.message).toContain('unknown model "payroll"');
      expect(body.error.details.issues.map((issue) => issue.path)).toEqual([
        expect.stringContaining("payroll"),
      ]);
    });
  },
);
