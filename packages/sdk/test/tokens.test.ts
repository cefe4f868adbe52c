import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, expectTypeOf, it } from "vitest";
import { FlowTokenClaimsSchema } from "../src/contract/index.ts";
import { type FlowTokenSigningKey, mintConnectToken, mintRelinkToken } from "../src/server/index.ts";

const NOW = new Date("2026-11-28T09:00:00.000Z");
const IAT = NOW.getTime() / 1000;
const workspaceId = "ws_01jd5x3m9k2q8r7t6y5w4v3u2s";
const integrationId = "int_01jd5x3m9k2q8r7t6y5w4v3u2s";
const hmacKey = {
  id: "sk_01jd5x3m9k2q8r7t6y5w4v3u2s",
  secret: "q0xZ8lJ3yH2b9v4VnW7cR1tF5kD6gS0aP3mE8uQ2xYz",
};
const base = { workspaceId, key: hmacKey, now: NOW };

describe("mintRelinkToken", () => {
  it("writes the claims and header of DESIGN section 3, signed with the secret string", async () => {
    const token = await mintRelinkToken({
      ...base,
      integrationId,
      scopeConfigId: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s",
      locale: "fr",
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "relink-flow+jwt", kid: hmacKey.id });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(hmacKey.secret), {
      currentDate: NOW,
    });
    expect(payload).toEqual({
      iss: workspaceId,
      aud: "relink",
      flow: "relink",
      sub: integrationId,
      scope_config_id: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s",
      locale: "fr",
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      iat: IAT,
      exp: IAT + 900,
    });
    expect(FlowTokenClaimsSchema.safeParse(payload).success).toBe(true);
  });

  it.each([
    [60, 60],
    ["90s", 90],
    ["10m", 600],
    ["1h", 3600],
    ["45 minutes", 2700],
    [3600, 3600],
  ] as const)("takes expiresIn %s as %i seconds", async (expiresIn, seconds) => {
    const claims = decodeJwt(await mintRelinkToken({ ...base, integrationId, expiresIn }));
    expect(claims.exp! - claims.iat!).toBe(seconds);
  });

  it("omits what was not asked for and never repeats a jti", async () => {
    const a = decodeJwt(await mintRelinkToken({ ...base, integrationId }));
    const b = decodeJwt(await mintRelinkToken({ ...base, integrationId }));
    expect(Object.keys(a).sort()).toEqual(["aud", "exp", "flow", "iat", "iss", "jti", "sub"]);
    expect(a.jti).not.toBe(b.jti);
    expect(
      decodeJwt(await mintRelinkToken({ ...base, integrationId, jti: "my-own-unique-id-0001" })).jti,
    ).toBe("my-own-unique-id-0001");
  });

  it("signs with EdDSA and ES256 keys, as JWK or CryptoKey, the algorithm following the key", async () => {
    for (const alg of ["EdDSA", "ES256"] as const) {
      const pair = await generateKeyPair(alg, { extractable: true });
      for (const privateKey of [pair.privateKey, await exportJWK(pair.privateKey)]) {
        const token = await mintRelinkToken({
          workspaceId,
          integrationId,
          key: { id: hmacKey.id, privateKey },
        });
        expect(decodeProtectedHeader(token).alg).toBe(alg);
        const { payload } = await jwtVerify(token, pair.publicKey, { algorithms: [alg] });
        expect(payload.sub).toBe(integrationId);
      }
    }
  });

  const misuse: Array<[string, () => Promise<unknown>, RegExp]> = [
    ["no options", () => mintRelinkToken(undefined as never), /options must be an object/],
    [
      "no integration id",
      () => mintRelinkToken({ ...base } as never),
      /integrationId must be an integration id/,
    ],
    ["a malformed integration id", () => mintRelinkToken({ ...base, integrationId: "42" }), /integrationId/],
    [
      "another kind of id",
      () => mintRelinkToken({ ...base, integrationId: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s" }),
      /integrationId/,
    ],
    [
      "no workspace id",
      () => mintRelinkToken({ ...base, workspaceId: undefined as never, integrationId }),
      /workspaceId/,
    ],
    ["no key", () => mintRelinkToken({ ...base, key: undefined as never, integrationId }), /key is required/],
    [
      "a key without id",
      () => mintRelinkToken({ ...base, key: { secret: hmacKey.secret } as never, integrationId }),
      /key\.id/,
    ],
    [
      "a key with neither",
      () => mintRelinkToken({ ...base, key: { id: hmacKey.id } as never, integrationId }),
      /secret \(HS256\) or privateKey/,
    ],
    [
      "a short secret",
      () => mintRelinkToken({ ...base, key: { id: hmacKey.id, secret: "hunter2" }, integrationId }),
      /key\.secret/,
    ],
    [
      "a lifetime over 1 hour",
      () => mintRelinkToken({ ...base, integrationId, expiresIn: 3601 }),
      /at most 1 hour/,
    ],
    [
      "a lifetime of 2h",
      () => mintRelinkToken({ ...base, integrationId, expiresIn: "2h" }),
      /at most 1 hour/,
    ],
    ["a zero lifetime", () => mintRelinkToken({ ...base, integrationId, expiresIn: 0 }), /positive/],
    ["a fractional lifetime", () => mintRelinkToken({ ...base, integrationId, expiresIn: 1.5 }), /whole/],
    [
      "an unreadable lifetime",
      () => mintRelinkToken({ ...base, integrationId, expiresIn: "soon" }),
      /not a duration/,
    ],
    [
      "a bad scope config id",
      () => mintRelinkToken({ ...base, integrationId, scopeConfigId: "employees" }),
      /scopeConfigId/,
    ],
    [
      "an unknown locale",
      () => mintRelinkToken({ ...base, integrationId, locale: "pt" as never }),
      /locale must be one of/,
    ],
    [
      "a bad now",
      () => mintRelinkToken({ ...base, integrationId, now: new Date("x") }),
      /now must be a valid Date/,
    ],
    ["a short jti", () => mintRelinkToken({ ...base, integrationId, jti: "1" }), /jti/],
  ];
  it.each(misuse)("throws a TypeError for %s", async (_name, call, message) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it("refuses public keys, other curves and RSA as private keys", async () => {
    const ed = await generateKeyPair("EdDSA", { extractable: true });
    const p384 = await generateKeyPair("ES384", { extractable: true });
    const rsa = await generateKeyPair("RS256", { extractable: true });
    const cases: Array<[unknown, RegExp]> = [
      [await exportJWK(ed.publicKey), /public JWK/],
      [ed.publicKey, /must be a private key/],
      [await exportJWK(p384.privateKey), /Ed25519 \(OKP\) or P-256 \(EC\)/],
      [p384.privateKey, /Ed25519 \(EdDSA\) or P-256/],
      [rsa.privateKey, /Ed25519 \(EdDSA\) or P-256/],
      [{ ...(await exportJWK(ed.privateKey)), alg: "ES256" }, /says alg ES256/],
      [{ ...(await exportJWK(ed.privateKey)), d: "AAAA" }, /not a valid private JWK/],
    ];
    for (const [privateKey, message] of cases) {
      const error = await mintRelinkToken({
        workspaceId,
        integrationId,
        key: { id: hmacKey.id, privateKey } as never,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe("mintConnectToken", () => {
  it("carries the end user in the wire form, and the preselected tool", async () => {
    const token = await mintConnectToken({
      ...base,
      endUser: { originId: "org_42", organizationName: "Acme GmbH", email: "it@acme.example" },
      tool: "demo-hris",
      expiresIn: "5m",
    });
    const claims = FlowTokenClaimsSchema.parse(decodeJwt(token));
    expect(claims).toMatchObject({
      flow: "connect",
      tool: "demo-hris",
      end_user: { origin_id: "org_42", organization_name: "Acme GmbH", email: "it@acme.example" },
      exp: IAT + 300,
    });
    expect(claims).not.toHaveProperty("sub");
  });

  it.each([
    ["no end user", {}, /endUser must be an object/],
    ["no origin id", { endUser: { organizationName: "A" } }, /endUser\.originId/],
    [
      "a blank organisation",
      { endUser: { originId: "o", organizationName: " " } },
      /endUser\.organizationName/,
    ],
    ["a bad email", { endUser: { originId: "o", organizationName: "A", email: "nope" } }, /endUser\.email/],
    ["an empty tool", { endUser: { originId: "o", organizationName: "A" }, tool: "" }, /tool/],
    [
      "a NUL in the organisation",
      { endUser: { originId: "o", organizationName: "Acme\u0000" } },
      /endUser\.organizationName must not contain NUL/,
    ],
    [
      "a NUL in the origin id",
      { endUser: { originId: "\u0000o", organizationName: "A" } },
      /endUser\.originId must not contain NUL/,
    ],
    [
      "an unpaired surrogate in the email",
      { endUser: { originId: "o", organizationName: "A", email: "it@acme.example\ud800" } },
      /endUser\.email/,
    ],
    [
      "a NUL in the tool",
      { endUser: { originId: "o", organizationName: "A" }, tool: "demo\u0000" },
      /tool must not contain NUL/,
    ],
    [
      "an email the server would refuse",
      { endUser: { originId: "o", organizationName: "A", email: "it@acme" } },
      /claim end_user\.email/,
    ],
  ])("throws a TypeError for %s", async (_name, extra, message) => {
    const error = await mintConnectToken({ ...base, ...extra } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it("pins the public types", () => {
    expectTypeOf(mintRelinkToken).returns.resolves.toEqualTypeOf<string>();
    expectTypeOf(mintConnectToken).parameter(0).toHaveProperty("endUser");
    expectTypeOf<{ id: string; secret: string }>().toExtend<FlowTokenSigningKey>();
    expectTypeOf<{ id: string; privateKey: CryptoKey }>().toExtend<FlowTokenSigningKey>();
    expectTypeOf<{ id: string }>().not.toExtend<FlowTokenSigningKey>();
    // @ts-expect-error locale is one of the ten languages
    void mintRelinkToken({ ...base, integrationId, locale: "pt" }).catch(() => {});
  });
});

describe("the browser and server entries", () => {
  it("keep the browser entry free of runtime dependencies (the contract and zod only as types)", () => {
    const src = join(import.meta.dirname, "..", "src");
    const clientParts = readdirSync(join(src, "client")).map((f) => `client/${f}`);
    expect(clientParts.length).toBeGreaterThan(3);
    const entry = ["client.ts", "errors.ts", "sync-sessions.ts", ...clientParts];
    for (const file of ["index.ts", ...entry]) {
      const imports =
        readFileSync(join(src, file), "utf8").match(/^(import|export)\s[^;]*?from\s+"[^"]+";/gms) ?? [];
      for (const statement of imports) {
        const from = /from\s+"([^"]+)"/.exec(statement)![1]!;
        const target = join(file, "..", from).replace(/\\/g, "/");
        if (from.startsWith(".") && entry.includes(target)) continue;
        expect(statement, `${file}: ${from}`).toMatch(/^(import|export) type\s/);
      }
    }
  });

  it("use no Node-only API (WebCrypto only: Node, Bun, Deno, edge)", () => {
    const src = join(import.meta.dirname, "..", "src");
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      // Code only: doc comments may show Node examples.
      const text = readFileSync(join(src, file), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      expect(text, file).not.toMatch(/from\s+["']node:|require\(|\bBuffer\b|\bprocess\.(env|versions)/);
    }
  });
});
