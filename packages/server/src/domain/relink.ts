import type { Branding, FlowCompleted, FlowWarning, ScopeConfigModels, Tool } from "@relink/sdk/contract";
import type { Kysely } from "kysely";
import { revokeReplacedGrant } from "../connectors/oauth.ts";
import type { Credentials } from "../connectors/types.ts";
import { inTransaction, type RelinkContext, type Tx } from "../context.ts";
import type { Database, IntegrationRow, ScopeConfigRow } from "../db/schema.ts";
import { spendFlowToken, type VerifiedFlowToken } from "../flow-tokens/verify.ts";
import { readBranding } from "./branding.ts";
import { recordCampaignProgress } from "./campaigns.ts";
import { relinkedExpiry } from "./credential-expiry.ts";
import { DomainError } from "./errors.ts";
import { type FlowSubject, missingPermissionDetails, modelsOf } from "./flow-view.ts";
import { transition } from "./integration-machine.ts";
import { authCheckValues, findOpenRun, lockIntegration, writeTransition } from "./integration-store.ts";
import { openCredentials, sealCredentials } from "./integrations.ts";
import { createIntegration } from "./lifecycle.ts";
import { narrowRecords } from "./records.ts";
import { missingPermissions, readableModels } from "./scope.ts";
import { findDefaultScopeConfig, findScopeConfig } from "./scope-configs.ts";
import { assertNotSuperseded, supersedeOutstanding } from "./supersede.ts";
import { relinkSyncRun } from "./sync-queue.ts";
import { type VerifiedCredentials, verifyCredentials } from "./tool-checks.ts";

export {
  checkedOptOuts,
  describeFlow,
  type FlowSubject,
  flowJson,
  missingPermissionDetails,
  optionalParts,
  permissionsToRequest,
  toConnectTool,
} from "./flow-view.ts";

/**
 * Relink and connect flows (docs/design.md section 4 rule 7, section 6 "Connect API"): what a flow
 * token authorises, what the end user must grant, and the completion: the network checks first,
 * outside any transaction, then one transaction that spends the token and replaces the
 * credentials and scope (relink) or creates the integration (connect). Until that transaction
 * commits nothing about the integration changes. Knows nothing of HTTP.
 */

/** `details.branding`: who revoked it, so the hosted page can say so (the token itself is authentic). */
const linkRevoked = (branding: Branding) =>
  new DomainError(
    "LINK_REVOKED",
    "This link was revoked by the people who sent it. Ask them for a new one if you still need to reconnect.",
    { details: { branding } },
  );

/**
 * Refuses a token whose relink link the operator revoked (`410 LINK_REVOKED`). Only the server's
 * own links can be revoked, so tokens minted with the SDK cost no read.
 */
export async function assertLinkNotRevoked(
  db: RelinkContext["db"],
  token: Pick<VerifiedFlowToken, "serverIssued" | "workspaceId" | "claims">,
): Promise<void> {
  if (!token.serverIssued) return;
  const revoked = await db
    .selectFrom("relink_links")
    .select("id")
    .where("jti", "=", token.claims.jti)
    .where("workspace_id", "=", token.workspaceId)
    .where("revoked_at", "is not", null)
    .executeTakeFirst();
  if (revoked) throw linkRevoked(await readBranding(db, token.workspaceId));
}

/**
 * Marks the token's link completed, in the completion's transaction; refuses (rolling it back)
 * when the link was revoked meanwhile. A revocation only touches a link not completed, so of the
 * two racing, exactly one wins.
 */
async function completeLink(tx: Tx, subject: FlowSubject, at: string, integrationId?: string): Promise<void> {
  await tx.db
    .updateTable("relink_links")
    .set({ completed_at: at, ...(integrationId === undefined ? {} : { integration_id: integrationId }) })
    .where("jti", "=", subject.jti)
    .where("workspace_id", "=", subject.workspaceId)
    .where("revoked_at", "is", null)
    .execute();
  if (subject.token.serverIssued) await assertLinkNotRevoked(tx.db, subject.token);
}

const subjectGone = () =>
  new DomainError("TOKEN_SUBJECT_UNKNOWN", "The flow token's integration does not exist.");
const scopeGone = () =>
  new DomainError("TOKEN_SCOPE_CONFIG_UNKNOWN", "The flow token's scope config does not exist.");

