import { type Kysely, PostgresAdapter, sql } from "kysely";

// Frozen in time: never import application code here, never edit after release.

// biome-ignore lint/suspicious/noExplicitAny: migrations run on an untyped database
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const ts = pg ? sql`timestamptz` : sql`text`;
  const json = pg ? sql`jsonb` : sql`text`;
  const bool = pg ? sql`boolean` : sql`integer`;

  await db.schema
    .createTable("workspaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("allowed_origins", json, (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("last_used_at", ts)
    .addColumn("revoked_at", ts)
    .execute();
  await db.schema.createIndex("api_keys_workspace").on("api_keys").columns(["workspace_id", "id"]).execute();

  await db.schema
    .createTable("signing_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("algorithm", "text", (c) => c.notNull())
    .addColumn("secret_sealed", "text")
    .addColumn("public_jwk", json)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("revoked_at", ts)
    .execute();
  await db.schema
    .createIndex("signing_keys_workspace")
    .on("signing_keys")
    .columns(["workspace_id", "id"])
    .execute();

  await db.schema
    .createTable("scope_configs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("models", json, (c) => c.notNull())
    .addColumn("is_default", bool, (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addColumn("deleted_at", ts)
    .execute();
  await db.schema
    .createIndex("scope_configs_workspace")
    .on("scope_configs")
    .columns(["workspace_id", "id"])
    .execute();
  await db.schema
    .createIndex("scope_configs_one_default")
    .on("scope_configs")
    .columns(["workspace_id", "category"])
    .unique()
    .where(
      sql<boolean>`${sql.raw(pg ? "is_default and deleted_at is null" : "is_default = 1 and deleted_at is null")}`,
    )
    .execute();

  await db.schema
    .createTable("integrations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("tool", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("end_user_origin_id", "text", (c) => c.notNull())
    .addColumn("end_user_organization_name", "text", (c) => c.notNull())
    .addColumn("end_user_email", "text")
    .addColumn("credentials_sealed", "text", (c) => c.notNull())
    .addColumn("account_id", "text")
    .addColumn("scope_config_id", "text")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("failing_since", ts)
    .addColumn("failed_checks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_checked_at", ts)
    .addColumn("last_succeeded_at", ts)
    .addColumn("next_sync_at", ts)
    .addColumn("sync_interval_ms", "bigint")
    .addColumn("retry_attempt", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", ts)
    .addColumn("granted_permissions", json, (c) => c.notNull())
    .addColumn("missing_permissions", json, (c) => c.notNull())
    .addColumn("opted_out", json, (c) => c.notNull())
    .addColumn("last_sync_id", "text")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  // The scheduler's scan: only rows with a slot, in slot order, so a tick costs what is due.
  await db.schema
    .createIndex("integrations_due")
    .on("integrations")
    .column("next_sync_at")
    .where(sql<boolean>`${sql.raw("next_sync_at is not null")}`)
    .execute();
  await db.schema
    .createIndex("integrations_workspace")
    .on("integrations")
    .columns(["workspace_id", "id"])
    .execute();
  await db.schema
    .createIndex("integrations_workspace_state")
    .on("integrations")
    .columns(["workspace_id", "state", "id"])
    .execute();
  await db.schema
    .createIndex("integrations_workspace_origin")
    .on("integrations")
    .columns(["workspace_id", "end_user_origin_id"])
    .execute();

  await db.schema
    .createTable("sync_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sync_state", "text")
    .addColumn("queued_at", ts, (c) => c.notNull())
    .addColumn("started_at", ts)
    .addColumn("ended_at", ts)
    .addColumn("scope_config_id", "text")
    .addColumn("warnings", json, (c) => c.notNull())
    .addColumn("records", json, (c) => c.notNull())
    .addColumn("error", "text")
    .execute();
  await db.schema
    .createIndex("sync_runs_integration")
    .on("sync_runs")
    .columns(["integration_id", "id"])
    .execute();

  await db.schema
    .createTable("auth_checks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("checked_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("auth_checks_integration")
    .on("auth_checks")
    .columns(["integration_id", "id"])
    .execute();

  await db.schema
    .createTable("synced_records")
    .addColumn("integration_id", "text", (c) => c.notNull().references("integrations.id").onDelete("cascade"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("remote_id", "text", (c) => c.notNull())
    .addColumn("data", json, (c) => c.notNull())
    .addColumn("synced_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("synced_records_pk", ["integration_id", "model", "remote_id"])
    .execute();

  await db.schema
    .createTable("events")
    .addColumn("seq", pg ? "bigserial" : "integer", (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("integration_id", "text")
    .addColumn("data", json, (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("events_workspace").on("events").columns(["workspace_id", "seq"]).execute();
  await db.schema.createIndex("events_integration").on("events").columns(["integration_id", "seq"]).execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("workspaces.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("event_types", json)
    .addColumn("enabled", bool, (c) => c.notNull())
    .addColumn("secret_sealed", "text", (c) => c.notNull())
    .addColumn("previous_secret_sealed", "text")
    .addColumn("previous_secret_expires_at", ts)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_endpoints_workspace")
    .on("webhook_endpoints")
    .columns(["workspace_id", "id"])
    .execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("endpoint_id", "text", (c) =>
      c.notNull().references("webhook_endpoints.id").onDelete("cascade"),
    )
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("event_seq", "bigint", (c) => c.notNull())
    .addColumn("integration_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", ts)
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", ts)
    .addColumn("last_attempt_at", ts)
    .addColumn("last_response_status", "integer")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("completed_at", ts)
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .column("next_attempt_at")
    .where(sql<boolean>`${sql.raw("next_attempt_at is not null")}`)
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_order")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "integration_id", "event_seq"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_workspace")
    .on("webhook_deliveries")
    .columns(["workspace_id", "id"])
    .execute();

  await db.schema
    .createTable("webhook_attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("delivery_id", "text", (c) =>
      c.notNull().references("webhook_deliveries.id").onDelete("cascade"),
    )
    .addColumn("attempted_at", ts, (c) => c.notNull())
    .addColumn("response_status", "integer")
    .addColumn("latency_ms", "integer", (c) => c.notNull())
    .addColumn("response_body", "text")
    .addColumn("error", "text")
    .execute();
  await db.schema
    .createIndex("webhook_attempts_delivery")
    .on("webhook_attempts")
    .columns(["delivery_id", "id"])
    .execute();

  await db.schema
    .createTable("relink_links")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text")
    .addColumn("jti", "text", (c) => c.notNull().unique())
    .addColumn("flow", "text", (c) => c.notNull())
    .addColumn("link_type", "text", (c) => c.notNull())
    .addColumn("scope_config_id", "text")
    .addColumn("language", "text")
    .addColumn("expires_at", ts, (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("completed_at", ts)
    .addColumn("exited_at", ts)
    .execute();
  await db.schema
    .createIndex("relink_links_integration")
    .on("relink_links")
    .columns(["workspace_id", "integration_id", "id"])
    .execute();

  await db.schema
    .createTable("spent_tokens")
    .addColumn("jti", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("integration_id", "text", (c) => c.notNull())
    .addColumn("spent_at", ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("oauth_states")
    .addColumn("state", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("jti", "text", (c) => c.notNull())
    .addColumn("tool", "text", (c) => c.notNull())
    .addColumn("code_verifier_sealed", "text", (c) => c.notNull())
    .addColumn("opener_origin", "text")
    .addColumn("flow_token_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .addColumn("used_at", ts)
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    "oauth_states",
    "spent_tokens",
    "relink_links",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
    "events",
    "synced_records",
    "auth_checks",
    "sync_runs",
    "integrations",
    "scope_configs",
    "signing_keys",
    "api_keys",
    "workspaces",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
