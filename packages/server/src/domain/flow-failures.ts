import type { Flow, FlowStep, FlowTokenClaims } from "@relink/sdk/contract";
import { decodeJwt } from "jose";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import { type VerifiedFlowToken, verifyFlowToken } from "../flow-tokens/verify.ts";
import { ApiError } from "../http/errors.ts";
import { DomainError } from "./errors.ts";
import { recordEvent } from "./events.ts";
import { findIntegration } from "./integrations.ts";
import { tokenFailureForgotten } from "./retention.ts";

/**
 * `connection-flow-failed`: a flow the end user left (`POST /connect/v1/exit`), or one that cannot
 * go on (expired or used token, denied OAuth consent). Announced at most once per token (`jti`),
 * however often the widget reports it; every report is logged.
 */

export interface FlowFailureExtra {
  step?: FlowStep;
  detail?: string;
}

export interface FlowFailure {
  workspaceId: string;
  jti: string;
  flow: Flow;
  integrationId: string | null;
  tool: string | null;
  endUser: { origin_id: string; organization_name: string; email: string | null };
  /** `USER_EXITED`, `TOKEN_EXPIRED`, `TOKEN_ALREADY_USED`, `OAUTH_DENIED`, … */
  reason: string;
  /** Extra fields of the event: the step the user left at and the widget's reason (`USER_EXITED`). */
  extra?: FlowFailureExtra;
}

/** Records the failure; returns whether it was announced (false: this token's failure already was). */
export async function recordFlowFailure(ctx: RelinkContext, failure: FlowFailure): Promise<boolean> {
  const at = iso(ctx.clock.now());
  const announced = await inTransaction(ctx, async (tx) => {
    if (failure.reason === "USER_EXITED") {
      await tx.db
        .updateTable("relink_links")
        .set({ exited_at: at })
        .where("jti", "=", failure.jti)
        .where("workspace_id", "=", failure.workspaceId)
        .where("completed_at", "is", null)
        .execute();
    }
    const inserted = await tx.db
      .insertInto("flow_failures")
      .values({ jti: failure.jti, workspace_id: failure.workspaceId, reason: failure.reason, created_at: at })
      .onConflict((oc) => oc.column("jti").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await recordEvent(tx, {
      workspaceId: failure.workspaceId,
      type: "connection-flow-failed",
      integrationId: failure.integrationId,
      data: {
        flow: failure.flow,
        integration_id: failure.integrationId,
        tool: failure.tool,
        end_user: failure.endUser,
        reason: failure.reason,
        ...failure.extra,
      },
      createdAt: at,
    });
    return true;
  });
  ctx.log.info(
    {
      workspace_id: failure.workspaceId,
      flow: failure.flow,
      integration_id: failure.integrationId,
      tool: failure.tool,
      reason: failure.reason,
      ...failure.extra,
      announced,
    },
    "connection flow failed",
  );
  return announced;
}

/** The failure of a verified token's flow, with the end user and tool it concerns. */
export async function failureOf(
  ctx: Pick<RelinkContext, "db">,
  token: Pick<VerifiedFlowToken, "claims" | "workspaceId">,
  reason: string,
  extra?: FlowFailureExtra,
): Promise<FlowFailure | null> {
  const { claims, workspaceId } = token;
  const base = { workspaceId, jti: claims.jti, flow: claims.flow, reason, extra };
  if (claims.flow === "connect") {
    return {
      ...base,
      integrationId: null,
      tool: claims.tool ?? null,
      endUser: {
        origin_id: claims.end_user.origin_id,
        organization_name: claims.end_user.organization_name,
        email: claims.end_user.email ?? null,
      },
    };
  }
  const row = await findIntegration(ctx.db, workspaceId, claims.sub);
  if (!row) return null;
  return {
    ...base,
    integrationId: row.id,
    tool: row.tool,
    endUser: {
      origin_id: row.end_user_origin_id,
      organization_name: row.end_user_organization_name,
      email: row.end_user_email,
    },
  };
}

/**
 * A token refused as expired is a flow that can no longer complete: announce it, once (a token
 * that expired longer ago than the retention is no longer announced: see retention.ts). Only a
 * genuine token counts: it is verified again as of its last valid second, so a forged or foreign
 * token can never make an event. A used token is not a failure: its flow completed (and was
 * announced as such); presenting it again is only logged.
 */
export async function recordRefusedToken(ctx: RelinkContext, token: string, refusal: unknown): Promise<void> {
  if (!(refusal instanceof ApiError) && !(refusal instanceof DomainError)) return;
  if (refusal.code === "TOKEN_ALREADY_USED") {
    ctx.log.info({ code: refusal.code }, "a completed flow's token was presented again");
    return;
  }
  if (refusal.code !== "TOKEN_EXPIRED") return;
  try {
    const exp = decodeJwt(token).exp;
    if (typeof exp !== "number") return;
    if (tokenFailureForgotten(exp * 1000, ctx.clock.now().getTime(), ctx.config.retentionMs)) return;
    const lastValid = new Date((exp - 1) * 1000);
    const asOf = { ...ctx, clock: { now: () => lastValid } };
    let claims: FlowTokenClaims;
    try {
      ({ claims } = await verifyFlowToken(asOf, token));
    } catch {
      // Forged, foreign, revoked key, or the flow completed after all: nothing to announce.
      return;
    }
    const failure = await failureOf(ctx, { claims, workspaceId: claims.iss }, refusal.code);
    if (failure) await recordFlowFailure(ctx, failure);
  } catch (error) {
    ctx.log.warn({ err: error }, "could not record a refused flow token");
  }
}
