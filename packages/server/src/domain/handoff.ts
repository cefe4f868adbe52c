import type { FlowHandoff, HandoffCreated } from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import type { FlowTokenContent } from "../flow-tokens/sign.ts";
import { signFlowToken } from "../flow-tokens/sign.ts";
import type { VerifiedFlowToken } from "../flow-tokens/verify.ts";
import { newId } from "../ids.ts";
import { recordEvent } from "./events.ts";
import type { FlowSubject } from "./relink.ts";

/**
 * Hand-off to an admin (docs/design.md "Hand-off"): the end user who cannot grant what the tool
 * asks (not an admin of it) gets a link to forward: a new server-made magic link for the same
 * flow, integration (or end user and tool) and target scope, recorded as a relink link with who
 * asked, announced as `relink-link-handed-off`. The flow read through it carries
 * `handoff: { requested_by, requested_at }`. Completing either finishes the repair; the other is
 * then superseded like any outstanding link.
 */

/** How long a hand-off link lives: long enough for an admin to get to it, shorter than a magic link. */
export const HANDOFF_LINK_LIFETIME = 3 * 24 * 3600;

/** Rate limits of `POST /connect/v1/flow/handoff`. */
export const HANDOFF_LIMITS = {
  perToken: { limit: 5, windowMs: 60 * 60_000 },
  perIp: { limit: 30, windowMs: 60 * 60_000 },
} as const;

export async function createHandoff(
  ctx: RelinkContext,
  subject: FlowSubject,
  requestedBy: string | null,
): Promise<HandoffCreated & { linkId: string }> {
  const claims = subject.token.claims;
  const target = subject.targetScope?.id;
  const content: FlowTokenContent =
    claims.flow === "relink"
      ? { flow: "relink", sub: claims.sub, scope_config_id: target, locale: claims.locale }
      : {
          flow: "connect",
          end_user: claims.end_user,
          tool: claims.tool ?? subject.connector?.tool.id,
          scope_config_id: target,
          locale: claims.locale,
        };
  const signed = await signFlowToken(ctx, {
    workspaceId: subject.workspaceId,
    claims: content,
    lifetime: HANDOFF_LINK_LIFETIME,
  });
  const now = ctx.clock.now();
  const at = iso(now);
  const linkId = newId("lnk", now.getTime());
  const expiresAt = iso(signed.expiresAt);
  const integrationId = subject.integration?.id ?? null;
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .insertInto("relink_links")
      .values({
        id: linkId,
        workspace_id: subject.workspaceId,
        integration_id: integrationId,
        jti: signed.jti,
        flow: claims.flow,
        link_type: "MAGIC_LINK",
        scope_config_id: target ?? null,
        language: claims.locale ?? null,
        expires_at: expiresAt,
        created_at: at,
        completed_at: null,
        exited_at: null,
        revoked_at: null,
        superseded_at: null,
        handoff_requested_by: requestedBy,
        handoff_requested_at: at,
      })
      .execute();
    await recordEvent(tx, {
      workspaceId: subject.workspaceId,
      type: "relink-link-handed-off",
      integrationId,
      data: {
        link_id: linkId,
        flow: claims.flow,
        integration_id: integrationId,
        tool: subject.connector?.tool.id ?? null,
        scope_config_id: target ?? null,
        end_user: subject.endUser,
        requested_by: requestedBy,
        requested_at: at,
        expires_at: expiresAt,
      },
      createdAt: at,
    });
  });
  return { url: `${ctx.config.publicUrl}/link#token=${signed.token}`, expires_at: expiresAt, linkId };
}

/** `handoff` of a flow: set when its token is a hand-off link's. */
export async function handoffOf(
  db: RelinkContext["db"],
  token: Pick<VerifiedFlowToken, "serverIssued" | "workspaceId" | "claims">,
): Promise<FlowHandoff | null> {
  if (!token.serverIssued) return null;
  const link = await db
    .selectFrom("relink_links")
    .select(["handoff_requested_by", "handoff_requested_at"])
    .where("jti", "=", token.claims.jti)
    .where("workspace_id", "=", token.workspaceId)
    .executeTakeFirst();
  if (!link?.handoff_requested_at) return null;
  return { requested_by: link.handoff_requested_by, requested_at: link.handoff_requested_at };
}
