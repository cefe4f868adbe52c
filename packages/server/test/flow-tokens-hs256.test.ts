import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import fc from "fast-check";
import { decodeProtectedHeader as joseDecodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { decodeProtectedHeader, verifyHs256Jwt } from "../src/flow-tokens/hs256.ts";

/**
 * The connect API checks HS256 flow tokens with `verifyHs256Jwt` (a synchronous HMAC) instead of
 * jose's `jwtVerify` (WebCrypto). It must be jose, check for check: the same tokens accepted with
 * the same payload, the same tokens refused with the same error (class, claim, reason), on tokens
 * an attacker can send.
 */

const SECRET = Buffer.from(randomBytes(32).toString("base64url"), "utf8");
const OTHER_SECRET = Buffer.from(randomBytes(32).toString("base64url"), "utf8");
const TYP = "relink-flow+jwt";
const NOW = 1_800_000_000;

const b64 = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");
const hmac = (input: string, secret: Uint8Array) => createHmac("sha256", secret).update(input).digest();

type Outcome =
  | { ok: true; payload: unknown; header: unknown }
  | { ok: false; name: string; code?: string; claim?: string; reason?: string };

const outcomeOf = (error: unknown): Outcome => {
  const e = error as {
    name?: string;
    constructor?: { name: string };
    code?: string;
    claim?: string;
    reason?: string;
  };
  return {
    ok: false,
    name: e.constructor?.name ?? String(e.name),
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.claim === undefined ? {} : { claim: e.claim }),
    ...(e.reason === undefined ? {} : { reason: e.reason }),
  };
};

async function both(token: string, at: number): Promise<{ jose: Outcome; ours: Outcome }> {
  const options = { algorithms: ["HS256"], typ: TYP, currentDate: new Date(at * 1000), clockTolerance: 60 };
  let jose: Outcome;
  try {
    const verified = await jwtVerify(token, new Uint8Array(SECRET), options);
    jose = { ok: true, payload: verified.payload, header: verified.protectedHeader };
  } catch (error) {
    jose = outcomeOf(error);
  }
  let ours: Outcome;
  try {
    const verified = verifyHs256Jwt(token, createSecretKey(SECRET), options);
    ours = { ok: true, payload: verified.payload, header: verified.protectedHeader };
  } catch (error) {
    ours = outcomeOf(error);
  }
  // The same with the header decoded beforehand, as the flow-token check does.
  let header: ReturnType<typeof decodeProtectedHeader> | undefined;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    header = undefined;
  }
  if (header) {
    let predecoded: Outcome;
    try {
      const verified = verifyHs256Jwt(token, createSecretKey(SECRET), options, header);
      predecoded = { ok: true, payload: verified.payload, header: verified.protectedHeader };
    } catch (error) {
      predecoded = outcomeOf(error);
    }
    expect(predecoded).toEqual(ours);
  }
  return { jose, ours };
}

// Pieces an attacker can vary; mostly valid, so that many tokens reach the later checks.
const usually = <T>(valid: T, ...others: T[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  );
const absent = Symbol("absent");
const record = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(fields).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== absent)));
const headerArb = record({
  alg: usually<unknown>("HS256", "HS384", "none", "", "EdDSA", 256, null, absent),
  typ: usually<unknown>(TYP, `application/${TYP}`, "RELINK-FLOW+JWT", "JWT", 5, null, absent),
  kid: fc.constantFrom<unknown>("sk_1", 7, absent),
  crit: usually<unknown>(absent, [], ["b64"], ["exp"], ["b64", "x"], ["x", "b64"], "b64", [""], [1]),
  b64: usually<unknown>(absent, true, false, "false", null),
  extra: fc.constantFrom<unknown>("x", { nested: true }, absent),
});
const nearArb = fc.constantFrom(0, 1, -1, 59, -59, 60, -60, 61, -61);
const dateArb = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: NOW - 4000, max: NOW + 4000 }) },
  { weight: 3, arbitrary: nearArb.map((d) => NOW + d) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("1800000000", null, NOW + 0.5, true, absent) },
);
const payloadArb = record({
  iss: fc.constantFrom<unknown>("ws_1", absent),
  aud: fc.constantFrom<unknown>("relink", ["relink"], absent),
  jti: fc.string(),
  iat: usually<unknown>(absent, NOW, "now"),
  nbf: fc.oneof(fc.constant(absent), dateArb),
  exp: fc.oneof(dateArb, fc.constant(absent)),
});
const rawJsonArb = fc.constantFrom("[]", "null", "1", '"s"', "{", "", "{}", '{"__proto__":{"a":1}}');
const rawBytesArb = fc.constantFrom(Buffer.from([0xff, 0xfe]), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));

const partArb = (objectArb: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 12, arbitrary: objectArb.map((o) => b64(JSON.stringify(o))) },
    { weight: 1, arbitrary: rawJsonArb.map((s) => b64(s)) },
    { weight: 1, arbitrary: rawBytesArb.map((bytes) => b64(bytes)) },
  );

