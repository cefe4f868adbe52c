import {
  EMBEDDED_LINK_LIFETIME,
  type LinkType,
  MAGIC_LINK_LIFETIME,
  MAX_LINK_LIFETIME,
  type RelinkLink,
  type RelinkLinkCreate,
  type RelinkLinkStatus,
} from "@relink/sdk/contract";
import type { Selectable } from "kysely";
import { iso } from "../clock.ts";
import type { RelinkContext } from "../context.ts";
import type { RelinkLinkTable } from "../db/schema.ts";
import { parseDuration } from "../duration.ts";
import { signFlowToken } from "../flow-tokens/sign.ts";
import { newId } from "../ids.ts";
import { DomainError, notFound } from "./errors.ts";
import { findIntegration } from "./integrations.ts";
import type { PageWindow } from "./paging.ts";
import { findScopeConfig } from "./scope-configs.ts";

/** Relink links: a flow token made by the server, for the widget or the hosted page `/link`. */

const DEFAULT_LIFETIME: Record<LinkType, number> = {
  EMBEDDED: EMBEDDED_LINK_LIFETIME,
  MAGIC_LINK: MAGIC_LINK_LIFETIME,
};

/** Longest lifetime of each link type: an `EMBEDDED` token is for a page open now, so at most 1 hour. */
const MAX_LIFETIME: Record<LinkType, number> = {
  EMBEDDED: EMBEDDED_LINK_LIFETIME,
  MAGIC_LINK: MAX_LINK_LIFETIME,
};

const lifetimeRefused = (message: string) =>
  new DomainError("INVALID_REQUEST", `Invalid request: body.expires_in: ${message}`, {
    details: { issues: [{ path: "body.expires_in", code: "too_big", message }] },
  });

/** A link's lifetime in seconds: the type's default, or `expiresIn` within the type's limits. */
export function lifetimeSeconds(linkType: LinkType, expiresIn: number | string | undefined): number {
  if (expiresIn === undefined) return DEFAULT_LIFETIME[linkType];
  const seconds =
    typeof expiresIn === "number" ? expiresIn : Math.floor((parseDuration(expiresIn) ?? 0) / 1000);
  if (seconds < 60 || seconds > MAX_LINK_LIFETIME)
    throw lifetimeRefused("must be from 60 seconds to 30 days");
  if (seconds > MAX_LIFETIME[linkType]) {
    throw lifetimeRefused(
      "EMBEDDED links live at most 1 hour (3600 seconds); use a MAGIC_LINK for a link that must last longer",
    );
  }
  return seconds;
}

export function toRelinkLink(row: Selectable<RelinkLinkTable>, now: string): RelinkLink {
  return {
    id: row.id,
    integration_id: row.integration_id ?? "",
    link_type: row.link_type as LinkType,
    scope_config_id: row.scope_config_id,
    language: row.language as RelinkLink["language"],
    status: row.completed_at
      ? "COMPLETED"
      : row.revoked_at
        ? "REVOKED"
        : row.superseded_at
          ? "SUPERSEDED"
          : row.expires_at <= now
            ? "EXPIRED"
            : "OUTSTANDING",
    created_at: row.created_at,
    expires_at: row.expires_at,
    completed_at: row.completed_at,
    exited_at: row.exited_at,
    revoked_at: row.revoked_at,
    superseded_at: row.superseded_at ?? null,
    handoff_requested_by: row.handoff_requested_by ?? null,
  };
}

export interface MadeRelinkLink {
  id: string;
  integrationId: string;
  token: string;
  linkType: LinkType;
  expiresAt: string;
}