/**
 * What a verified token refers to: the rows its verification read (`token.named`), its tool, and
 * for a connect flow without a target the category's default scope config. `toolId` is the end
 * user's choice of tool in a connect flow without a preselected one (refused when it contradicts
 * the token or the integration).
 */
export async function resolveFlow(
  ctx: Pick<RelinkContext, "db" | "connectors">,
  token: VerifiedFlowToken,
  toolId?: string,
): Promise<FlowSubject> {
  const { claims, workspaceId } = token;
  await assertLinkNotRevoked(ctx.db, token);
  if (claims.flow === "relink") {
    // Read with the token (its verification checked them), not again.
    const { integration, currentScope } = token.named;
    if (!integration) throw subjectGone();
    await assertNotSuperseded(ctx.db, token, integration);
    if (toolId !== undefined && toolId !== integration.tool) {
      throw invalidTool(`this flow relinks a ${integration.tool} integration, not ${toolId}`);
    }
    const connector = ctx.connectors.get(integration.tool);
    if (!connector) {
      throw new DomainError(
        "SERVICE_UNAVAILABLE",
        `No connector for tool "${integration.tool}" is installed on this server.`,
      );
    }
    const targetScope = claims.scope_config_id === undefined ? currentScope : token.named.targetScope;
    if (claims.scope_config_id !== undefined && !targetScope) throw scopeGone();
    assertScopeFits(connector.tool, targetScope);
    // Each subject an object literal of its own keys: a spread followed by more keys takes V8's
    // slow path (a few µs a request).
    return {
      token,
      flow: claims.flow,
      workspaceId,
      jti: claims.jti,
      integration,
      connector,
      currentScope,
      targetScope,
      endUser: {
        origin_id: integration.end_user_origin_id,
        organization_name: integration.end_user_organization_name,
        email: integration.end_user_email,
      },
    };
  }

  if (claims.tool !== undefined && toolId !== undefined && toolId !== claims.tool) {
    throw invalidTool(`this flow connects ${claims.tool}, not ${toolId}`);
  }
  const chosen = claims.tool ?? toolId;
  const connector = chosen === undefined ? null : (ctx.connectors.get(chosen) ?? null);
  if (chosen !== undefined && !connector) {
    throw new DomainError("UNKNOWN_TOOL", `Unknown tool "${chosen}"; GET /connect/v1/tools lists the tools.`);
  }
  let targetScope: ScopeConfigRow | null = null;
  if (claims.scope_config_id !== undefined) {
    targetScope = token.named.targetScope;
    if (!targetScope) throw scopeGone();
  } else if (connector) {
    targetScope = (await findDefaultScopeConfig(ctx.db, workspaceId, connector.tool.category)) ?? null;
  }
  if (connector) assertScopeFits(connector.tool, targetScope);
  return {
    token,
    flow: claims.flow,
    workspaceId,
    jti: claims.jti,
    integration: null,
    connector,
    currentScope: null,
    targetScope,
    endUser: {
      origin_id: claims.end_user.origin_id,
      organization_name: claims.end_user.organization_name,
      email: claims.end_user.email ?? null,
    },
  };
}

function invalidTool(message: string): DomainError {
  return new DomainError("INVALID_REQUEST", `Invalid request: tool: ${message}`, {
    details: { issues: [{ path: "tool", code: "invalid_value", message }] },
  });
}

function assertScopeFits(tool: Tool, scope: ScopeConfigRow | null): void {
  if (scope && scope.category !== tool.category) {
    throw new DomainError(
      "SCOPE_CONFIG_INVALID",
      `Scope config ${scope.id} is for ${scope.category}, not ${tool.category}.`,
    );
  }
}

/**
 * The named points inside the completion transaction, for failure-injection tests. A relink's
 * transition (credentials, streak, state, check, queued sync, events) is written at once by the
 * store, before `credentials-replaced`; the points after it still come in this order.
 */
export type CompletionPoint =
  | "token-spent"
  | "credentials-replaced"
  | "sync-queued"
  | "link-completed"
  | "events-recorded";

export interface CompletionInput {
  subject: FlowSubject;
  verified: VerifiedCredentials;
  /** Checked with `checkedOptOuts`. */
  optedOut: string[];
  /** Called at each point inside the transaction; a throw there rolls everything back (tests). */
  failpoint?: (point: CompletionPoint) => void | Promise<void>;
}

