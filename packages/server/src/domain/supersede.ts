import type { RelinkContext, Tx } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import type { VerifiedFlowToken } from "../flow-tokens/verify.ts";
import { DomainError } from "./errors.ts";
import { recordEvents } from "./events.ts";

/**
 * One live repair (docs/design.md "Superseded links"): when a relink completes, every other
 * outstanding way to do the same repair is pointless. The relink's transition records the
 * integration's `relinked_at` (integration machine), and in the same transaction each outstanding relink link whose target the relink satisfied (no
 * target scope config, or the one now in use) is marked superseded, announced once per link
 * (`relink-link-superseded`). A flow token then answers `409 FLOW_SUPERSEDED` with
 * `details: { superseded_at }`: a server link by its mark, a token minted with the SDK when it was
 * issued (`iat`) before `relinked_at` for a target the relink satisfied. A link that asks for
 * another scope config than the one now in use stays outstanding: that repair is still to do.
 */

/** In a completed relink's transaction: supersedes the integration's other outstanding links. */
export async function supersedeOutstanding(
  tx: Tx,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "scope_config_id">,
  completingJti: string,
  at: string,
): Promise<void> {
  const superseded = await tx.db
    .updateTable("relink_links")
    .set({ superseded_at: at })
    .where("workspace_id", "=", row.workspace_id)
    .where("integration_id", "=", row.id)
    .where("jti", "!=", completingJti)
    .where("completed_at", "is", null)
    .where("revoked_at", "is", null)
    .where("superseded_at", "is", null)
    .where("expires_at", ">", at)
    .where((eb) =>
      row.scope_config_id === null
        ? eb("scope_config_id", "is", null)
        : eb.or([eb("scope_config_id", "is", null), eb("scope_config_id", "=", row.scope_config_id)]),
    )
    .returning("id")
    .execute();
  await recordEvents(
    tx,
    superseded.map((link) => ({
      workspaceId: row.workspace_id,
      type: "relink-link-superseded" as const,
      integrationId: row.id,
      data: { link_id: link.id, integration_id: row.id, superseded_at: at },
      createdAt: at,
    })),
  );
}

const superseded = (at: string) =>
  new DomainError(
    "FLOW_SUPERSEDED",
    "This reconnection was already completed by someone else: nothing more is needed.",
    { details: { superseded_at: at } },
  );

/** Refuses a relink flow token that a completed relink made pointless (`409 FLOW_SUPERSEDED`). */
export async function assertNotSuperseded(
  db: RelinkContext["db"],
  token: Pick<VerifiedFlowToken, "serverIssued" | "workspaceId" | "claims">,
  integration: Pick<IntegrationRow, "relinked_at" | "scope_config_id">,
): Promise<void> {
  if (integration.relinked_at === null || token.claims.flow !== "relink") return;
  if (token.serverIssued) {
    const link = await db
      .selectFrom("relink_links")
      .select("superseded_at")
      .where("jti", "=", token.claims.jti)
      .where("workspace_id", "=", token.workspaceId)
      .executeTakeFirst();
    if (link?.superseded_at) throw superseded(link.superseded_at);
    return;
  }
  const target = token.claims.scope_config_id;
  const satisfied = target === undefined || target === integration.scope_config_id;
  // `iat` has whole seconds: a token of the relink's own second is given the benefit of the doubt.
  const relinkedSecond = Math.floor(Date.parse(integration.relinked_at) / 1000);
  if (satisfied && token.claims.iat < relinkedSecond) throw superseded(integration.relinked_at);
}
