import { isUtf8 } from "node:buffer";
import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import {
  exportJWK,
  generateKeyPair,
  decodeProtectedHeader as joseDecodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from "jose";
import { describe, expect, it } from "vitest";
import { DomainError } from "../src/domain/errors.ts";
import { type ResolvedKey, verifyJwt } from "../src/flow-tokens/jwt.ts";
import { VerificationKey } from "../src/flow-tokens/keys.ts";

/**
 * The flow-token check verifies a token's JWS with fast-jwt (`flow-tokens/jwt.ts`). Its refusals
 * must be the ones the check gave when jose's `jwtVerify` did the work (each TOKEN_* code naming
 * the one check that failed, the claim named): the same tokens accepted with the same payload, the
 * same tokens refused with the same code, on tokens an attacker can send. The reference below is
 * that former check: the compact form, jose's header decoding, `alg` in the list, `typ`, `kid`,
 * `alg` pinned to the key's, then `jwtVerify` with its errors mapped to codes.
 *
 * Two differences are deliberate, and asserted as such:
 * - fast-jwt parses the payload with the header, before the key and the signature: a token whose
 *   header or payload is not a UTF-8 JSON object is refused as TOKEN_MALFORMED whatever else is
 *   wrong with it (jose would check the signature first);
 * - a byte-order mark before the JSON of a part is refused (jose's decoder drops it).
 */

const SECRET = randomBytes(32).toString("base64url");
const OTHER_SECRET = randomBytes(32).toString("base64url");
const KID = "sk_1";
const TYP = "relink-flow+jwt";
const NOW = 1_800_000_000;

const b64 = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");
const hmac = (input: string, secret: string) => createHmac("sha256", secret).update(input).digest();

type Outcome = { ok: true; payload: unknown } | { ok: false; code: string; claim?: string };

const refused = (code: string, claim?: string): Outcome => ({
  ok: false,
  code,
  ...(claim === undefined ? {} : { claim }),
});
const outcomeOf = (error: unknown): Outcome => {
  if (!(error instanceof DomainError)) throw error;
  return refused(error.code, (error.details as { claim?: string } | undefined)?.claim);
};

/** The former check's mapping of jose's errors. */
function joseRefusal(error: unknown): Outcome {
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refused("TOKEN_SIGNATURE_INVALID");
  if (error instanceof joseErrors.JWTExpired) return refused("TOKEN_EXPIRED");
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return refused("TOKEN_ALGORITHM_INVALID");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "typ") return refused("TOKEN_TYPE_INVALID");
    if (error.reason === "missing") return refused("TOKEN_CLAIM_MISSING", error.claim);
    if (error.reason === "invalid") return refused("TOKEN_CLAIM_INVALID", error.claim);
    if (error.claim === "nbf" || error.claim === "iat") return refused("TOKEN_NOT_YET_VALID");
    return refused("TOKEN_CLAIM_INVALID", error.claim);
  }
  return refused("TOKEN_MALFORMED");
}

const normalizeTyp = (typ: string) => {
  const lower = typ.toLowerCase();
  return lower.includes("/") ? lower : `application/${lower}`;
};

type Key = {
  kid: string;
  algorithm: "HS256" | "ES256" | "EdDSA";
  jose: Uint8Array | CryptoKey;
  ours: ResolvedKey;
};

/** The former check, with jose. */
async function reference(token: string, at: number, key: Key): Promise<Outcome> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return refused("TOKEN_MALFORMED");
  let header: Record<string, unknown>;
  try {
    header = joseDecodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return refused("TOKEN_MALFORMED");
  }
  if (typeof header.alg !== "string" || !["HS256", "EdDSA", "ES256"].includes(header.alg)) {
    return refused("TOKEN_ALGORITHM_INVALID");
  }
  if (typeof header.typ !== "string" || normalizeTyp(header.typ) !== normalizeTyp(TYP)) {
    return refused("TOKEN_TYPE_INVALID");
  }
  if (header.kid !== key.kid) return refused("TOKEN_KEY_UNKNOWN");
  if (header.alg !== key.algorithm) return refused("TOKEN_ALGORITHM_INVALID");
  try {
    const verified = await jwtVerify(token, key.jose, {
      algorithms: [key.algorithm],
      typ: TYP,
      currentDate: new Date(at * 1000),
      clockTolerance: 60,
    });
    return { ok: true, payload: verified.payload };
  } catch (error) {
    return joseRefusal(error);
  }
}