/**
 * Checks credentials with the tool, then completes the flow with them (`completeRelink` or
 * `completeConnect`). Network first, outside any transaction.
 */
export async function submitCredentials(
  ctx: RelinkContext,
  subject: FlowSubject,
  credentials: Credentials,
  optedOut: string[],
  signal: AbortSignal,
  failpoint?: CompletionInput["failpoint"],
): Promise<FlowCompleted> {
  const connector = subject.connector;
  if (!connector) throw invalidTool("choose a tool: GET /connect/v1/tools lists them");
  const verified = await verifyCredentials(ctx, connector, credentials, signal);
  const input = { subject, verified, optedOut, failpoint };
  return subject.flow === "relink" ? completeRelink(ctx, input) : completeConnect(ctx, input);
}

/** The checks that need no transaction: the permissions granted, and (relink) the remote account. */
function preflight(input: CompletionInput): { tool: Tool; models: ScopeConfigModels } {
  const { subject, verified, optedOut } = input;
  const tool = subject.connector?.tool;
  if (!tool) throw invalidTool("choose a tool: GET /connect/v1/tools lists them");
  const models = modelsOf(subject.targetScope);
  const missing = missingPermissionDetails(tool, models, verified.granted, optedOut);
  if (missing.length > 0) {
    throw new DomainError(
      "PERMISSIONS_MISSING",
      `These credentials lack ${missing.length === 1 ? "a permission" : `${missing.length} permissions`} the integration needs: ${missing.map((m) => m.label).join(", ")}.`,
      { details: { missing } },
    );
  }
  if (subject.integration) assertSameAccount(subject.integration, verified, tool);
  return { tool, models };
}

function assertSameAccount(row: IntegrationRow, verified: VerifiedCredentials, tool: Tool): void {
  if (row.account_id !== null && row.account_id !== verified.account.id) {
    throw new DomainError(
      "ACCOUNT_MISMATCH",
      `These credentials belong to another ${tool.name} account than the one this integration is connected to. Use credentials of the same company.`,
    );
  }
}

/**
 * Completes a relink: in one transaction, spends the token (the loser of two concurrent
 * submissions gets `409 TOKEN_ALREADY_USED`), replaces the credentials, scope config and opt-outs,
 * clears the failure streak, makes the integration `ACTIVE` (never re-enabling an `INACTIVE` one),
 * queues a sync now (trigger `RELINK`), marks the link completed, and records the events.
 */
export async function completeRelink(ctx: RelinkContext, input: CompletionInput): Promise<FlowCompleted> {
  const { subject, verified, optedOut } = input;
  const integration = subject.integration;
  if (subject.flow !== "relink" || !integration) throw new TypeError("completeRelink needs a relink flow");
  const { tool } = preflight(input);
  const point = async (name: CompletionPoint) => input.failpoint?.(name);

  return inTransaction(ctx, async (tx) => {
    const now = ctx.clock.now();
    const at = now.toISOString();
    await spendFlowToken(tx.db, {
      jti: subject.jti,
      workspaceId: subject.workspaceId,
      integrationId: integration.id,
      at,
    });
    await point("token-spent");

    const row = await lockIntegration(tx, ctx, subject.workspaceId, integration.id);
    if (!row) throw subjectGone();
    assertSameAccount(row, verified, tool);
    // Read again under the lock: the target may have been deleted or changed since the checks.
    const targetId = subject.token.claims.scope_config_id ?? row.scope_config_id;
    const target = targetId ? await findScopeConfig(tx.db, subject.workspaceId, targetId) : undefined;
    if (subject.token.claims.scope_config_id !== undefined && !target) throw scopeGone();
    const models = modelsOf(target ?? null);

    const t = transition(
      row,
      {
        kind: "relinked",
        replacement: {
          credentials_sealed: sealCredentials(ctx, row.id, verified.credentials),
          account_id: verified.account.id,
          account_name: verified.account.name ?? row.account_name,
          scope_config_id: targetId,
          opted_out: optedOut,
          granted_permissions: verified.granted,
          missing_permissions: missingPermissions(tool, models, verified.granted, optedOut),
          ...relinkedExpiry(verified.expiresAt),
        },
      },
      now,
      ctx.config,
    );
    const run =
      t.update.state === "ACTIVE"
        ? relinkSyncRun(await findOpenRun(tx, row.id), { ...row, scope_config_id: targetId }, at)
        : null;
    const updated = await writeTransition(tx, row, t, {
      authCheck: authCheckValues(
        row,
        {
          outcome: "OK",
          trigger: "RELINK",
          detail: "credentials checked when the relink completed",
          durationMs: 0,
        },
        at,
      ),
      runs: run ? [run] : [],
    });
    const connector = subject.connector;
    if (connector?.oauth?.revoke) {
      const replaced = row.credentials_sealed;
      tx.afterCommit(() => {
        // The grant this relink replaced is revoked at the tool where it can be (RFC 7009), after the commit.
        void revokeReplacedGrant(ctx, {
          workspaceId: row.workspace_id,
          integrationId: row.id,
          connector,
          replaced: openCredentials(ctx, { id: row.id, credentials_sealed: replaced }),
          current: verified.credentials,
        }).catch((error: unknown) => ctx.log.error({ err: error }, "recording a grant revocation failed"));
      });
    }
    // Nothing outside the new scope stays stored: what the next sync will not read goes now.
    await narrowRecords(tx, ctx, row.id, readableModels(tool, models, verified.granted, optedOut));
    await point("credentials-replaced");
    await point("sync-queued");

    await completeLink(tx, subject, at);
    await point("link-completed");
    await supersedeOutstanding(tx, updated, subject.jti, at);
    await recordCampaignProgress(tx, updated, at);

    await point("events-recorded");
    const warnings = await accountWarnings(tx.db, updated, tool);
    return {
      status: "COMPLETED",
      flow: "relink",
      integration_id: row.id,
      scope_config_id: updated.scope_config_id,
      remote_account: { id: verified.account.id, name: updated.account_name },
      warnings,
    } satisfies FlowCompleted;
  });
}

