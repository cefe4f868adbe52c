import { z } from "zod";
import { idSchema, TimestampSchema } from "./common.ts";
import { SigningAlgorithmSchema } from "./flow-tokens.ts";

/** 32 bytes, base64url without padding (an Ed25519 public key, a P-256 coordinate). */
const coordinate = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes, base64url-encoded without padding");

// A private JWK sent by mistake is refused rather than silently stripped: the sender must learn
// that the private half left their backend.
const refusePrivatePart = (jwk: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if (jwk.d !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["d"],
      message: "must not contain the private key (d): register the public half only",
    });
  }
};

const jwkExtras = {
  kid: z.string().max(200).optional(),
  use: z.literal("sig").optional(),
  key_ops: z.array(z.string()).optional(),
  ext: z.boolean().optional(),
};

/** An Ed25519 public key as a JWK (`EdDSA`). */
export const Ed25519PublicJwkSchema = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: coordinate,
    alg: z.enum(["EdDSA", "Ed25519"]).optional(),
    ...jwkExtras,
  })
  .loose()
  .superRefine(refusePrivatePart)
  .meta({ id: "Ed25519PublicJwk" });

/** A P-256 public key as a JWK (`ES256`). */
export const P256PublicJwkSchema = z
  .object({
    kty: z.literal("EC"),
    crv: z.literal("P-256"),
    x: coordinate,
    y: coordinate,
    alg: z.literal("ES256").optional(),
    ...jwkExtras,
  })
  .loose()
  .superRefine(refusePrivatePart)
  .meta({ id: "P256PublicJwk" });

/** A registered public key, as stored and returned: only its public members. */
export const PublicJwkSchema = z
  .object({
    kty: z.enum(["OKP", "EC"]),
    crv: z.enum(["Ed25519", "P-256"]),
    x: z.string(),
    y: z.string().optional(),
  })
  .meta({ id: "PublicJwk" });
export type PublicJwk = z.infer<typeof PublicJwkSchema>;

/**
 * `POST /v1/signing-keys`: either a server-generated HS256 secret, or a public key whose private
 * half stays with the product's backend.
 *
 * @example
 * ```ts
 * const body: SigningKeyCreate = { algorithm: "EdDSA", public_jwk: { kty: "OKP", crv: "Ed25519", x: "…" } };
 * ```
 */
export const SigningKeyCreateSchema = z
  .discriminatedUnion("algorithm", [
    z.strictObject({ algorithm: z.literal("HS256") }),
    z.strictObject({ algorithm: z.literal("EdDSA"), public_jwk: Ed25519PublicJwkSchema }),
    z.strictObject({ algorithm: z.literal("ES256"), public_jwk: P256PublicJwkSchema }),
  ])
  .meta({ id: "SigningKeyCreate" });
export type SigningKeyCreate = z.infer<typeof SigningKeyCreateSchema>;

/** A signing key of the workspace: its id is the `kid` of the tokens it signs. Never its secret. */
export const SigningKeySchema = z
  .object({
    id: idSchema("sk"),
    algorithm: SigningAlgorithmSchema,
    /** The registered public key (`EdDSA`, `ES256`); null for `HS256`. */
    public_jwk: PublicJwkSchema.nullable(),
    created_at: TimestampSchema,
  })
  .meta({ id: "SigningKey" });
export type SigningKey = z.infer<typeof SigningKeySchema>;

/** The creation answer of an HS256 key: the only time its secret is shown. */
export const HmacSigningKeyCreatedSchema = SigningKeySchema.extend({
  algorithm: z.literal("HS256"),
  public_jwk: z.null(),
  /** base64url of 32 random bytes; the HMAC key is this string's UTF-8 bytes, as JWT libraries use a string secret. */
  secret: z.string(),
});

export type HmacSigningKeyCreated = z.infer<typeof HmacSigningKeyCreatedSchema>;

/** The creation answer of a public key. */
export const PublicSigningKeyCreatedSchema = SigningKeySchema.extend({
  algorithm: z.enum(["EdDSA", "ES256"]),
  public_jwk: PublicJwkSchema,
});
export type PublicSigningKeyCreated = z.infer<typeof PublicSigningKeyCreatedSchema>;

export const SigningKeyCreatedSchema = z
  .discriminatedUnion("algorithm", [HmacSigningKeyCreatedSchema, PublicSigningKeyCreatedSchema])
  .meta({ id: "SigningKeyCreated" });
export type SigningKeyCreated = z.infer<typeof SigningKeyCreatedSchema>;

/**
 * `PUT /v1/signing-keys/jwks`: the URL of the product backend's JWKS (RFC 7517 key set), instead
 * of registering each public key: relink fetches it (cached as its `Cache-Control: max-age` says,
 * fetched again on a token's unknown `kid` at most once a minute), so rotating a key needs no API
 * call. Only Ed25519 (`EdDSA`) and P-256 (`ES256`) public keys of the set are used; an HMAC secret
 * is never taken from a URL.
 */
export const SigningJwksSetSchema = z
  .object({ url: z.string().max(2000).describe("An https URL serving a JWKS document") })
  .strict()
  .meta({ id: "SigningJwksSet" });
export type SigningJwksSet = z.infer<typeof SigningJwksSetSchema>;

/** The workspace's JWKS URL and the keys relink read from it. */
export const SigningJwksSchema = z
  .object({
    url: z.string(),
    keys: z.array(z.object({ kid: z.string(), algorithm: SigningAlgorithmSchema })),
    fetched_at: TimestampSchema,
    created_at: TimestampSchema,
  })
  .meta({ id: "SigningJwks" });
export type SigningJwks = z.infer<typeof SigningJwksSchema>;
