import { createHmac } from "node:crypto";
import { ERROR_CODES, type ErrorCode } from "@relink/sdk/contract";
import { generateKeyPair } from "jose";
import type { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { iso } from "../src/clock.ts";
import { DomainError } from "../src/domain/errors.ts";
import { findIntegration } from "../src/domain/integrations.ts";
import { resolveFlow } from "../src/domain/relink.ts";
import { findScopeConfig } from "../src/domain/scope-configs.ts";
import {
  isFlowTokenSpent,
  signFlowToken,
  spendFlowToken,
  verifyFlowToken,
} from "../src/flow-tokens/verify.ts";
import { STATUS_OF_CODE } from "../src/http/errors.ts";
import { newId } from "../src/ids.ts";
import { availableDialects } from "../src/testing/index.ts";
import {
  b64url,
  createFlowTokenFixture,
  type FlowTokenFixture,
  forge,
  handSignHs256,
  newJti,
  rawToken,
} from "./flow-tokens-support.ts";

const TYP = "relink-flow+jwt";

describe.each(availableDialects())("flow-token verification on %s", (dialect) => {
  let f: FlowTokenFixture;
  beforeAll(async () => {
    f = await createFlowTokenFixture(dialect);
  });
  afterAll(() => f.close());

  /** Valid relink claims for the fixture's workspace, overridable (undefined removes a claim). */
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = f.now();
    const base: Record<string, unknown> = {
      iss: f.workspaceId,
      aud: "relink",
      sub: f.integrationId,
      flow: "relink",
      jti: newJti(),
      iat: now,
      exp: now + 900,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
  };
  const connectClaims = (overrides: Record<string, unknown> = {}) =>
    claims({
      sub: undefined,
      flow: "connect",
      end_user: { origin_id: "org-9", organization_name: "Globex" },
      ...overrides,
    });
  const hsHeader = (overrides: Record<string, unknown> = {}) => ({
    alg: "HS256",
    typ: TYP,
    kid: f.hs.id,
    ...overrides,
  });
  const hs = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    handSignHs256(hsHeader(header), payload, f.hs.secret);

  /** The refusal's code, and the claim it names (only a claim refusal names one). */
  const refusal = async (token: string | undefined): Promise<{ code: ErrorCode | "OK"; claim?: string }> => {
    try {
      await verifyFlowToken(f.t.server.ctx, token);
      return { code: "OK" };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // A domain refusal: the status it is answered with comes from the one table.
      expect(STATUS_OF_CODE[error.code]).toBe(error.code === "TOKEN_ALREADY_USED" ? 409 : 401);
      if (error.code === "TOKEN_CLAIM_MISSING" || error.code === "TOKEN_CLAIM_INVALID") {
        // A claim refusal names the claim (message and details.claim), and says nothing else.
        const { claim } = error.details as { claim: string };
        expect(error.details).toEqual({ claim: expect.stringMatching(/^[a-z_]+(\.[a-z_]+)*$/) });
        expect(error.message).toContain(claim);
        return { code: error.code, claim };
      }
      // Any other refusal says which check failed and nothing else.
      expect(error.details).toBeUndefined();
      return { code: error.code };
    }
  };
  const outcome = async (token: string | undefined): Promise<ErrorCode | "OK"> => (await refusal(token)).code;

  describe("accepts well-formed tokens", () => {
    it("HS256, EdDSA and ES256, relink and connect", async () => {
      expect(await outcome(hs(claims()))).toBe("OK");
      expect(
        await outcome(
          hs(connectClaims({ tool: "scripted", locale: "de", scope_config_id: f.scopeConfigId })),
        ),
      ).toBe("OK");
      expect(
        await outcome(await forge({ alg: "ES256", typ: TYP, kid: f.es.id }, claims(), f.es.privateKey)),
      ).toBe("OK");
      expect(
        await outcome(await forge({ alg: "EdDSA", typ: TYP, kid: f.ed.id }, claims(), f.ed.privateKey)),
      ).toBe("OK");
    });

    it("returns the typed claims, the workspace and the key", async () => {
      const payload = claims({ scope_config_id: f.scopeConfigId, locale: "fr" });
      const verified = await verifyFlowToken(f.t.server.ctx, hs(payload));
      expect(verified).toMatchObject({
        workspaceId: f.workspaceId,
        keyId: f.hs.id,
        serverIssued: false,
        claims: {
          flow: "relink",
          sub: f.integrationId,
          scope_config_id: f.scopeConfigId,
          locale: "fr",
          jti: payload.jti,
        },
      });
      expect(verified.expiresAt.getTime()).toBe((payload.exp as number) * 1000);
    });

    it("accepts an audience list that contains relink (RFC 7519 section 4.1.3)", async () => {
      expect(await outcome(hs(claims({ aud: ["relink"] })))).toBe("OK");
      expect(await outcome(hs(claims({ aud: ["billing", "relink"] })))).toBe("OK");
      expect(await outcome(hs(connectClaims({ aud: ["relink"], tool: "scripted" })))).toBe("OK");
    });

    it("tolerates 60 s of clock skew either way, and an application/ prefix on typ", async () => {
      const now = f.now();
      expect(await outcome(hs(claims({ iat: now - 900, exp: now - 59 })))).toBe("OK");
      expect(await outcome(hs(claims({ iat: now + 59, exp: now + 600, nbf: now + 59 })))).toBe("OK");
      expect(await outcome(hs(claims(), { typ: "application/relink-flow+JWT" }))).toBe("OK");
      expect(await outcome(hs(claims({ iat: now, exp: now + 3600 })))).toBe("OK");
    });
  });

  // Every refusal of DESIGN section 3, each token built by hand.
  const refusals: Array<
    [
      string,
      ErrorCode,
      (f: FlowTokenFixture) => Promise<string | undefined> | string | undefined,
      // The claim a TOKEN_CLAIM_* refusal names.
      string?,
    ]
  > = [
    ["no token", "TOKEN_MISSING", () => undefined],
    ["an empty token", "TOKEN_MISSING", () => ""],
    [
      "a token over 4 KB (refused before parsing)",
      "TOKEN_TOO_LARGE",
      () => hs(claims({ padding: "x".repeat(4200) })),
    ],
    ["over 4 KB of garbage", "TOKEN_TOO_LARGE", () => "%".repeat(5000)],
    // 1,500 UTF-16 units, 4,500 bytes of UTF-8: the bytes count.
    ["over 4 KB of three-byte characters in fewer units", "TOKEN_TOO_LARGE", () => "€".repeat(1500)],
    // 1,365 units of 3 bytes, 4,095 bytes: not too large, but no token either.
    ["just under 4 KB of three-byte characters", "TOKEN_MALFORMED", () => "€".repeat(1365)],
    ["garbage", "TOKEN_MALFORMED", () => "not a jwt"],
    ["two segments", "TOKEN_MALFORMED", () => `${b64url('{"alg":"HS256"}')}.${b64url("{}")}`],
    ["a JWE-like five segments", "TOKEN_MALFORMED", () => "a.b.c.d.e"],
    ["a header that is not JSON", "TOKEN_MALFORMED", () => rawToken("{alg:HS256", "{}", "c2ln")],
    ["a payload that is not a JSON object", "TOKEN_MALFORMED", () => handSignHs256Raw(hsHeader(), "[1,2,3]")],
    ["a payload that is not JSON", "TOKEN_MALFORMED", () => handSignHs256Raw(hsHeader(), "iss=ws")],
    [
      "an unknown critical header",
      "TOKEN_MALFORMED",
      () => handSignHs256Raw(hsHeader({ crit: ["exp-v2"], "exp-v2": 1 }), JSON.stringify(claims())),
    ],
    [
      "alg none with no signature",
      "TOKEN_ALGORITHM_INVALID",
      () => rawToken(JSON.stringify({ alg: "none", typ: TYP, kid: f.hs.id }), JSON.stringify(claims())),
    ],
    [
      "alg None (case games)",
      "TOKEN_ALGORITHM_INVALID",
      () => rawToken(JSON.stringify({ alg: "None", typ: TYP, kid: f.hs.id }), JSON.stringify(claims())),
    ],
    ["no alg", "TOKEN_ALGORITHM_INVALID", () => hs(claims(), { alg: undefined })],
    ["alg HS512", "TOKEN_ALGORITHM_INVALID", () => hs(claims(), { alg: "HS512" })],
    ["alg RS256", "TOKEN_ALGORITHM_INVALID", () => hs(claims(), { alg: "RS256" })],
    [
      "HS256 signed with the public JWK of an ES256 key (key confusion)",
      "TOKEN_ALGORITHM_INVALID",
      (f) =>
        handSignHs256({ alg: "HS256", typ: TYP, kid: f.es.id }, claims(), JSON.stringify(f.es.publicJwk)),
    ],
    [
      "HS256 signed with the raw public key of an EdDSA key (key confusion)",
      "TOKEN_ALGORITHM_INVALID",
      (f) =>
        handSignHs256(
          { alg: "HS256", typ: TYP, kid: f.ed.id },
          claims(),
          Buffer.from(f.ed.publicJwk.x!, "base64url"),
        ),
    ],
    [
      "ES256 claimed for an HS256 key",
      "TOKEN_ALGORITHM_INVALID",
      (f) => forge({ alg: "ES256", typ: TYP, kid: f.hs.id }, claims(), f.es.privateKey),
    ],
    [
      "EdDSA claimed for an ES256 key",
      "TOKEN_ALGORITHM_INVALID",
      (f) => forge({ alg: "EdDSA", typ: TYP, kid: f.es.id }, claims(), f.ed.privateKey),
    ],
    ["no typ", "TOKEN_TYPE_INVALID", () => hs(claims(), { typ: undefined })],
    ["typ JWT", "TOKEN_TYPE_INVALID", () => hs(claims(), { typ: "JWT" })],
    ["typ at+jwt (an access token)", "TOKEN_TYPE_INVALID", () => hs(claims(), { typ: "at+jwt" })],
    ["no kid", "TOKEN_KEY_UNKNOWN", () => hs(claims(), { kid: undefined })],
    ["an unknown kid", "TOKEN_KEY_UNKNOWN", () => hs(claims(), { kid: newId("sk") })],
    ["a kid that is not an id", "TOKEN_KEY_UNKNOWN", () => hs(claims(), { kid: "' or 1=1 --" })],
    ["a numeric kid", "TOKEN_KEY_UNKNOWN", () => hs(claims(), { kid: 42 })],
    [
      "a revoked key",
      "TOKEN_KEY_REVOKED",
      async (f) => {
        const key = (await (
          await f.t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } })
        ).json()) as {
          id: string;
          secret: string;
        };
        const token = handSignHs256({ alg: "HS256", typ: TYP, kid: key.id }, claims(), key.secret);
        expect(await outcome(token)).toBe("OK");
        expect((await f.t.request("DELETE", `/v1/signing-keys/${key.id}`)).status).toBe(204);
        return token;
      },
    ],
    [
      "a signature by another secret",
      "TOKEN_SIGNATURE_INVALID",
      () => handSignHs256(hsHeader(), claims(), "not-the-secret"),
    ],
    [
      "a signature made with the decoded secret bytes instead of the secret string",
      "TOKEN_SIGNATURE_INVALID",
      (f) => handSignHs256(hsHeader(), claims(), Buffer.from(f.hs.secret, "base64url")),
    ],
    [
      "a tampered payload (sub swapped after signing)",
      "TOKEN_SIGNATURE_INVALID",
      (f) => {
        const [h, , s] = hs(claims()).split(".");
        return `${h}.${b64url(JSON.stringify(claims({ sub: f.other.integrationId })))}.${s}`;
      },
    ],
    [
      "an empty signature",
      "TOKEN_SIGNATURE_INVALID",
      () => `${hs(claims()).split(".").slice(0, 2).join(".")}.`,
    ],
    [
      "an EdDSA signature by another Ed25519 key",
      "TOKEN_SIGNATURE_INVALID",
      async (f) =>
        forge(
          { alg: "EdDSA", typ: TYP, kid: f.ed.id },
          claims(),
          (await generateKeyPair("EdDSA")).privateKey,
        ),
    ],
    [
      "an ES256 signature by another P-256 key",
      "TOKEN_SIGNATURE_INVALID",
      async (f) =>
        forge(
          { alg: "ES256", typ: TYP, kid: f.es.id },
          claims(),
          (await generateKeyPair("ES256")).privateKey,
        ),
    ],
    ["another audience", "TOKEN_AUDIENCE_INVALID", () => hs(claims({ aud: "stripe" }))],
    [
      "an audience list without relink",
      "TOKEN_AUDIENCE_INVALID",
      () => hs(claims({ aud: ["stripe", "other"] })),
    ],
    ["an empty audience list", "TOKEN_AUDIENCE_INVALID", () => hs(claims({ aud: [] }))],
    ["an audience list with a number", "TOKEN_AUDIENCE_INVALID", () => hs(claims({ aud: ["relink", 7] }))],
    ["an audience object", "TOKEN_AUDIENCE_INVALID", () => hs(claims({ aud: { relink: true } }))],
    ["no audience", "TOKEN_CLAIM_MISSING", () => hs(claims({ aud: undefined })), "aud"],
    ["another workspace as issuer", "TOKEN_ISSUER_INVALID", (f) => hs(claims({ iss: f.other.workspaceId }))],
    [
      "the other workspace's key signing for this workspace",
      "TOKEN_ISSUER_INVALID",
      (f) => handSignHs256({ alg: "HS256", typ: TYP, kid: f.other.hs.id }, claims(), f.other.hs.secret),
    ],
    ["no issuer", "TOKEN_CLAIM_MISSING", () => hs(claims({ iss: undefined })), "iss"],
    ["expired beyond the skew", "TOKEN_EXPIRED", () => hs(claims({ iat: f.now() - 900, exp: f.now() - 61 }))],
    ["long expired", "TOKEN_EXPIRED", () => hs(claims({ iat: 1_000_000, exp: 1_000_600 }))],
    ["nbf in the future", "TOKEN_NOT_YET_VALID", () => hs(claims({ nbf: f.now() + 120 }))],
    [
      "iat in the future",
      "TOKEN_NOT_YET_VALID",
      () => hs(claims({ iat: f.now() + 120, exp: f.now() + 900 })),
    ],
    [
      "a lifetime of 1 hour and 1 second",
      "TOKEN_LIFETIME_TOO_LONG",
      () => hs(claims({ exp: f.now() + 3601 })),
    ],
    [
      "a 7-day customer token carrying the jti of a server link",
      "TOKEN_LIFETIME_TOO_LONG",
      async (f) => {
        const link = await signFlowToken(f.t.server.ctx, {
          workspaceId: f.workspaceId,
          claims: { flow: "relink", sub: f.integrationId },
          lifetime: 7 * 86400,
        });
        await insertLink(f, link.jti);
        return hs(claims({ jti: link.jti, exp: f.now() + 7 * 86400 }));
      },
    ],
    [
      "a 7-day server token with no link recorded",
      "TOKEN_LIFETIME_TOO_LONG",
      async (f) =>
        (
          await signFlowToken(f.t.server.ctx, {
            workspaceId: f.workspaceId,
            claims: { flow: "relink", sub: f.integrationId },
            lifetime: 7 * 86400,
          })
        ).token,
    ],
    ["no jti", "TOKEN_CLAIM_MISSING", () => hs(claims({ jti: undefined })), "jti"],
    ["a short jti", "TOKEN_CLAIM_INVALID", () => hs(claims({ jti: "1" })), "jti"],
    ["a jti with a NUL", "TOKEN_CLAIM_INVALID", () => hs(claims({ jti: `${newJti()}\u0000` })), "jti"],
    ["no exp", "TOKEN_CLAIM_MISSING", () => hs(claims({ exp: undefined })), "exp"],
    ["no iat", "TOKEN_CLAIM_MISSING", () => hs(claims({ iat: undefined })), "iat"],
    ["exp as a string", "TOKEN_CLAIM_INVALID", () => hs(claims({ exp: String(f.now() + 600) })), "exp"],
    ["iat as a string", "TOKEN_CLAIM_INVALID", () => hs(claims({ iat: String(f.now()) })), "iat"],
    ["no flow", "TOKEN_CLAIM_MISSING", () => hs(claims({ flow: undefined })), "flow"],
    ["an unknown flow", "TOKEN_CLAIM_INVALID", () => hs(claims({ flow: "admin" })), "flow"],
    ["a relink token with no sub", "TOKEN_CLAIM_MISSING", () => hs(claims({ sub: undefined })), "sub"],
    [
      "a sub that is not an integration id",
      "TOKEN_CLAIM_INVALID",
      () => hs(claims({ sub: "ws_0000000000abcdef" })),
      "sub",
    ],
    [
      "a sub with a NUL",
      "TOKEN_CLAIM_INVALID",
      (f) => hs(claims({ sub: `${f.integrationId}\u0000` })),
      "sub",
    ],
    [
      "a scope_config_id with a NUL",
      "TOKEN_CLAIM_INVALID",
      (f) => hs(claims({ scope_config_id: `${f.scopeConfigId}\u0000` })),
      "scope_config_id",
    ],
    [
      "a connect token with no end_user",
      "TOKEN_CLAIM_MISSING",
      () => hs(connectClaims({ end_user: undefined })),
      "end_user",
    ],
    [
      "a connect token with no organisation name",
      "TOKEN_CLAIM_MISSING",
      () => hs(connectClaims({ end_user: { origin_id: "o" } })),
      "end_user.organization_name",
    ],
    [
      "a connect token whose organisation name has a NUL",
      "TOKEN_CLAIM_INVALID",
      () => hs(connectClaims({ end_user: { origin_id: "o", organization_name: "Acme\u0000" } })),
      "end_user.organization_name",
    ],
    [
      "a connect token whose origin id has an unpaired surrogate",
      "TOKEN_CLAIM_INVALID",
      () => hs(connectClaims({ end_user: { origin_id: "o\ud800", organization_name: "Acme" } })),
      "end_user.origin_id",
    ],
    [
      "a connect token with a sub",
      "TOKEN_CLAIM_INVALID",
      (f) => hs(connectClaims({ sub: f.integrationId })),
      "sub",
    ],
    [
      "a connect token for an unknown tool",
      "TOKEN_CLAIM_INVALID",
      () => hs(connectClaims({ tool: "sap" })),
      "tool",
    ],
    ["an unsupported locale", "TOKEN_CLAIM_INVALID", () => hs(claims({ locale: "pt" })), "locale"],
    [
      "an integration of another workspace",
      "TOKEN_SUBJECT_UNKNOWN",
      (f) => hs(claims({ sub: f.other.integrationId })),
    ],
    ["an integration that does not exist", "TOKEN_SUBJECT_UNKNOWN", () => hs(claims({ sub: newId("int") }))],
    [
      "a scope config of another workspace",
      "TOKEN_SCOPE_CONFIG_UNKNOWN",
      (f) => hs(claims({ scope_config_id: f.other.scopeConfigId })),
    ],
    [
      "a deleted scope config",
      "TOKEN_SCOPE_CONFIG_UNKNOWN",
      async (f) => {
        const sc = (await (
          await f.t.request("POST", "/v1/scope-configs", {
            body: { name: "Gone", category: "HRIS", models: { teams: { setting: "ENABLED" } } },
          })
        ).json()) as { id: string };
        expect((await f.t.request("DELETE", `/v1/scope-configs/${sc.id}`)).status).toBe(204);
        return hs(claims({ scope_config_id: sc.id }));
      },
    ],
    [
      "a token that already completed a flow",
      "TOKEN_ALREADY_USED",
      async (f) => {
        const payload = claims();
        await spendFlowToken(f.t.server.ctx.db, {
          jti: payload.jti as string,
          workspaceId: f.workspaceId,
          integrationId: f.integrationId,
          at: iso(f.t.clock.now()),
        });
        return hs(payload);
      },
    ],
  ];

  it(`covers every TOKEN_* code with at least 20 malicious tokens (${refusals.length})`, () => {
    expect(refusals.length).toBeGreaterThanOrEqual(20);
    const covered = new Set(refusals.map(([, code]) => code));
    expect(ERROR_CODES.filter((code) => code.startsWith("TOKEN_") && !covered.has(code))).toEqual([]);
  });

  it.each(refusals)("refuses %s with %s", async (_name, code, make, claim) => {
    expect(await refusal(await make(f))).toEqual(claim === undefined ? { code } : { code, claim });
  });

  it("names the claim of every TOKEN_CLAIM_* refusal in the table", () => {
    const unnamed = refusals.filter(([, code, , claim]) => code.startsWith("TOKEN_CLAIM_") && !claim);
    expect(unnamed.map(([name]) => name)).toEqual([]);
  });

  describe("a forged token is refused by its signature before anything it names is looked up", () => {
    // NUL cannot be stored by PostgreSQL: a lookup of any of these would fail there with a 500.
    const forged = (kid: string, payload: Record<string, unknown>) =>
      `${b64url(JSON.stringify({ alg: "HS256", typ: TYP, kid }))}.${b64url(JSON.stringify(payload))}.${b64url("forged signature of thirty-two b")}`;
    it.each([
      ["jti", { jti: "abcdefghijklmnopq\u0000" }],
      ["sub", { sub: "int_\u0000" }],
      ["scope_config_id", { scope_config_id: "sc_0000000000\u0000" }],
      ["every id", { jti: "\u0000".repeat(20), sub: "\u0000", scope_config_id: "\u0000" }],
    ])("NUL in %s: TOKEN_SIGNATURE_INVALID with the workspace's key and the server's", async (_what, bad) => {
      const link = await signFlowToken(f.t.server.ctx, {
        workspaceId: f.workspaceId,
        claims: { flow: "relink", sub: f.integrationId },
        lifetime: 600,
      });
      for (const kid of [f.hs.id, link.keyId]) {
        expect(await outcome(forged(kid, claims(bad)))).toBe("TOKEN_SIGNATURE_INVALID");
      }
    });

    it("hands only the checked kid to a query, for every algorithm and a forged payload", async () => {
      const db = f.t.server.ctx.db;
      const spy = vi.spyOn(db, "executeQuery");
      try {
        const named = claims({ scope_config_id: f.scopeConfigId, jti: "named-jti-of-a-forged-token" });
        const tokens: Array<[string, string]> = [
          [f.hs.id, forged(f.hs.id, named)],
          [
            f.es.id,
            await forge(
              { alg: "ES256", typ: TYP, kid: f.es.id },
              named,
              (await generateKeyPair("ES256")).privateKey,
            ),
          ],
          [
            f.ed.id,
            await forge(
              { alg: "EdDSA", typ: TYP, kid: f.ed.id },
              named,
              (await generateKeyPair("EdDSA")).privateKey,
            ),
          ],
        ];
        for (const [kid, token] of tokens) {
          spy.mockClear();
          expect(await outcome(token)).toBe("TOKEN_SIGNATURE_INVALID");
          const parameters = spy.mock.calls.flatMap(([query]) => [...(query as CompiledQuery).parameters]);
          expect(spy.mock.calls.length).toBeGreaterThan(0);
          expect(parameters.filter((value) => typeof value === "string")).toEqual([kid]);
        }
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe("links made by the server", () => {
    it("accepts a 7-day link it recorded, signed with its own key, and marks it server-issued", async () => {
      const link = await signFlowToken(f.t.server.ctx, {
        workspaceId: f.workspaceId,
        claims: { flow: "relink", sub: f.integrationId, scope_config_id: f.scopeConfigId, locale: "it" },
        lifetime: 7 * 86400,
      });
      await insertLink(f, link.jti);
      const verified = await verifyFlowToken(f.t.server.ctx, link.token);
      expect(verified).toMatchObject({ serverIssued: true, keyId: link.keyId, workspaceId: f.workspaceId });
      expect(verified.claims).toMatchObject({ flow: "relink", sub: f.integrationId, locale: "it" });
      expect(link.keyId).toMatch(/^sks_/);
      // Still valid after 6 days, expired after 7 (plus the skew).
      f.t.clock.advance(6 * 86400_000);
      expect(await outcome(link.token)).toBe("OK");
      f.t.clock.advance(86400_000 + 61_000);
      expect(await outcome(link.token)).toBe("TOKEN_EXPIRED");
      f.t.clock.advance(-(7 * 86400_000 + 61_000));
    });

    it("refuses links over 30 days even when recorded, and lifetimes it cannot sign", async () => {
      await expect(
        signFlowToken(f.t.server.ctx, {
          workspaceId: f.workspaceId,
          claims: { flow: "relink", sub: f.integrationId },
          lifetime: 31 * 86400,
        }),
      ).rejects.toThrow(RangeError);
      // Forged with the server key's secret (as if leaked) to get past signing: still capped.
      const link = await signFlowToken(f.t.server.ctx, {
        workspaceId: f.workspaceId,
        claims: { flow: "relink", sub: f.integrationId },
        lifetime: 60,
      });
      const row = await f.t.server.ctx.db
        .selectFrom("signing_keys")
        .select("secret_sealed")
        .where("id", "=", link.keyId)
        .executeTakeFirstOrThrow();
      const secret = f.t.server.ctx.secrets.open(row.secret_sealed!, `signing_key:${link.keyId}`);
      const jti = newJti();
      await insertLink(f, jti);
      const tooLong = handSignHs256(
        { alg: "HS256", typ: TYP, kid: link.keyId },
        claims({ jti, exp: f.now() + 31 * 86400 }),
        secret,
      );
      expect(await outcome(tooLong)).toBe("TOKEN_LIFETIME_TOO_LONG");
    });

    it("uses one server key per workspace, never listed and never deletable", async () => {
      const a = await signFlowToken(f.t.server.ctx, {
        workspaceId: f.workspaceId,
        claims: { flow: "relink", sub: f.integrationId },
        lifetime: 60,
      });
      const b = await signFlowToken(f.t.server.ctx, {
        workspaceId: f.workspaceId,
        claims: { flow: "relink", sub: f.integrationId },
        lifetime: 60,
      });
      expect(a.keyId).toBe(b.keyId);
      const list = (await (await f.t.request("GET", "/v1/signing-keys?limit=200")).json()) as {
        data: Array<{ id: string }>;
      };
      expect(list.data.map((k) => k.id)).not.toContain(a.keyId);
      expect(list.data.every((k) => k.id.startsWith("sk_"))).toBe(true);
      expect((await f.t.request("DELETE", `/v1/signing-keys/${a.keyId}`)).status).not.toBe(204);
      expect(await outcome(a.token)).toBe("OK");
    });

    it("honours a stricter maximum lifetime for SDK tokens", async () => {
      const token = hs(claims({ exp: f.now() + 1800 }));
      await expect(verifyFlowToken(f.t.server.ctx, token, { maxLifetimeSeconds: 900 })).rejects.toMatchObject(
        {
          code: "TOKEN_LIFETIME_TOO_LONG",
        },
      );
      expect((await verifyFlowToken(f.t.server.ctx, token, { maxLifetimeSeconds: 7200 })).keyId).toBe(
        f.hs.id,
      );
    });
  });

  it("reads what a valid token names once, with the token: three queries, the rows as the flow uses them", async () => {
    const ctx = f.t.server.ctx;
    // The integration on another scope config than the token's target: both are read, in one query.
    const created = await f.t.request("POST", "/v1/scope-configs", {
      body: { name: "Current", category: "HRIS", models: { employees: { setting: "ENABLED" } } },
    });
    expect(created.status).toBe(201);
    const current = (await created.json()) as { id: string };
    await ctx.db
      .updateTable("integrations")
      .set({ scope_config_id: current.id })
      .where("id", "=", f.integrationId)
      .execute();
    const spy = vi.spyOn(ctx.db, "executeQuery");
    try {
      const verified = await verifyFlowToken(ctx, hs(claims({ scope_config_id: f.scopeConfigId })));
      const subject = await resolveFlow(ctx, verified);
      // The signing key (with its workspace), the integration (with the link and spent flags), the
      // two scope configs: nothing is read twice.
      expect(spy.mock.calls.length).toBe(3);
      spy.mockRestore();
      // The rows read the same as the integration's and the scope configs' own reads (no flag left on them).
      expect(subject.integration).toEqual(await findIntegration(ctx.db, f.workspaceId, f.integrationId));
      expect(subject.currentScope).toEqual(await findScopeConfig(ctx.db, f.workspaceId, current.id));
      expect(subject.targetScope).toEqual(await findScopeConfig(ctx.db, f.workspaceId, f.scopeConfigId));
      expect(Object.keys(subject.integration ?? {})).not.toContain("spent");

      // Without a target, the flow's target is the current scope config, read once.
      const again = vi.spyOn(ctx.db, "executeQuery");
      const kept = await resolveFlow(ctx, await verifyFlowToken(ctx, hs(claims())));
      expect(again.mock.calls.length).toBe(3);
      again.mockRestore();
      expect(kept.targetScope).toEqual(kept.currentScope);
      expect(kept.targetScope?.id).toBe(current.id);

      // A connect token names no integration: its target scope config alone.
      const connect = await verifyFlowToken(ctx, hs(connectClaims({ scope_config_id: f.scopeConfigId })));
      expect(connect.named.integration).toBeNull();
      expect(connect.named.currentScope).toBeNull();
      expect(connect.named.targetScope?.id).toBe(f.scopeConfigId);
    } finally {
      spy.mockRestore();
      await ctx.db
        .updateTable("integrations")
        .set({ scope_config_id: null })
        .where("id", "=", f.integrationId)
        .execute();
    }
  });

  it("spends a jti once: a second completion is refused", async () => {
    const payload = claims();
    const spent = {
      jti: payload.jti as string,
      workspaceId: f.workspaceId,
      integrationId: f.integrationId,
      at: iso(f.t.clock.now()),
    };
    expect(await outcome(hs(payload))).toBe("OK");
    await spendFlowToken(f.t.server.ctx.db, spent);
    const second = await spendFlowToken(f.t.server.ctx.db, spent).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DomainError);
    expect(second).toMatchObject({ code: "TOKEN_ALREADY_USED" });
    expect(STATUS_OF_CODE[(second as DomainError).code]).toBe(409);
    expect(await outcome(hs(payload))).toBe("TOKEN_ALREADY_USED");
  });

  it("keeps spent token ids per workspace: another workspace's token with the same jti is not spent", async () => {
    const jti = newJti();
    const mine = hs(claims({ jti }));
    const theirs = handSignHs256(
      { alg: "HS256", typ: TYP, kid: f.other.hs.id },
      claims({ jti, iss: f.other.workspaceId, sub: f.other.integrationId }),
      f.other.hs.secret,
    );
    await spendFlowToken(f.t.server.ctx.db, {
      jti,
      workspaceId: f.workspaceId,
      integrationId: f.integrationId,
      at: iso(f.t.clock.now()),
    });
    expect(await outcome(mine)).toBe("TOKEN_ALREADY_USED");
    expect(await outcome(theirs)).toBe("OK");
    expect(await isFlowTokenSpent(f.t.server.ctx, f.other.workspaceId, jti)).toBe(false);
    expect(await isFlowTokenSpent(f.t.server.ctx, f.workspaceId, jti)).toBe(true);
    // The other workspace completes its own flow with that jti, once.
    const spentThere = {
      jti,
      workspaceId: f.other.workspaceId,
      integrationId: f.other.integrationId,
      at: iso(f.t.clock.now()),
    };
    await spendFlowToken(f.t.server.ctx.db, spentThere);
    expect(await outcome(theirs)).toBe("TOKEN_ALREADY_USED");
    await expect(spendFlowToken(f.t.server.ctx.db, spentThere)).rejects.toMatchObject({
      code: "TOKEN_ALREADY_USED",
    });
  });

  function handSignHs256Raw(header: Record<string, unknown>, payload: string): string {
    const input = `${b64url(JSON.stringify(header))}.${b64url(payload)}`;
    return `${input}.${createHmac("sha256", f.hs.secret).update(input).digest("base64url")}`;
  }
});

async function insertLink(f: FlowTokenFixture, jti: string) {
  const now = iso(f.t.clock.now());
  await f.t.server.ctx.db
    .insertInto("relink_links")
    .values({
      id: newId("lnk"),
      workspace_id: f.workspaceId,
      integration_id: f.integrationId,
      jti,
      flow: "relink",
      link_type: "MAGIC_LINK",
      scope_config_id: null,
      language: null,
      expires_at: new Date(f.t.clock.now().getTime() + 7 * 86400_000).toISOString(),
      created_at: now,
    })
    .execute();
}