async function ours(token: string, at: number, key: Key): Promise<Outcome> {
  try {
    const verified = await verifyJwt(token, new Date(at * 1000), async (header) => {
      if (header.kid !== key.kid) throw new DomainError("TOKEN_KEY_UNKNOWN", "unknown");
      return key.ours;
    });
    return { ok: true, payload: verified.payload };
  } catch (error) {
    return outcomeOf(error);
  }
}

/** Header and payload are base64url of a UTF-8 JSON object (with no byte-order mark). */
function partsWellFormed(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return true;
  return parts.slice(0, 2).every((part) => {
    const bytes = Buffer.from(part, "base64url");
    if (!/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1 || !isUtf8(bytes)) return false;
    try {
      const value: unknown = JSON.parse(bytes.toString("utf8"));
      return typeof value === "object" && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  });
}

/** Both checks of one token: equal, or one of the deliberate differences. */
async function expectAgreement(token: string, at: number, key: Key): Promise<Outcome> {
  const expected = await reference(token, at, key);
  const actual = await ours(token, at, key);
  if (partsWellFormed(token)) expect(actual, token).toEqual(expected);
  else expect(actual, token).toEqual(refused("TOKEN_MALFORMED"));
  return actual;
}

const hsKey: Key = {
  kid: KID,
  algorithm: "HS256",
  jose: new Uint8Array(Buffer.from(SECRET, "utf8")),
  ours: new VerificationKey("HS256", SECRET),
};

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

describe("flow-token JWS checks on fast-jwt, against jose", () => {
  it("accepts and refuses exactly what the check on jose's jwtVerify did, with the same codes", async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        tokenArb,
        fc.oneof(nearArb, fc.integer({ min: -3000, max: 3000 })),
        async (token, offset) => {
          const outcome = await expectAgreement(token, NOW + offset, hsKey);
          seen.add(outcome.ok ? "OK" : `${outcome.code}:${outcome.claim ?? ""}`);
        },
      ),
      { numRuns: 3000 },
    );
    // The tokens reached every check: each outcome occurred.
    expect([...seen].sort()).toEqual(
      [
        "OK",
        "TOKEN_ALGORITHM_INVALID:",
        "TOKEN_CLAIM_INVALID:exp",
        "TOKEN_CLAIM_INVALID:iat",
        "TOKEN_CLAIM_INVALID:nbf",
        "TOKEN_EXPIRED:",
        "TOKEN_KEY_UNKNOWN:",
        "TOKEN_MALFORMED:",
        "TOKEN_NOT_YET_VALID:",
        "TOKEN_SIGNATURE_INVALID:",
        "TOKEN_TYPE_INVALID:",
      ].sort(),
    );
  });

  it("keeps concurrent verifications apart: each call's key lookup serves its own token", async () => {
    const secrets = Array.from({ length: 40 }, () => randomBytes(32).toString("base64url"));
    const tokens = secrets.map((secret, i) => {
      const input = `${b64(JSON.stringify({ alg: "HS256", typ: TYP, kid: `sk_${i}` }))}.${b64(JSON.stringify({ n: i }))}`;
      return `${input}.${b64(hmac(input, secret))}`;
    });
    const results = await Promise.all(
      tokens.map((token, i) =>
        verifyJwt(token, new Date(NOW * 1000), async (header) => {
          // Yield first, so that the lookups of all calls interleave.
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
          expect(header.kid).toBe(`sk_${i}`);
          return new VerificationKey("HS256", secrets[i] as string);
        }).then((verified) => verified.payload.n),
      ),
    );
    expect(results).toEqual(secrets.map((_, i) => i));
  });

  it("agrees on hand-picked edge cases", async () => {
    const signRaw = (header: unknown, payload: string) => {
      const input = `${b64(JSON.stringify(header))}.${b64(payload)}`;
      return `${input}.${b64(hmac(input, SECRET))}`;
    };
    const sign = (header: unknown, payload: unknown) => signRaw(header, JSON.stringify(payload));
    const header = { alg: "HS256", typ: TYP, kid: KID };
    const claims = { iat: NOW, exp: NOW + 600, jti: "j" };
    const cases = [
      sign(header, claims),
      sign({ ...header, typ: `Application/${TYP}` }, claims),
      sign({ ...header, crit: ["b64"], b64: true }, claims),
      sign({ ...header, crit: ["b64"], b64: false }, claims),
      sign({ ...header, crit: ["b64"] }, claims),
      sign({ ...header, crit: ["exp-v2"], "exp-v2": 1 }, claims),
      sign(header, { ...claims, exp: NOW - 60 }),
      sign(header, { ...claims, exp: NOW - 59 }),
      sign(header, { ...claims, exp: NOW - 60.5 }),
      sign(header, { ...claims, nbf: NOW + 60 }),
      sign(header, { ...claims, nbf: NOW + 61 }),
      sign(header, { ...claims, nbf: NOW + 60.5 }),
      sign(header, { ...claims, iat: "now" }),
      signRaw(header, `{"iat":${NOW},"exp":1e999,"jti":"j"}`),
      signRaw(header, `{"iat":${NOW},"exp":${NOW + 600},"jti":"j","jti":"k"}`),
      sign([header], claims),
      sign(header, [claims]),
      `${sign(header, claims)}=`,
      `${sign(header, claims)}A`,
      sign(header, claims).replace(/\.[^.]*$/, ""),
      sign(header, claims).replace(/\.[^.]*$/, "."),
      `${signRaw(header, JSON.stringify(claims)).split(".").slice(0, 2).join(".")}.${b64(hmac("x", OTHER_SECRET))}`,
    ];
    for (const token of cases) await expectAgreement(token, NOW, hsKey);
    expect(await ours(sign(header, claims), NOW, hsKey)).toMatchObject({ ok: true });
  });

  it.each(["ES256", "EdDSA"] as const)(
    "agrees on %s tokens: its own key's signature, another key's, a damaged one, the wrong alg",
    async (algorithm) => {
      const mine = await generateKeyPair(algorithm, { extractable: true });
      const other = await generateKeyPair(algorithm);
      const jwk = await exportJWK(mine.publicKey);
      const { createPublicKey } = await import("node:crypto");
      const pem = String(
        createPublicKey({ key: jwk as never, format: "jwk" }).export({ type: "spki", format: "pem" }),
      );
      const key: Key = {
        kid: KID,
        algorithm,
        jose: mine.publicKey,
        ours: new VerificationKey(algorithm, pem),
      };
      const sign = (privateKey: CryptoKey, header: Record<string, unknown> = {}) =>
        new SignJWT({ iss: "ws_1", jti: "j" })
          .setProtectedHeader({ alg: algorithm, typ: TYP, kid: KID, ...header })
          .setIssuedAt(NOW)
          .setExpirationTime(NOW + 600)
          .sign(privateKey);
      const good = await sign(mine.privateKey);
      const [h, p, s] = good.split(".") as [string, string, string];
      const flipped = Buffer.from(s, "base64url");
      flipped[0] = (flipped[0] ?? 0) ^ 1;
      const cases = [
        good,
        await sign(other.privateKey),
        `${h}.${p}.${b64(flipped)}`,
        `${h}.${p}.${s.slice(0, -4)}`,
        `${h}.${p}.`,
        `${h}.${b64(JSON.stringify({ iss: "ws_2", iat: NOW, exp: NOW + 600 }))}.${s}`,
        `${b64(JSON.stringify({ alg: algorithm === "ES256" ? "EdDSA" : "ES256", typ: TYP, kid: KID }))}.${p}.${s}`,
        `${b64(JSON.stringify({ alg: "HS256", typ: TYP, kid: KID }))}.${p}.${b64(hmac(`${h}.${p}`, pem))}`,
      ];
      for (const token of cases) await expectAgreement(token, NOW, key);
      expect(await ours(good, NOW, key)).toMatchObject({ ok: true });
    },
  );
});