/**
 * Completes a connect flow: creates the integration (`integration-created`, a sync at once) and
 * spends the token in the same transaction.
 */
export async function completeConnect(ctx: RelinkContext, input: CompletionInput): Promise<FlowCompleted> {
  const { subject, verified, optedOut } = input;
  if (subject.flow !== "connect") throw new TypeError("completeConnect needs a connect flow");
  const { tool, models } = preflight(input);
  const point = async (name: CompletionPoint) => input.failpoint?.(name);
  const row = await createIntegration(ctx, {
    workspaceId: subject.workspaceId,
    tool,
    endUser: subject.endUser,
    verified,
    scopeConfig: subject.targetScope ? { id: subject.targetScope.id, models } : null,
    syncIntervalMs: null,
    optedOut,
    within: async (tx, created) => {
      const at = created.created_at;
      await spendFlowToken(tx.db, {
        jti: subject.jti,
        workspaceId: subject.workspaceId,
        integrationId: created.id,
        at,
      });
      await point("token-spent");
      await completeLink(tx, subject, at, created.id);
      await point("link-completed");
    },
  });
  return {
    status: "COMPLETED",
    flow: "connect",
    integration_id: row.id,
    scope_config_id: row.scope_config_id,
    remote_account: { id: verified.account.id, name: row.account_name },
    warnings: await accountWarnings(ctx.db, row, tool),
  };
}

/**
 * `ACCOUNT_ALREADY_CONNECTED` when another integration of the workspace is connected to the same
 * remote account of the tool: most often the end user signed in to the wrong company. A warning,
 * not a refusal (one company may rightly be connected twice, e.g. for two of its organisations in
 * the product); which integration it is is not said, since it belongs to someone else.
 */
async function accountWarnings(
  db: Kysely<Database>,
  row: Pick<IntegrationRow, "id" | "workspace_id" | "tool" | "account_id" | "account_name">,
  tool: Tool,
): Promise<FlowWarning[]> {
  if (row.account_id === null) return [];
  const other = await db
    .selectFrom("integrations")
    .select("id")
    .where("workspace_id", "=", row.workspace_id)
    .where("tool", "=", row.tool)
    .where("account_id", "=", row.account_id)
    .where("id", "!=", row.id)
    .limit(1)
    .executeTakeFirst();
  if (!other) return [];
  const account = row.account_name ? `${tool.name} account "${row.account_name}"` : `${tool.name} account`;
  return [
    {
      code: "ACCOUNT_ALREADY_CONNECTED",
      message: `This ${account} is already connected for another organisation. If it is not your organisation's account, connect again and choose the right one.`,
    },
  ];
}