/** Makes a relink link for an integration: signs its flow token and records the link. */
export async function makeRelinkLink(
  ctx: RelinkContext,
  workspaceId: string,
  integrationId: string,
  body: RelinkLinkCreate,
): Promise<MadeRelinkLink> {
  const integration = await findIntegration(ctx.db, workspaceId, integrationId);
  if (!integration) throw notFound("Integration");
  if (body.scope_config_id !== undefined) {
    const scope = await findScopeConfig(ctx.db, workspaceId, body.scope_config_id);
    if (!scope) throw notFound("Scope config");
    if (scope.category !== integration.category) {
      throw new DomainError(
        "SCOPE_CONFIG_INVALID",
        `Scope config ${scope.id} is for ${scope.category}, not ${integration.category}.`,
      );
    }
  }
  const linkType = body.link_type ?? "EMBEDDED";
  const signed = await signFlowToken(ctx, {
    workspaceId,
    claims: {
      flow: "relink",
      sub: integration.id,
      scope_config_id: body.scope_config_id,
      locale: body.language,
    },
    lifetime: lifetimeSeconds(linkType, body.expires_in),
  });
  const now = ctx.clock.now();
  const id = newId("lnk", now.getTime());
  const expiresAt = iso(signed.expiresAt);
  await ctx.db
    .insertInto("relink_links")
    .values({
      id,
      workspace_id: workspaceId,
      integration_id: integration.id,
      jti: signed.jti,
      flow: "relink",
      link_type: linkType,
      scope_config_id: body.scope_config_id ?? null,
      language: body.language ?? null,
      expires_at: expiresAt,
      created_at: iso(now),
      completed_at: null,
      exited_at: null,
      revoked_at: null,
      superseded_at: null,
    })
    .execute();
  return { id, integrationId: integration.id, token: signed.token, linkType, expiresAt };
}

/** An integration's relink links, newest first, as of `now`; `NOT_FOUND` for another workspace's integration. */
export async function listRelinkLinks(
  ctx: Pick<RelinkContext, "db">,
  workspaceId: string,
  integrationId: string,
  window: PageWindow & { status?: RelinkLinkStatus | undefined },
  now: string,
) {
  const integration = await findIntegration(ctx.db, workspaceId, integrationId);
  if (!integration) throw notFound("Integration");
  let query = ctx.db
    .selectFrom("relink_links")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("integration_id", "=", integration.id)
    .orderBy("id", "desc")
    .limit(window.limit + 1);
  if (window.after) query = query.where("id", "<", window.after);
  if (window.status === "COMPLETED") query = query.where("completed_at", "is not", null);
  if (window.status === "REVOKED")
    query = query.where("completed_at", "is", null).where("revoked_at", "is not", null);
  if (window.status === "SUPERSEDED")
    query = query
      .where("completed_at", "is", null)
      .where("revoked_at", "is", null)
      .where("superseded_at", "is not", null);
  if (window.status === "EXPIRED")
    query = query
      .where("completed_at", "is", null)
      .where("revoked_at", "is", null)
      .where("superseded_at", "is", null)
      .where("expires_at", "<=", now);
  if (window.status === "OUTSTANDING")
    query = query
      .where("completed_at", "is", null)
      .where("revoked_at", "is", null)
      .where("superseded_at", "is", null)
      .where("expires_at", ">", now);
  return query.execute();
}

/**
 * Revokes a relink link not completed; idempotent. A completed link is refused (`CONFLICT`).
 * Returns the link and whether this call revoked it.
 */
export async function revokeRelinkLink(
  ctx: Pick<RelinkContext, "db" | "clock">,
  workspaceId: string,
  integrationId: string,
  linkId: string,
): Promise<{ link: RelinkLink; revokedNow: boolean }> {
  const at = iso(ctx.clock.now());
  // Only a link not completed: the completion does the opposite check in its transaction,
  // so of a revocation and a completion racing, exactly one wins.
  const revoked = await ctx.db
    .updateTable("relink_links")
    .set({ revoked_at: at })
    .where("id", "=", linkId)
    .where("workspace_id", "=", workspaceId)
    .where("integration_id", "=", integrationId)
    .where("completed_at", "is", null)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  const row = await ctx.db
    .selectFrom("relink_links")
    .selectAll()
    .where("id", "=", linkId)
    .where("workspace_id", "=", workspaceId)
    .where("integration_id", "=", integrationId)
    .executeTakeFirst();
  if (!row) throw notFound("Relink link");
  if (row.completed_at !== null) {
    throw new DomainError(
      "CONFLICT",
      `Relink link ${row.id} already completed a relink at ${row.completed_at}: there is nothing left to revoke.`,
    );
  }
  return { link: toRelinkLink(row, at), revokedNow: Number(revoked.numUpdatedRows) > 0 };
}
