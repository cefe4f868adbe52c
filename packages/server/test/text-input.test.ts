import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { b64url, handSignHs256, newJti } from "./flow-tokens-support.ts";

/**
 * Text PostgreSQL cannot keep as sent — a NUL character (refused by `text` and `jsonb`) or an
 * unpaired surrogate (replaced in `text`, refused by `jsonb`) — is refused the same way on both
 * databases, at the edge, as `400 INVALID_REQUEST` naming the field; never a 500. And nothing a
 * token says reaches a query before its signature is checked.
 */
describe.each(availableDialects())("text that cannot be stored on %s", (dialect) => {
  let t: TestRelink;
  let integrationId: string;
  let relinkToken: string;
  let signingKey: { id: string; secret: string };
  let serverKeyId: string;

  beforeAll(async () => {
    const tool = scriptedConnector("scripted");
    tool.setKey("k1");
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    const imported = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "o", organization_name: "O" },
        credentials: { api_key: "k1" },
      },
    });
    integrationId = ((await imported.json()) as { id: string }).id;
    const link = await t.request("POST", `/v1/integrations/${integrationId}/relink`, { body: {} });
    relinkToken = ((await link.json()) as { token: string }).token;
    serverKeyId = JSON.parse(Buffer.from(relinkToken.split(".")[0] ?? "", "base64url").toString()).kid;
    signingKey = (await (
      await t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } })
    ).json()) as { id: string; secret: string };
  });
  afterAll(() => t?.close());

  const errorLogs = () => t.logs.filter((line) => Number(line.level) >= 50 || line.level === "error");

  const refusal = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as { error: Record<string, unknown> }, text };
  };

  const now = () => Math.floor(t.clock.now().getTime() / 1000);

  describe("a forged token naming ids with a NUL is refused by its signature, before any lookup", () => {
    const forged = (kid: () => string, payload: () => Record<string, unknown>) => () =>
      `${b64url(JSON.stringify({ alg: "HS256", typ: "relink-flow+jwt", kid: kid() }))}.${b64url(
        JSON.stringify(payload()),
      )}.${b64url("not a signature at all, 32 bytes")}`;
    const base = () => ({
      iss: t.workspaceId,
      aud: "relink",
      flow: "relink",
      sub: integrationId,
      jti: newJti(),
      iat: now(),
      exp: now() + 600,
    });
    const cases: Array<[string, () => string]> = [
      [
        "jti (workspace key)",
        forged(
          () => signingKey.id,
          () => ({ ...base(), jti: "abcdefghijklmnop\u0000" }),
        ),
      ],
      [
        "sub (workspace key)",
        forged(
          () => signingKey.id,
          () => ({ ...base(), sub: "int_\u0000" }),
        ),
      ],
      [
        "scope_config_id (workspace key)",
        forged(
          () => signingKey.id,
          () => ({ ...base(), scope_config_id: "sc_\u0000x" }),
        ),
      ],
      [
        "jti (server key)",
        forged(
          () => serverKeyId,
          () => ({ ...base(), jti: "\u0000".repeat(20) }),
        ),
      ],
      [
        "sub (server key)",
        forged(
          () => serverKeyId,
          () => ({ ...base(), sub: `${integrationId}\u0000` }),
        ),
      ],
    ];
    for (const [what, make] of cases) {
      it(`NUL in ${what}: 401 TOKEN_SIGNATURE_INVALID on flow, credentials and exit, no error logged`, async () => {
        const token = make();
        const before = errorLogs().length;
        for (const [method, path, body] of [
          ["GET", "/connect/v1/flow", undefined],
          ["POST", "/connect/v1/credentials", { values: { api_key: "k1" } }],
          ["POST", "/connect/v1/exit", { step: "intro", reason: "closed" }],
        ] as const) {
          const answer = await refusal(await t.request(method, path, { key: token, body }));
          expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(401);
          expect(answer.body.error.code).toBe("TOKEN_SIGNATURE_INVALID");
        }
        expect(errorLogs().slice(before)).toEqual([]);
      });
    }
  });

  describe("NUL and unpaired surrogates in a request are 400 INVALID_REQUEST naming the field", () => {
    const cases: Array<[string, string, string, () => Record<string, unknown> | undefined, string?]> = [
      [
        "a scope config's name",
        "POST",
        "/v1/scope-configs",
        () => ({ name: "S\u0000", category: "HRIS", models: { teams: { setting: "ENABLED" } } }),
        "body.name",
      ],
      [
        "an integration's origin_id",
        "POST",
        "/v1/integrations",
        () => ({
          tool: "scripted",
          end_user: { origin_id: "o\u0000", organization_name: "O" },
          credentials: { api_key: "k1" },
        }),
        "body.end_user.origin_id",
      ],
      [
        "an integration's organisation name (unpaired surrogate)",
        "POST",
        "/v1/integrations",
        () => ({
          tool: "scripted",
          end_user: { origin_id: "o2", organization_name: "Acme \ud800" },
          credentials: { api_key: "k1" },
        }),
        "body.end_user.organization_name",
      ],
      [
        "a credential field's name",
        "POST",
        "/v1/integrations",
        () => ({
          tool: "scripted",
          end_user: { origin_id: "o3", organization_name: "O" },
          credentials: { "api_key\u0000": "k1" },
        }),
        "body.credentials",
      ],
      [
        "a webhook endpoint's description",
        "POST",
        "/v1/webhook-endpoints",
        () => ({ url: "https://hooks.example.com/relink", description: "mine\u0000" }),
        "body.description",
      ],
      ["an API key's name", "POST", "/v1/api-keys", () => ({ name: "ci\u0000" }), "body.name"],
      ["the integrations search", "GET", "/v1/integrations?q=a%00b", () => undefined, "query.q"],
      [
        "the integrations origin filter",
        "GET",
        "/v1/integrations?end_user_origin_id=%00",
        () => undefined,
        "query.end_user_origin_id",
      ],
      ["an integration id in the path", "GET", "/v1/integrations/int_%00", () => undefined, "param.id"],
      ["a tool id in the path", "GET", "/v1/tools/scripted%00", () => undefined, "param.tool"],
    ];
    it.each(cases)("%s", async (_what, method, path, body, field) => {
      const before = errorLogs().length;
      const answer = await refusal(await t.request(method, path, { body: body() }));
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error.code).toBe("INVALID_REQUEST");
      const issues = (answer.body.error.details as { issues: Array<{ path: string }> }).issues;
      expect(issues.map((issue) => issue.path)).toContainEqual(expect.stringContaining(field ?? ""));
      expect(errorLogs().slice(before)).toEqual([]);
    });

    it("in the connect API: ?tool=, the exit reason, submitted values and opt-outs", async () => {
      const link = await t.request("POST", `/v1/integrations/${integrationId}/relink`, { body: {} });
      const token = ((await link.json()) as { token: string }).token;
      const before = errorLogs().length;
      for (const [method, path, body, field] of [
        ["GET", "/connect/v1/flow?tool=scripted%00", undefined, "query.tool"],
        ["POST", "/connect/v1/exit", { step: "intro", reason: "bye\u0000" }, "body.reason"],
        [
          "POST",
          "/connect/v1/credentials",
          { values: { api_key: "k1" }, tool: "scripted\u0000" },
          "body.tool",
        ],
        ["POST", "/connect/v1/credentials", { values: { "\u0000": "k1" } }, "body.values"],
        [
          "POST",
          "/connect/v1/credentials",
          { values: { api_key: "k1" }, opted_out: ["x\u0000"] },
          "body.opted_out.0",
        ],
      ] as const) {
        const answer = await refusal(await t.request(method, path, { key: token, body }));
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(400);
        expect(answer.body.error.code).toBe("INVALID_REQUEST");
        const issues = (answer.body.error.details as { issues: Array<{ path: string }> }).issues;
        expect(issues.map((issue) => issue.path)).toContainEqual(expect.stringContaining(field));
      }
      expect(errorLogs().slice(before)).toEqual([]);
      // The link still works: nothing was recorded for the refused requests.
      expect((await t.request("GET", "/connect/v1/flow", { key: token })).status).toBe(200);
    });
  });

  it("a signed connect token whose organisation name has a NUL: 401 TOKEN_CLAIM_INVALID naming the claim", async () => {
    const before = errorLogs().length;
    for (const [claim, endUser] of [
      ["end_user.organization_name", { origin_id: "org-9", organization_name: "Glo\u0000bex" }],
      ["end_user.origin_id", { origin_id: "\u0000", organization_name: "Globex" }],
      ["end_user.organization_name", { origin_id: "org-9", organization_name: "\udc00Globex" }],
    ] as const) {
      const token = handSignHs256(
        { alg: "HS256", typ: "relink-flow+jwt", kid: signingKey.id },
        {
          iss: t.workspaceId,
          aud: "relink",
          flow: "connect",
          end_user: endUser,
          jti: newJti(),
          iat: now(),
          exp: now() + 600,
        },
        signingKey.secret,
      );
      for (const [method, path, body] of [
        ["GET", "/connect/v1/flow", undefined],
        ["POST", "/connect/v1/credentials", { tool: "scripted", values: { api_key: "k1" } }],
        ["POST", "/connect/v1/exit", { step: "intro", reason: "closed" }],
      ] as const) {
        const answer = await refusal(await t.request(method, path, { key: token, body }));
        expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(401);
        expect(answer.body.error.code).toBe("TOKEN_CLAIM_INVALID");
        expect(answer.body.error.details).toEqual({ claim });
        expect(answer.body.error.message).toContain(claim);
      }
    }
    expect(errorLogs().slice(before)).toEqual([]);
  });
});
