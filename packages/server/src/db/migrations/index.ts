import type { Migration, MigrationProvider } from "kysely/migration";
import * as m0001 from "./0001_initial.ts";
import * as m0002 from "./0002_sync_runs_open.ts";
import * as m0003 from "./0003_webhooks.ts";
import * as m0004 from "./0004_connect_flows.ts";
import * as m0005 from "./0005_integrations_failing.ts";
import * as m0006 from "./0006_spent_tokens_workspace.ts";
import * as m0007 from "./0007_relink_link_revocation.ts";
import * as m0008 from "./0008_sealed_records.ts";
import * as m0009 from "./0009_integrations_account_name.ts";
import * as m0010 from "./0010_api_key_scopes.ts";
import * as m0011 from "./0011_sync_sessions.ts";
import * as m0013 from "./0013_grant_revocations.ts";
import * as m0014 from "./0014_beyond.ts";
import * as m0015 from "./0015_signing_jwks.ts";
import * as m0018 from "./0018_flow_failures_workspace.ts";
import * as m0019 from "./0019_synced_records_synced_at.ts";
import * as m0020 from "./0020_scheduler_leases.ts";

/** Every migration, listed in code so they work bundled and in tests. Append; never reorder. */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_sync_runs_open": m0002,
  "0003_webhooks": m0003,
  "0004_connect_flows": m0004,
  "0005_integrations_failing": m0005,
  "0006_spent_tokens_workspace": m0006,
  "0007_relink_link_revocation": m0007,
  "0008_sealed_records": m0008,
  "0009_integrations_account_name": m0009,
  "0010_api_key_scopes": m0010,
  "0011_sync_sessions": m0011,
  "0013_grant_revocations": m0013,
  "0014_beyond": m0014,
  "0015_signing_jwks": m0015,
  "0018_flow_failures_workspace": m0018,
  "0019_synced_records_synced_at": m0019,
  "0020_scheduler_leases": m0020,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
