import { randomUUID } from "node:crypto";
import type { RelinkContext } from "../context.ts";
import { inTransaction } from "../context.ts";
import { storeRefreshedCredentials } from "../domain/integration-store.ts";
import { openCredentials, sealCredentials } from "../domain/integrations.ts";
import { newId } from "../ids.ts";
import { type Connector, ConnectorError, type Credentials } from "./types.ts";

/** How long one refresh may hold an integration before another replica may take over. */
const LEASE_MS = 30_000;
/** How long a caller waits for another replica's refresh before giving up (`INCONCLUSIVE`). */
const WAIT_MS = 60_000;
const EXPIRY_MARGIN_MS = 60_000;

export interface RefreshOptions {
  connector: Connector;
  signal: AbortSignal;
  /** The credentials the caller found stale: if the stored ones differ, someone refreshed already. */
  stale?: Credentials;
  /**
   * How long the access token must still be valid to be used as it is (default one minute): a sync
   * session asks for its whole lifetime.
   */
  minValidityMs?: number;
}

const usable = (credentials: Credentials, nowMs: number, minValidityMs = EXPIRY_MARGIN_MS) =>
  Boolean(credentials.access_token) && Number(credentials.expires_at ?? 0) - nowMs > minValidityMs;

const differ = (a: Credentials, b: Credentials | undefined) =>
  b === undefined || a.access_token !== b.access_token || a.refresh_token !== b.refresh_token;

/**
 * Refreshes an integration's OAuth tokens once for every replica: the first caller takes a lease
 * row in the database, refreshes, and stores the new tokens in the same transaction that ends the
 * lease, before anyone uses them; every other caller (here or on another replica) waits for the
 * lease to end and takes the stored tokens. A tool that rotates refresh tokens thus never sees one
 * used twice. A refresh answered `invalid_grant` throws `AUTH_FAILED`.
 */
export async function refreshAccessToken(
  ctx: RelinkContext,
  integrationId: string,
  options: RefreshOptions,
): Promise<Credentials> {
  const oauth = options.connector.oauth;
  if (!oauth) throw new ConnectorError("AUTH_FAILED", "this tool has no OAuth refresh");
  const owner = randomUUID();
  const deadline = performance.now() + WAIT_MS;
  for (let round = 0; ; round++) {
    const stored = await storedCredentials(ctx, integrationId);
    const nowMs = ctx.clock.now().getTime();
    if (usable(stored, nowMs, options.minValidityMs) && differ(stored, options.stale)) return stored;
    if (await takeLease(ctx, integrationId, owner)) {
      try {
        // Read again under the lease: the previous holder may have stored fresh tokens just now.
        const current = await storedCredentials(ctx, integrationId);
        if (
          usable(current, ctx.clock.now().getTime(), options.minValidityMs) &&
          differ(current, options.stale)
        ) {
          return current;
        }
        const refreshed = await oauth.refresh({ credentials: current, signal: options.signal });
        await inTransaction(ctx, async (tx) => {
          await storeRefreshedCredentials(tx, integrationId, sealCredentials(ctx, integrationId, refreshed));
          await tx.db
            .deleteFrom("credential_refresh_leases")
            .where("integration_id", "=", integrationId)
            .where("owner", "=", owner)
            .execute();
        });
        return refreshed;
      } finally {
        await ctx.db
          .deleteFrom("credential_refresh_leases")
          .where("integration_id", "=", integrationId)
          .where("owner", "=", owner)
          .execute();
      }
    }
    if (options.signal.aborted || performance.now() > deadline) {
      throw new ConnectorError("INCONCLUSIVE", "another refresh of these credentials did not finish in time");
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * 2 ** Math.min(round, 4))));
  }
}

async function storedCredentials(ctx: RelinkContext, integrationId: string): Promise<Credentials> {
  const row = await ctx.db
    .selectFrom("integrations")
    .select(["id", "credentials_sealed"])
    .where("id", "=", integrationId)
    .executeTakeFirst();
  if (!row) throw new ConnectorError("INCONCLUSIVE", "the integration is gone");
  return openCredentials(ctx, row);
}

