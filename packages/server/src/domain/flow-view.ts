import type {
  Branding,
  ConnectFlow,
  ConnectTool,
  Flow,
  FlowHandoff,
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
import { asJsonText, type JsonText } from "../json-text.ts";
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
 * The parts of a flow's view that follow from its tool, the locale, the target scope's models and
 * the permissions the integration was granted (none for a connect): the tool as the widget shows
 * it, the permissions to grant and the optional parts.
 */
interface ToolParts {
  tool: ConnectTool | null;
  required_permissions: RequiredPermission[];
  newly_required_permissions: string[];
  optional_parts: OptionalScopePart[];
}

function toolParts(subject: FlowSubject, locale: Locale | undefined): ToolParts {
  const tool = subject.connector ? localizedTool(subject.connector, locale) : null;
  if (!tool)
    return { tool: null, required_permissions: [], newly_required_permissions: [], optional_parts: [] };
  const models = modelsOf(subject.targetScope);
  const { required, optional } = scopePermissions(tool, models);
  const granted = new Set(subject.integration?.granted_permissions ?? []);
  const relinking = subject.integration !== null;
  const requiredPermissions = [...required, ...optional].map((id): RequiredPermission => {
    const permission = tool.permissions.find((p) => p.id === id);
    return {
      id,
      label: permission?.label ?? id,
      description: permission?.description ?? "",
      where_to_grant: permission?.where_to_grant ?? "",
      newly_required: relinking && !granted.has(id),
      optional: optional.includes(id),
    };
  });
  return {
    tool: toConnectTool(tool),
    required_permissions: requiredPermissions,
    newly_required_permissions: requiredPermissions.filter((p) => p.newly_required).map((p) => p.id),
    optional_parts: optionalParts(tool, models),
  };
}

/**
 * What the widget shows (`GET /connect/v1/flow`), the tool's labels in `locale` where its
 * connector translates them, and the workspace's branding.
 */
export function describeFlow(subject: FlowSubject, locale?: Locale, branding?: Branding): ConnectFlow {
  const parts = toolParts(subject, locale);
  return {
    flow: subject.flow,
    integration_id: subject.integration?.id ?? null,
    tool: parts.tool,
    end_user: subject.endUser,
    remote_account: subject.integration ? remoteAccount(subject.integration) : null,
    current_scope_config: scopeRef(subject.currentScope),
    target_scope_config: scopeRef(subject.targetScope),
    required_permissions: parts.required_permissions,
    newly_required_permissions: parts.newly_required_permissions,
    optional_parts: parts.optional_parts,
    locale: subject.token.claims.locale ?? null,
    expires_at: iso(subject.token.expiresAt),
    ...(branding ? { branding } : {}),
  };
}

/** `ToolParts` as JSON text, kept per connector (see `flowJson`). */
interface TextParts {
  /** What they were made from: a connector whose tool or translations change makes them again. */
  tool: Tool;
  translations: Connector["translations"];
  /** `tool` as JSON. */
  toolJson: string;
  /** `"required_permissions":…,"newly_required_permissions":…,"optional_parts":…` */
  permissionsJson: string;
}

/**
 * Texts kept per connector, by locale, target models and granted permissions: at most this many,
 * all dropped when one more is needed (a hit then costs one lookup, no reordering: a set of flows
 * sharing fewer texts than this, the common case, never misses once made).
 */
export const FLOW_TEXT_CACHE_SIZE = 256;
const textsByConnector = new WeakMap<Connector, Map<string, TextParts>>();

function textParts(subject: FlowSubject, connector: Connector, locale: Locale | undefined): TextParts {
  const key = JSON.stringify([
    locale ?? "",
    subject.integration ? (subject.integration.granted_permissions ?? []) : null,
    modelsOf(subject.targetScope),
  ]);
  let texts = textsByConnector.get(connector);
  if (!texts) {
    texts = new Map();
    textsByConnector.set(connector, texts);
  }
  const kept = texts.get(key);
  if (kept && kept.tool === connector.tool && kept.translations === connector.translations) return kept;
  const parts = toolParts(subject, locale);
  const made: TextParts = {
    tool: connector.tool,
    translations: connector.translations,
    toolJson: JSON.stringify(parts.tool),
    permissionsJson: `"required_permissions":${JSON.stringify(parts.required_permissions)},"newly_required_permissions":${JSON.stringify(parts.newly_required_permissions)},"optional_parts":${JSON.stringify(parts.optional_parts)}`,
  };
  if (!kept && texts.size >= FLOW_TEXT_CACHE_SIZE) texts.clear();
  texts.set(key, made);
  return made;
}

/**
 * `describeFlow` with the answer's `handoff`, as the JSON text `GET /connect/v1/flow` answers:
 * the same text as `JSON.stringify` of them (`test/flow-json.test.ts`). The tool and the
 * permissions, most of the text, depend on the tool, the locale, the target scope's models and
 * what the integration was granted, which many flows share: they are kept as text per connector
 * (all dropped past `FLOW_TEXT_CACHE_SIZE`), so a flow serialises only its own
 * parts. Under load, making and serialising those objects for every request cost about a quarter
 * of the route's CPU.
 */
export function flowJson(
  subject: FlowSubject,
  locale: Locale | undefined,
  branding: Branding | undefined,
  handoff: FlowHandoff | null,
): JsonText<ConnectFlow> {
  if (!subject.connector) {
    return asJsonText(JSON.stringify({ ...describeFlow(subject, locale, branding), handoff }));
  }
  const texts = textParts(subject, subject.connector, locale);
  const integration = subject.integration;
  return asJsonText(
    `{"flow":${JSON.stringify(subject.flow)},"integration_id":${JSON.stringify(integration?.id ?? null)}` +
      `,"tool":${texts.toolJson},"end_user":${JSON.stringify(subject.endUser)}` +
      `,"remote_account":${JSON.stringify(integration ? remoteAccount(integration) : null)}` +
      `,"current_scope_config":${JSON.stringify(scopeRef(subject.currentScope))}` +
      `,"target_scope_config":${JSON.stringify(scopeRef(subject.targetScope))},${texts.permissionsJson}` +
      `,"locale":${JSON.stringify(subject.token.claims.locale ?? null)},"expires_at":${JSON.stringify(iso(subject.token.expiresAt))}` +
      `${branding ? `,"branding":${JSON.stringify(branding)}` : ""},"handoff":${JSON.stringify(handoff)}}`,
  );
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
