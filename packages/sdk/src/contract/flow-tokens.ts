import { z } from "zod";
import { FLOWS, LOCALES, SIGNING_ALGORITHMS } from "../names.ts";
import { idSchema } from "./common.ts";
import { refuseUnstorableText } from "./text.ts";

export { FLOWS, LOCALES, SIGNING_ALGORITHMS };

/**
 * The `typ` header of every flow token.
 *
 * @example
 * ```ts
 * new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: TOKEN_TYPE, kid });
 * ```
 */
export const TOKEN_TYPE = "relink-flow+jwt";
/** The `aud` claim of every flow token. */
export const TOKEN_AUDIENCE = "relink";
export const SigningAlgorithmSchema = z.enum(SIGNING_ALGORITHMS);
export type SigningAlgorithm = z.infer<typeof SigningAlgorithmSchema>;

/**
 * Longest `exp - iat` of a token minted by the product's backend (SDK), in seconds: 1 hour.
 *
 * @example
 * ```ts
 * if (exp - iat > MAX_SDK_TOKEN_LIFETIME) throw new Error("refused with TOKEN_LIFETIME_TOO_LONG");
 * ```
 */
export const MAX_SDK_TOKEN_LIFETIME = 3600;
/** Longest `exp - iat` of a link made by the server (`POST /v1/integrations/:id/relink`), in seconds: 30 days. */
export const MAX_LINK_LIFETIME = 30 * 24 * 3600;
/** Largest accepted token, in bytes of its compact serialisation. */
export const MAX_TOKEN_BYTES = 4096;
/** Tolerated clock difference between the minting backend and the server, in seconds. */
export const CLOCK_SKEW = 60;

export const LocaleSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof LocaleSchema>;

export const FlowSchema = z.enum(FLOWS);
export type Flow = z.infer<typeof FlowSchema>;

/** The end user (customer organisation) of a connect flow, as carried in the token. */
export const FlowTokenEndUserSchema = z.object({
  origin_id: z.string().trim().min(1).max(200),
  organization_name: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
});
export type FlowTokenEndUser = z.infer<typeof FlowTokenEndUserSchema>;

const numericDate = z.number().finite().nonnegative();

/**
 * The `aud` claim: `"relink"`, or an array of audiences that contains it (RFC 7519 section 4.1.3).
 *
 * @example
 * ```ts
 * TokenAudienceSchema.parse("relink");
 * TokenAudienceSchema.parse(["relink", "billing"]);
 * TokenAudienceSchema.safeParse(["billing"]).success; // false
 * ```
 */
export const TokenAudienceSchema = z.union([
  z.literal(TOKEN_AUDIENCE),
  z
    .array(z.string())
    .refine((audiences) => audiences.includes(TOKEN_AUDIENCE), `must contain "${TOKEN_AUDIENCE}"`),
]);

/**
 * True when an `aud` value names relink: the string itself, or an array of strings containing it.
 *
 * @example
 * ```ts
 * if (!isRelinkAudience(payload.aud)) throw new Error("not for relink");
 * ```
 */
export function isRelinkAudience(aud: unknown): boolean {
  return TokenAudienceSchema.safeParse(aud).success;
}

const commonClaims = {
  /** The workspace id. */
  iss: idSchema("ws"),
  aud: TokenAudienceSchema,
  /** Target scope config; absent = keep the current one (relink) or the workspace default (connect). */
  scope_config_id: idSchema("sc").optional(),
  locale: LocaleSchema.optional(),
  /** Unique id: a token completes a flow at most once. At least 16 characters, so that it is unguessable. */
  jti: z
    .string()
    .min(16)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  iat: numericDate,
  exp: numericDate,
  nbf: numericDate.optional(),
};

/** Claims of a token that authorises replacing one integration's credentials. */
export const RelinkFlowClaimsSchema = z.object({
  ...commonClaims,
  flow: z.literal("relink"),
  /** The integration to relink. */
  sub: idSchema("int"),
});
export type RelinkFlowClaims = z.infer<typeof RelinkFlowClaimsSchema>;

/** Claims of a token that authorises creating a new integration. */
export const ConnectFlowClaimsSchema = z.object({
  ...commonClaims,
  flow: z.literal("connect"),
  /** Preselected tool; absent = the end user picks one. */
  tool: z.string().min(1).max(100).optional(),
  end_user: FlowTokenEndUserSchema,
});
export type ConnectFlowClaims = z.infer<typeof ConnectFlowClaimsSchema>;

/**
 * The claims of a flow token (DESIGN section 3), discriminated on `flow`. No text claim may hold a
 * NUL character or an unpaired surrogate (see `isStorableText`).
 *
 * @example
 * ```ts
 * import { FlowTokenClaimsSchema } from "@relink/sdk/contract";
 * const claims = FlowTokenClaimsSchema.parse(payload);
 * if (claims.flow === "relink") console.log(claims.sub);
 * ```
 */
export const FlowTokenClaimsSchema = z
  .discriminatedUnion("flow", [RelinkFlowClaimsSchema, ConnectFlowClaimsSchema])
  .superRefine(refuseUnstorableText);
export type FlowTokenClaims = z.infer<typeof FlowTokenClaimsSchema>;
