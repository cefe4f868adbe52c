import { randomBytes } from "node:crypto";
import type { Integration, ScopeConfig } from "@relink/sdk/contract";
import type { Stack } from "./stack.ts";

const HOUR = 3_600_000;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** An id in the server's format (`evt_…`), time-ordered like the server's own. */
export function fakeId(prefix: string, at: number): string {
  let time = "";
  let t = at;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = [...randomBytes(16)].map((b) => ALPHABET[b % 32]).join("");
  return `${prefix}_${time}${random}`;
}

export const ORGANISATIONS = [
  "Acme Corporation",
  "Globex Industries",
  "Initech",
  "Umbrella Health",
  "Stark Logistics",
  "Wayne Retail",
  "Hooli",
  "Soylent Foods",
  "Vandelay Imports",
  "Wonka Confectionery",
  "Cyberdyne Systems",
  "Tyrell Biotech",
];

export interface SeededWorkspace {
  core: ScopeConfig;
  compensation: ScopeConfig;
  integrations: Integration[];
}

/** Two scope configs: "Core HR" (the default) and "Core HR + compensation". */
export async function seedScopeConfigs(
  stack: Stack,
): Promise<{ core: ScopeConfig; compensation: ScopeConfig }> {
  const core = await stack.api<ScopeConfig>("POST", "/v1/scope-configs", {
    name: "Core HR",
    category: "HRIS",
    is_default: true,
    models: {
      employees: {
        setting: "ENABLED",
        fields: { date_of_birth: "DISABLED", home_address: "DISABLED", salary: "DISABLED" },
      },
      teams: { setting: "ENABLED" },
    },
  });
  const compensation = await stack.api<ScopeConfig>("POST", "/v1/scope-configs", {
    name: "Core HR + compensation",
    category: "HRIS",
    models: {
      employees: { setting: "ENABLED", fields: { date_of_birth: "DISABLED", home_address: "DISABLED" } },
      teams: { setting: "ENABLED" },
      compensations: { setting: "ENABLED" },
      time_off_requests: { setting: "OPTIONAL" },
    },
  });
  return { core, compensation };
}