/** Takes the lease when nobody holds it or the holder's time ran out; true when taken. */
async function takeLease(ctx: RelinkContext, integrationId: string, owner: string): Promise<boolean> {
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + LEASE_MS).toISOString();
  const taken = await ctx.db
    .insertInto("credential_refresh_leases")
    .values({ integration_id: integrationId, owner, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column("integration_id")
        .doUpdateSet({ owner, expires_at: expiresAt })
        .where("credential_refresh_leases.expires_at", "<", now.toISOString()),
    )
    .returning("owner")
    .executeTakeFirst();
  return taken?.owner === owner;
}

/** The caller's refresh hook for a stored integration (`ConnectorContext.refresh`). */
export function leasedRefresh(
  ctx: RelinkContext,
  integrationId: string,
  connector: Connector,
  signal: AbortSignal,
): ((stale: Credentials) => Promise<Credentials>) | undefined {
  if (!connector.oauth) return undefined;
  return (stale) => refreshAccessToken(ctx, integrationId, { connector, signal, stale });
}

/**
 * Whether two sets of credentials are one OAuth grant, refreshed or not: a refresh keeps the
 * `grant_id` set when the code was exchanged; a relink brings a new one.
 */
export function sameGrant(a: Credentials, b: Credentials): boolean {
  return a.grant_id !== undefined && a.grant_id === b.grant_id;
}

/** `sameGrant` of two reads of an integration row (false when either cannot be opened). */
export function sameGrantStored(
  ctx: Pick<RelinkContext, "secrets">,
  row: { id: string; credentials_sealed: string },
  other: { credentials_sealed: string },
): boolean {
  try {
    return sameGrant(
      openCredentials(ctx, row),
      openCredentials(ctx, { id: row.id, credentials_sealed: other.credentials_sealed }),
    );
  } catch {
    return false;
  }
}

/**
 * After a relink replaced a grant: revokes the old one at the tool (RFC 7009) when the tool has a
 * revocation endpoint, and records the outcome. Never throws: the relink is done either way.
 */
export async function revokeReplacedGrant(
  ctx: RelinkContext,
  input: {
    workspaceId: string;
    integrationId: string;
    connector: Connector;
    replaced: Credentials;
    current: Credentials;
    signal?: AbortSignal;
  },
): Promise<"REVOKED" | "FAILED" | "NOT_REVOCABLE"> {
  const revoke = input.connector.oauth?.revoke;
  if (!revoke) return "NOT_REVOCABLE";
  const token = input.replaced.refresh_token || input.replaced.access_token;
  if (!token || token === input.current.refresh_token || token === input.current.access_token) {
    return "NOT_REVOCABLE"; // the tool handed back the same grant: nothing was replaced
  }
  let outcome: "REVOKED" | "FAILED" = "REVOKED";
  let detail: string | null = null;
  try {
    await revoke({ credentials: input.replaced, signal: input.signal ?? AbortSignal.timeout(30_000) });
  } catch (error) {
    outcome = "FAILED";
    detail = error instanceof ConnectorError ? error.message : "the revocation failed";
    if (!(error instanceof ConnectorError)) ctx.log.error({ err: error }, "grant revocation failed");
  }
  const now = ctx.clock.now();
  await ctx.db
    .insertInto("grant_revocations")
    .values({
      id: newId("rev", now.getTime()),
      workspace_id: input.workspaceId,
      integration_id: input.integrationId,
      tool: input.connector.tool.id,
      outcome,
      detail,
      created_at: now.toISOString(),
    })
    .execute();
  if (outcome === "REVOKED") {
    ctx.log.info(
      { integration_id: input.integrationId, tool: input.connector.tool.id, outcome },
      "replaced OAuth grant revoked",
    );
  } else {
    // The old grant still works at the tool until its owner revokes it there: the operator's to see.
    ctx.log.warn(
      { integration_id: input.integrationId, tool: input.connector.tool.id, outcome, detail },
      "replaced OAuth grant not revoked: revoke it at the tool",
    );
  }
  return outcome;
}
