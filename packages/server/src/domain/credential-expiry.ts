import type { Integration } from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import { inTransaction, type RelinkContext } from "../context.ts";
import type { IntegrationRow } from "../db/schema.ts";
import { type NewEvent, recordEvents } from "./events.ts";
import { markExpiryWarned } from "./integration-store.ts";
import { integrationSummary } from "./integrations.ts";

/**
 * Warn before it breaks (docs/design.md "Credentials expiry"): where a connector reports when the
 * credentials expire (`credentialsExpireAt` of a check), relink keeps it (`credentials_expire_at`)
 * and, `RELINK_EXPIRY_WARNING` before, announces `integration-credentials-expiring` once per
 * expiry (`expiry_warned_for` holds the expiry that was announced: a new expiry is announced anew).
 * A relink replaces it with what the new credentials report. Storing it is the integration
 * machine's (`auth-checked`, `relinked`), written by the store; this module announces.
 */

/** The expiry columns of a relink's new credentials. */
export const relinkedExpiry = (expiresAt: string | undefined) => {
  const at = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt);
  return { credentials_expire_at: Number.isNaN(at) ? null : iso(new Date(at)) };
};

const BATCH = 500;

/**
 * Announces `integration-credentials-expiring` for every integration (not disabled) whose
 * credentials expire within `RELINK_EXPIRY_WARNING` and whose expiry was not announced yet. Safe on
 * several replicas: the conditional update decides who announces. Returns how many were announced.
 */
export async function announceExpiringCredentials(ctx: RelinkContext): Promise<number> {
  const now = ctx.clock.now();
  const horizon = iso(new Date(now.getTime() + ctx.config.expiryWarningMs));
  let announced = 0;
  for (;;) {
    const due = await ctx.db
      .selectFrom("integrations")
      .select("id")
      .where("credentials_expire_at", "is not", null)
      .where("credentials_expire_at", "<=", horizon)
      .where("state", "!=", "INACTIVE")
      .where((eb) =>
        eb.or([
          eb("expiry_warned_for", "is", null),
          eb("expiry_warned_for", "!=", eb.ref("credentials_expire_at")),
        ]),
      )
      .limit(BATCH)
      .execute();
    if (due.length === 0) return announced;
    const at = iso(ctx.clock.now());
    const rows = await inTransaction(ctx, async (tx) => {
      const claimed = await markExpiryWarned(
        tx,
        due.map((r) => r.id),
      );
      await recordEvents(
        tx,
        claimed.map((row) => expiringEvent(row, at)),
      );
      return claimed;
    });
    announced += rows.length;
    if (due.length < BATCH) return announced;
  }
}

function expiringEvent(row: IntegrationRow, at: string): NewEvent {
  const summary = integrationSummary(row);
  return {
    workspaceId: row.workspace_id,
    type: "integration-credentials-expiring",
    integrationId: row.id,
    data: {
      integration_id: row.id,
      integration_tool: row.tool,
      integration_category: summary.category as Integration["category"],
      end_user: summary.end_user,
      credentials_expire_at: row.credentials_expire_at as string,
    },
    createdAt: at,
  };
}