/** Damage to one encoded part: padding, whitespace, the other alphabet, a bad length, non-ASCII. */
type Damage = (part: string) => string;
const damageArb = usually<Damage>(
  (p) => p,
  (p) => `${p}=`,
  (p) => `${p}==`,
  (p) => `${p}A`,
  (p) => `${p}AAAA=`,
  (p) => ` ${p}`,
  (p) => `${p}\n`,
  (p) => p.replaceAll("-", "+").replaceAll("_", "/"),
  (p) => `${p}é`,
  (p) => p.slice(1),
  () => "",
);

const tokenArb = fc
  .record({
    header: partArb(headerArb),
    payload: partArb(payloadArb),
    headerDamage: damageArb,
    payloadDamage: damageArb,
    signature: usually("right", "right-damaged", "other-key", "truncated", "empty", "random"),
    signatureDamage: damageArb,
    shape: usually("three", "two", "four"),
  })
  .map(({ header, payload, headerDamage, payloadDamage, signature, signatureDamage, shape }) => {
    const input = `${headerDamage(header)}.${payloadDamage(payload)}`;
    let s: string;
    switch (signature) {
      case "right":
        s = b64(hmac(input, SECRET));
        break;
      case "right-damaged":
        s = signatureDamage(b64(hmac(input, SECRET)));
        break;
      case "other-key":
        s = b64(hmac(input, OTHER_SECRET));
        break;
      case "truncated":
        s = b64(hmac(input, SECRET)).slice(0, 40);
        break;
      case "empty":
        s = "";
        break;
      default:
        s = b64(randomBytes(32));
    }
    if (shape === "two") return input;
    if (shape === "four") return `${input}.${s}.x`;
    return `${input}.${s}`;
  });

describe("HS256 verification without WebCrypto", () => {
  it("accepts and refuses exactly what jose's jwtVerify does, with the same errors", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        tokenArb,
        fc.oneof(nearArb, fc.integer({ min: -3000, max: 3000 })),
        async (token, offset) => {
          const { jose, ours } = await both(token, NOW + offset);
          expect(ours).toEqual(jose);
          seen.add(jose.ok ? "OK" : `${jose.name}:${jose.claim ?? ""}:${jose.reason ?? ""}`);
        },
      ),
      { numRuns: 3000 },
    );
    // The tokens reached every check: each outcome occurred.
    expect([...seen].sort()).toEqual(
      [
        "OK",
        "JOSEAlgNotAllowed::",
        "JOSENotSupported::",
        "JWSInvalid::",
        "JWSSignatureVerificationFailed::",
        "JWTClaimValidationFailed:iat:invalid",
        "JWTClaimValidationFailed:nbf:check_failed",
        "JWTClaimValidationFailed:nbf:invalid",
        "JWTClaimValidationFailed:exp:invalid",
        "JWTClaimValidationFailed:typ:check_failed",
        "JWTExpired:exp:check_failed",
        "JWTInvalid::",
      ].sort(),
    );
  });

  it("decodes protected headers as jose's decodeProtectedHeader does", () => {
    const decode = (f: (token: string) => unknown, token: string) => {
      try {
        return { ok: true, header: f(token) };
      } catch (error) {
        return { ok: false, name: (error as Error).constructor.name };
      }
    };
    fc.assert(
      fc.property(tokenArb, (token) => {
        expect(decode(decodeProtectedHeader, token)).toEqual(decode(joseDecodeProtectedHeader, token));
      }),
      { numRuns: 2000 },
    );
    for (const token of [
      "",
      ".",
      "a.b",
      "a.b.c.d.e",
      ".b.c",
      `${b64("{}")}.b.c.d.e`,
      `${b64("\ufeff{}")}.x.y`,
    ]) {
      expect(decode(decodeProtectedHeader, token), token).toEqual(decode(joseDecodeProtectedHeader, token));
    }
  });

  it("agrees on hand-picked edge cases", async () => {
    const signRaw = (header: unknown, payload: string) => {
      const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
      return `${input}.${b64(hmac(input, SECRET))}`;
    };
    const sign = (header: unknown, payload: unknown) => signRaw(header, JSON.stringify(payload));
    const header = { alg: "HS256", typ: TYP, kid: "sk_1" };
    const claims = { iat: NOW, exp: NOW + 600, jti: "j" };
    const cases = [
      sign(header, claims),
      sign({ ...header, typ: `Application/${TYP}` }, claims),
      sign({ ...header, crit: ["b64"], b64: true }, claims),
      sign({ ...header, crit: ["b64"], b64: false }, claims),
      sign({ ...header, crit: ["b64"] }, claims),
      sign(header, { ...claims, exp: NOW - 60 }),
      sign(header, { ...claims, exp: NOW - 59 }),
      sign(header, { ...claims, nbf: NOW + 60 }),
      sign(header, { ...claims, nbf: NOW + 61 }),
      sign(header, { ...claims, iat: "now" }),
      signRaw(header, `{"iat":${NOW},"exp":1e999,"jti":"j"}`),
      signRaw(header, `{"iat":${NOW},"exp":${NOW + 600},"jti":"j","jti":"k"}`),
      sign([header], claims),
      sign(header, [claims]),
      `${sign(header, claims)}=`,
      sign(header, claims).replace(/\.[^.]*$/, ""),
    ];
    for (const token of cases) {
      const { jose, ours } = await both(token, NOW);
      expect(ours, token).toEqual(jose);
    }
    expect((await both(sign(header, claims), NOW)).ours.ok).toBe(true);
  });
});
