import { createHash, randomBytes } from "node:crypto";
import { type FlowTokenClaims, FlowTokenClaimsSchema, type OAuthCallbackMessage } from "@relink/sdk/contract";
import { decodeJwt } from "jose";
import { iso } from "../clock.ts";
import { ConnectorError, type OAuthHooks } from "../connectors/types.ts";
import type { RelinkContext } from "../context.ts";
import { toJson } from "../db/schema.ts";
import { type VerifiedFlowToken, verifyFlowToken } from "../flow-tokens/verify.ts";
import { refusalOf } from "./errors.ts";
import { failureOf, recordFlowFailure, recordRefusedToken } from "./flow-failures.ts";
import { type FlowSubject, resolveFlow, submitCredentials } from "./relink.ts";

/** How long an OAuth sign-in may take, from `oauth/start` to the callback. */
export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;

/** Sign-ins end within minutes: states over a day old are forgotten when the next one starts. */
const FORGET_STATES_AFTER_MS = 86_400_000;

const sealContext = (state: string) => `oauth_state:${state}`;

/** The path of the OAuth redirect URI under the public URL. */
export const OAUTH_CALLBACK_PATH = "/connect/v1/oauth/callback";

/** The redirect URI every tool sends its sign-ins back to. */
export const oauthRedirectUri = (ctx: Pick<RelinkContext, "config">): string =>
  `${ctx.config.publicUrl}${OAUTH_CALLBACK_PATH}`;

export interface OAuthStart {
  /** The flow, resolved for its tool. */
  subject: FlowSubject;
  /** The verified flow token and its compact form (sealed, to complete the flow at the callback). */
  token: VerifiedFlowToken;
  compactToken: string;
  /** The tool signed in to, and its OAuth side. */
  toolId: string;
  oauth: OAuthHooks;
  /** The origin of the window that opened the popup: the callback page reports to it only. */
  openerOrigin: string;
  /** The optional permissions the end user left out, and the scopes to ask the tool for. */
  optedOut: string[];
  scopes: string[];
}

/**
 * Starts an OAuth 2 sign-in (authorization code + PKCE): stores its state (the PKCE verifier and the
 * flow token sealed) and returns the tool's authorize URL to send the popup to.
 */
export async function startOAuthSignIn(ctx: RelinkContext, start: OAuthStart): Promise<string> {
  const state = randomBytes(32).toString("base64url");
  const verifier = randomBytes(32).toString("base64url");
  const now = ctx.clock.now();
  const expiresAt = Math.min(now.getTime() + OAUTH_STATE_LIFETIME_MS, start.token.expiresAt.getTime());
  await ctx.db
    .deleteFrom("oauth_states")
    .where("expires_at", "<", iso(new Date(now.getTime() - FORGET_STATES_AFTER_MS)))
    .execute();
  await ctx.db
    .insertInto("oauth_states")
    .values({
      state,
      workspace_id: start.subject.workspaceId,
      jti: start.subject.jti,
      tool: start.toolId,
      code_verifier_sealed: ctx.secrets.seal(verifier, sealContext(state)),
      opener_origin: start.openerOrigin,
      flow_token_sealed: ctx.secrets.seal(start.compactToken, sealContext(state)),
      created_at: iso(now),
      expires_at: iso(new Date(expiresAt)),
      used_at: null,
      opted_out: toJson(start.optedOut),
    })
    .execute();
  return start.oauth.authorizeUrl({
    redirectUri: oauthRedirectUri(ctx),
    state,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    scopes: start.scopes,
  });
}

/** What the tool sent back to the redirect URI. */
export interface OAuthCallbackQuery {
  state?: string;
  code?: string;
  error?: string;
  error_description?: string;
}

/** The message for the opener window, and the origin it may be posted to (`null`: to none). */
export interface OAuthCallbackOutcome {
  message: OAuthCallbackMessage;
  origin: string | null;
}

const failed = (code: string, message: string, details?: unknown): OAuthCallbackMessage => ({
  type: "relink:oauth",
  status: "ERROR",
  code,
  message,
  ...(details === undefined ? {} : { details }),
});

/**
 * The OAuth callback: claims the sign-in's state (once), exchanges the code for credentials and
 * completes the flow with them. Every outcome, refusals included, is a message for the opener
 * window; failures of the flow are recorded as `connection-flow-failed` events.
 */
