import { randomBytes } from "node:crypto";
import {
  type ConnectFlowClaims,
  type FlowTokenClaims,
  MAX_LINK_LIFETIME,
  type RelinkFlowClaims,
  TOKEN_AUDIENCE,
  TOKEN_TYPE,
} from "@relink/sdk/contract";
import { SignJWT } from "jose";
import type { RelinkContext } from "../context.ts";
import { serverSigningKey } from "./keys.ts";

type Registered = "iss" | "aud" | "iat" | "exp" | "nbf" | "jti";

/** What the server puts in a token it makes; `iss`, `aud`, `iat`, `exp` and `jti` are filled in. */
export type FlowTokenContent = Omit<RelinkFlowClaims, Registered> | Omit<ConnectFlowClaims, Registered>;

export interface SignFlowTokenInput {
  workspaceId: string;
  claims: FlowTokenContent;
  /** Seconds from now until it expires; at most 30 days. */
  lifetime: number;
  /** Default: 24 random bytes, base64url. */
  jti?: string;
}

export interface SignedFlowToken {
  token: string;
  jti: string;
  keyId: string;
  claims: FlowTokenClaims;
  expiresAt: Date;
}

/**
 * Makes a flow token with the workspace's own server key (created on first use), for
 * `POST /v1/integrations/:id/relink` and the links the server sends.
 *
 * A token living longer than 1 hour is accepted by `verifyFlowToken` only when a `relink_links`
 * row of the workspace carries its `jti`: insert that row (with the returned `jti`) in the same
 * transaction that hands the token out.
 *
 * @example
 * ```ts
 * const { token, jti, expiresAt } = await signFlowToken(ctx, {
 *   workspaceId,
 *   claims: { flow: "relink", sub: integration.id, scope_config_id: body.scope_config_id },
 *   lifetime: 7 * 24 * 3600,
 * });
 * ```
 */
export async function signFlowToken(
  ctx: Pick<RelinkContext, "db" | "clock" | "secrets">,
  input: SignFlowTokenInput,
): Promise<SignedFlowToken> {
  if (!Number.isInteger(input.lifetime) || input.lifetime <= 0 || input.lifetime > MAX_LINK_LIFETIME) {
    throw new RangeError(`lifetime must be a whole number of seconds from 1 to ${MAX_LINK_LIFETIME}`);
  }
  const key = await serverSigningKey(ctx, input.workspaceId);
  const iat = Math.floor(ctx.clock.now().getTime() / 1000);
  const jti = input.jti ?? randomBytes(24).toString("base64url");
  const claims = {
    ...withoutUndefined(input.claims),
    iss: input.workspaceId,
    aud: TOKEN_AUDIENCE,
    iat,
    exp: iat + input.lifetime,
    jti,
  } as FlowTokenClaims;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: TOKEN_TYPE, kid: key.id })
    .sign(key.secret);
  return { token, jti, keyId: key.id, claims, expiresAt: new Date(claims.exp * 1000) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