/** Imports integrations for the organisations, with real demo HR system keys. */
export async function seedIntegrations(
  stack: Stack,
  names: readonly string[],
  options: { syncInterval?: string; permissions?: string[]; company?: "acme" | "globex" } = {},
): Promise<Array<{ integration: Integration; key: string }>> {
  const out: Array<{ integration: Integration; key: string }> = [];
  for (const [index, name] of names.entries()) {
    const company = options.company ?? (index % 2 === 0 ? "acme" : "globex");
    const key = await stack.hrisKey(company, options.permissions ?? ["employees:read", "teams:read"]);
    const integration = await stack.api<Integration>("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: {
        origin_id: `org-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
        organization_name: name,
        email: `it@${name.toLowerCase().replace(/[^a-z0-9]+/g, "")}.example`,
      },
      credentials: { api_key: key },
      ...(options.syncInterval ? { sync_interval: options.syncInterval } : {}),
    });
    out.push({ integration, key });
  }
  return out;
}

type Outcome = "OK" | "AUTH_FAILED" | "INCONCLUSIVE";

/**
 * Writes days of history straight into the database, as the pause engine would have written it:
 * an auth check every 3 hours, a failure streak from `failingSinceHoursAgo`, the pause 72 hours
 * into it, with the events that announce them. For screenshots, where waiting days is not an option.
 */
export async function seedHistory(
  stack: Stack,
  integration: Integration,
  plan: {
    days: number;
    failingSinceHoursAgo?: number;
    inconclusiveAtHoursAgo?: number[];
    /** An earlier failure streak that recovered: `[from, to]` hours ago. */
    recoveredStreakHoursAgo?: [number, number];
    pauseAfterHours?: number;
    /** The credentials lack `compensation:read`, which the scope config asks for. */
    missingCompensation?: boolean;
    /** Moves the integration to this scope config first. */
    scopeConfigId?: string;
  },
): Promise<void> {
  const db = stack.server.relink.ctx.db;
  const now = Date.now();
  const pauseAfter = (plan.pauseAfterHours ?? 72) * HOUR;
  const failingSince =
    plan.failingSinceHoursAgo === undefined ? null : now - plan.failingSinceHoursAgo * HOUR;
  const checks: Array<{ at: number; outcome: Outcome }> = [];
  let pausedAt: number | null = null;
  for (let at = now - plan.days * 24 * HOUR; at <= now - 10 * 60_000; at += 3 * HOUR) {
    const hoursAgo = Math.round((now - at) / HOUR);
    let outcome: Outcome = failingSince !== null && at >= failingSince ? "AUTH_FAILED" : "OK";
    const [from, to] = plan.recoveredStreakHoursAgo ?? [-1, -1];
    if (hoursAgo <= from && hoursAgo > to) outcome = "AUTH_FAILED";
    if (plan.inconclusiveAtHoursAgo?.some((h) => Math.abs(h - hoursAgo) <= 1)) outcome = "INCONCLUSIVE";
    if (pausedAt !== null) break; // paused: no more scheduled checks
    checks.push({ at, outcome });
    if (failingSince !== null && outcome === "AUTH_FAILED" && at >= failingSince + pauseAfter) pausedAt = at;
  }
  if (failingSince !== null && checks.every((c) => c.at < failingSince)) {
    checks.push({ at: failingSince, outcome: "AUTH_FAILED" });
  }
  const firstFailure =
    failingSince === null
      ? null
      : (checks.find((c) => c.outcome === "AUTH_FAILED" && c.at >= failingSince)?.at ?? null);
  await db.deleteFrom("auth_checks").where("integration_id", "=", integration.id).execute();
  for (const c of checks) {
    await db
      .insertInto("auth_checks")
      .values({
        id: fakeId("chk", c.at),
        workspace_id: stack.workspaceId,
        integration_id: integration.id,
        outcome: c.outcome,
        trigger: "SYNC",
        detail:
          c.outcome === "AUTH_FAILED"
            ? "HTTP 401: the API key was revoked"
            : c.outcome === "INCONCLUSIVE"
              ? "HTTP 503 from the tool"
              : null,
        duration_ms: 80 + (c.at % 90),
        checked_at: new Date(c.at).toISOString(),
      })
      .execute();
  }
  // One sync run per check, as the scheduler runs them: a failed check ends its sync at once.
  const missing = plan.missingCompensation
    ? [{ permission: "compensation:read", models: ["compensations"], fields: ["employees.salary"] }]
    : [];
  await db.deleteFrom("sync_runs").where("integration_id", "=", integration.id).execute();
  let lastSyncId: string | null = null;
  for (const c of checks) {
    const id = fakeId("sync", c.at);
    lastSyncId = id;
    const at = new Date(c.at).toISOString();
    await db
      .insertInto("sync_runs")
      .values({
        id,
        workspace_id: stack.workspaceId,
        integration_id: integration.id,
        trigger: "SCHEDULE",
        status: "FINISHED",
        sync_state:
          c.outcome === "AUTH_FAILED"
            ? "AUTHENTICATION_FAILED"
            : c.outcome === "INCONCLUSIVE"
              ? "FAILED"
              : missing.length
                ? "PARTIALLY_FAILED"
                : "SUCCEEDED",
        queued_at: at,
        started_at: at,
        ended_at: new Date(c.at + (c.outcome === "OK" ? 2400 : 150)).toISOString(),
        scope_config_id: plan.scopeConfigId ?? integration.scope_config_id,
        warnings: JSON.stringify(
          c.outcome === "OK" ? missing.map((m) => ({ code: "PERMISSION_MISSING", ...m })) : [],
        ),
        records: JSON.stringify(c.outcome === "OK" ? { employees: 12, teams: 3 } : {}),
        error:
          c.outcome === "AUTH_FAILED"
            ? "the tool rejected the credentials (HTTP 401)"
            : c.outcome === "INCONCLUSIVE"
              ? "the tool answered HTTP 503; retried with backoff"
              : null,
      })
      .execute();
  }
  const lastCheck = checks.at(-1);
  const lastOk = [...checks].reverse().find((c) => c.outcome === "OK");
  const failed =
    firstFailure === null
      ? 0
      : checks.filter((c) => c.outcome === "AUTH_FAILED" && c.at >= firstFailure).length;
  const endUser = { ...integration.end_user };
  const ref = {
    integration_id: integration.id,
    integration_tool: integration.tool,
    integration_category: integration.category,
    end_user: endUser,
  };
  const event = async (type: string, at: number, data: Record<string, unknown>) =>
    db
      .insertInto("events")
      .values({
        id: fakeId("evt", at),
        workspace_id: stack.workspaceId,
        type,
        integration_id: integration.id,
        data: JSON.stringify(data),
        created_at: new Date(at).toISOString(),
      })
      .execute();
  if (firstFailure !== null) {
    await event("integration-auth-status-changed", firstFailure, {
      ...ref,
      auth_status: "FAILING",
      failing_since: new Date(firstFailure).toISOString(),
      pauses_at: new Date(firstFailure + pauseAfter).toISOString(),
    });
  }
  if (pausedAt !== null) {
    await event("integration-state-changed", pausedAt, {
      ...ref,
      state: "INVALID",
      previous_state: "ACTIVE",
      reason: "AUTHENTICATION_FAILED",
      updated_at: new Date(pausedAt).toISOString(),
    });
  }
  await db
    .updateTable("integrations")
    .set({
      state: pausedAt !== null ? "INVALID" : "ACTIVE",
      failing_since: firstFailure === null ? null : new Date(firstFailure).toISOString(),
      failed_checks: failed,
      last_checked_at: lastCheck ? new Date(lastCheck.at).toISOString() : null,
      last_succeeded_at: lastOk ? new Date(lastOk.at).toISOString() : null,
      next_sync_at: pausedAt !== null ? null : new Date(now + 2 * HOUR).toISOString(),
      last_sync_id: lastSyncId,
      ...(plan.scopeConfigId ? { scope_config_id: plan.scopeConfigId } : {}),
      missing_permissions: JSON.stringify(missing),
      created_at: new Date(now - plan.days * 24 * HOUR - HOUR).toISOString(),
    })
    .where("id", "=", integration.id)
    .execute();
}
