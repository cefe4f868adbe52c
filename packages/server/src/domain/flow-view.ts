import type {
  Branding,
  ConnectFlow,
  ConnectTool,
  Flow,
  Locale,
  MissingPermissionDetail,
  OptionalScopePart,
  RequiredPermission,
  ScopeConfigModels,
  Tool,
} from "@relink/sdk/contract";
import { iso } from "../clock.ts";
import { type Connector, localizedTool } from "../connectors/types.ts";
import type { IntegrationRow, ScopeConfigRow } from "../db/schema.ts";
import type { VerifiedFlowToken } from "../flow-tokens/verify.ts";
import { DomainError } from "./errors.ts";
import { remoteAccount } from "./integrations.ts";
import { missingPermissions, neededPermissions, scopeParts, scopePermissions } from "./scope.ts";

/**
 * What a flow shows and asks for (docs/design.md section 6 "Connect API"): the flow's subject as
 * read from its token, the widget's view of it, the optional parts, the permissions to request and
 * the ones missing. Pure. The completion is in `relink.ts`.
 */

/** A verified flow token with everything it refers to, read from the database. */
export interface FlowSubject {
  token: VerifiedFlowToken;
  flow: Flow;
  workspaceId: string;
  jti: string;
  /** The integration being relinked; null for connect. */
  integration: IntegrationRow | null;
  /** The tool; null for a connect flow whose tool is not chosen yet. */
  connector: Connector | null;
  currentScope: ScopeConfigRow | null;
  targetScope: ScopeConfigRow | null;
  endUser: { origin_id: string; organization_name: string; email: string | null };
}

export const modelsOf = (scope: ScopeConfigRow | null): ScopeConfigModels =>
  (scope?.models as ScopeConfigModels | undefined) ?? {};

export function toConnectTool(tool: Tool): ConnectTool {
  return { id: tool.id, name: tool.name, category: tool.category, logo_url: tool.logo_url, auth: tool.auth };
}

/** The optional parts the end user may opt out of: optional models, and optional fields of enabled models. */
export function optionalParts(tool: Tool, models: ScopeConfigModels): OptionalScopePart[] {
  const parts: OptionalScopePart[] = [];
  for (const part of scopeParts(tool, models)) {
    if (part.setting !== "OPTIONAL") continue;
    const model = tool.models.find((m) => m.id === part.model);
    if (part.field === null) {
      parts.push({ id: part.model, label: model?.label ?? part.model, permission: part.permission });
    } else if (models[part.model]?.setting !== "OPTIONAL") {
      const field = model?.fields.find((f) => f.id === part.field);
      parts.push({
        id: `${part.model}.${part.field}`,
        label: `${model?.label ?? part.model}: ${field?.label ?? part.field}`,
        permission: part.permission,
      });
    }
  }
  return parts;
}

const scopeRef = (scope: ScopeConfigRow | null) => (scope ? { id: scope.id, name: scope.name } : null);

/**
 * What the widget shows (`GET /connect/v1/flow`), the tool's labels in `locale` where its
 * connector translates them, and the workspace's branding.
 */
export function describeFlow(subject: FlowSubject, locale?: Locale, branding?: Branding): ConnectFlow {
  const tool = subject.connector ? localizedTool(subject.connector, locale) : null;
  const models = modelsOf(subject.targetScope);
  const { required, optional } = tool ? scopePermissions(tool, models) : { required: [], optional: [] };
  const granted = new Set(subject.integration?.granted_permissions ?? []);
  const relinking = subject.integration !== null;
  const requiredPermissions: RequiredPermission[] = tool
    ? [...required, ...optional].map((id) => {
        const permission = tool.permissions.find((p) => p.id === id);
        return {
          id,
          label: permission?.label ?? id,
          description: permission?.description ?? "",
          where_to_grant: permission?.where_to_grant ?? "",
          newly_required: relinking && !granted.has(id),
          optional: optional.includes(id),
        };
      })
    : [];
  return {
    flow: subject.flow,
    integration_id: subject.integration?.id ?? null,
    tool: tool ? toConnectTool(tool) : null,
    end_user: subject.endUser,
    remote_account: subject.integration ? remoteAccount(subject.integration) : null,
    current_scope_config: scopeRef(subject.currentScope),
    target_scope_config: scopeRef(subject.targetScope),
    required_permissions: requiredPermissions,
    newly_required_permissions: requiredPermissions.filter((p) => p.newly_required).map((p) => p.id),
    optional_parts: tool ? optionalParts(tool, models) : [],
    locale: subject.token.claims.locale ?? null,
    expires_at: iso(subject.token.expiresAt),
    ...(branding ? { branding } : {}),
  };
}

/**
 * The opt-outs of a submission, checked: each must name an optional part of the target scope.
 * Absent: a relink keeps the integration's earlier opt-outs that still apply; a connect has none.
 */
export function checkedOptOuts(subject: FlowSubject, tool: Tool, optedOut: string[] | undefined): string[] {
  const allowed = new Set(optionalParts(tool, modelsOf(subject.targetScope)).map((p) => p.id));
  if (optedOut === undefined) {
    return (subject.integration?.opted_out ?? []).filter((id) => allowed.has(id));
  }
  const unknown = optedOut.filter((id) => !allowed.has(id));
  if (unknown.length > 0) {
    const issues = unknown.map((id) => ({
      path: "opted_out",
      code: "invalid_value",
      message: `"${id}" is not an optional part of the target scope; optional parts: ${[...allowed].join(", ") || "none"}`,
    }));
    throw new DomainError("INVALID_REQUEST", `Invalid request: ${issues[0]?.message}`, {
      details: { issues },
    });
  }
  return [...new Set(optedOut)].sort();
}

/** The permissions the end user must grant: those of the target scope minus the opted-out parts. */
export function permissionsToRequest(
  subject: FlowSubject,
  tool: Tool,
  optedOut: readonly string[],
): string[] {
  return neededPermissions(tool, modelsOf(subject.targetScope), optedOut);
}

/** For each needed permission the credentials lack: what it is, where to grant it, what it is for. */
export function missingPermissionDetails(
  tool: Tool,
  models: ScopeConfigModels,
  granted: readonly string[],
  optedOut: readonly string[],
): MissingPermissionDetail[] {
  return missingPermissions(tool, models, granted, optedOut).map((missing) => {
    const permission = tool.permissions.find((p) => p.id === missing.permission);
    return {
      permission: missing.permission,
      label: permission?.label ?? missing.permission,
      description: permission?.description ?? "",
      where_to_grant: permission?.where_to_grant ?? "",
      models: missing.models,
      fields: missing.fields,
    };
  });
}