export async function completeOAuthSignIn(
  ctx: RelinkContext,
  q: OAuthCallbackQuery,
  signal: AbortSignal,
): Promise<OAuthCallbackOutcome> {
  const unknownState = (): OAuthCallbackOutcome => {
    ctx.log.warn("OAuth callback for an unknown sign-in");
    return {
      message: failed("OAUTH_STATE_INVALID", "This sign-in was not started here, or the link is incomplete."),
      origin: null,
    };
  };
  if (!q.state) return unknownState();
  const row = await ctx.db
    .selectFrom("oauth_states")
    .selectAll()
    .where("state", "=", q.state)
    .executeTakeFirst();
  if (!row) return unknownState();
  const origin = row.opener_origin;
  const at = iso(ctx.clock.now());

  let token: string;
  let claims: FlowTokenClaims;
  try {
    token = ctx.secrets.open(row.flow_token_sealed, sealContext(row.state));
    claims = FlowTokenClaimsSchema.parse(decodeJwt(token));
  } catch (error) {
    ctx.log.error({ err: error }, "an OAuth sign-in's flow token cannot be opened");
    return { message: failed("OAUTH_STATE_INVALID", "This sign-in cannot be completed."), origin };
  }
  const fail = async (code: string, message: string): Promise<OAuthCallbackOutcome> => {
    const failure = await failureOf(ctx, { claims, workspaceId: row.workspace_id }, code);
    if (failure) await recordFlowFailure(ctx, failure);
    return { message: failed(code, message), origin };
  };

  // One use per sign-in: a reload or a replayed code finds it used.
  const claimed = await ctx.db
    .updateTable("oauth_states")
    .set({ used_at: at })
    .where("state", "=", row.state)
    .where("used_at", "is", null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) {
    const spent = await ctx.db
      .selectFrom("spent_tokens")
      .select("jti")
      .where("workspace_id", "=", row.workspace_id)
      .where("jti", "=", row.jti)
      .executeTakeFirst();
    if (spent) {
      return {
        message: failed("TOKEN_ALREADY_USED", "This connection was already completed."),
        origin: null,
      };
    }
    return fail("OAUTH_STATE_USED", "This sign-in was already used.");
  }
  if (row.expires_at <= at) return fail("OAUTH_STATE_EXPIRED", "The sign-in took too long.");
  if (q.error === "access_denied") return fail("OAUTH_DENIED", "Access was not approved.");
  if (q.error || !q.code) {
    return fail("OAUTH_FAILED", `The sign-in failed${q.error ? ` (${q.error.slice(0, 100)})` : ""}.`);
  }

  let subject: FlowSubject;
  try {
    const verified = await verifyFlowToken(ctx, token);
    subject = await resolveFlow(ctx, verified, row.tool);
  } catch (error) {
    await recordRefusedToken(ctx, token, error);
    const refusal = refusalOf(error);
    if (refusal) return { message: failed(refusal.code, refusal.message, refusal.details), origin };
    throw error;
  }
  const connector = subject.connector;
  if (!connector?.oauth) return fail("OAUTH_FAILED", "This tool does not use OAuth.");

  let credentials: Record<string, string>;
  try {
    credentials = await connector.oauth.exchangeCode({
      code: q.code,
      redirectUri: oauthRedirectUri(ctx),
      codeVerifier: ctx.secrets.open(row.code_verifier_sealed, sealContext(row.state)),
      signal,
    });
  } catch (error) {
    if (error instanceof ConnectorError && error.outcome === "AUTH_FAILED") {
      return fail("OAUTH_CODE_INVALID", `${connector.tool.name} refused the sign-in code.`);
    }
    if (!(error instanceof ConnectorError)) ctx.log.error({ err: error }, "OAuth code exchange failed");
    return {
      message: failed(
        "TOOL_UNREACHABLE",
        `${connector.tool.name} could not be reached. Try again in a moment.`,
      ),
      origin,
    };
  }

  try {
    const completed = await submitCredentials(ctx, subject, credentials, row.opted_out ?? [], signal);
    ctx.log.info(
      {
        workspace_id: subject.workspaceId,
        flow: completed.flow,
        integration_id: completed.integration_id,
        tool: connector.tool.id,
      },
      "flow completed",
    );
    return { message: { type: "relink:oauth", ...completed }, origin };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return { message: failed(refusal.code, refusal.message, refusal.details), origin };
    throw error;
  }
}
