import { type NewIntegration, toJson } from "../../packages/server/src/db/schema.ts";

/**
 * One healthy integration row as the benches seed them straight into the database (far faster
 * than importing through the API): created `ageS` seconds before `now`, last checked then, and not
 * due during the run (its slot three hours ahead), so the scheduler stays idle, as between two
 * sync waves, and no sync replaces what the bench seeded.
 */
export function seededIntegration(options: {
  id: string;
  i: number;
  now: number;
  ageS: number;
  workspaceId: string;
  tool: string;
  scopeConfigId: string;
  credentialsSealed: string;
}): NewIntegration {
  const at = new Date(options.now - options.ageS * 1000).toISOString();
  return {
    id: options.id,
    workspace_id: options.workspaceId,
    tool: options.tool,
    category: "HRIS",
    end_user_origin_id: `org-${options.i}`,
    end_user_organization_name: `Organisation ${options.i}`,
    end_user_email: null,
    credentials_sealed: options.credentialsSealed,
    account_id: "acme",
    scope_config_id: options.scopeConfigId,
    state: "ACTIVE",
    failing_since: null,
    failed_checks: 0,
    last_checked_at: at,
    last_succeeded_at: at,
    next_sync_at: new Date(options.now + 3 * 3_600_000 + options.i).toISOString(),
    sync_interval_ms: null,
    retry_attempt: 0,
    granted_permissions: toJson(["employees:read", "teams:read"]),
    missing_permissions: toJson([]),
    opted_out: toJson([]),
    created_at: at,
    updated_at: at,
  };
}
