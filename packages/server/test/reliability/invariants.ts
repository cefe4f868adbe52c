import type { Kysely } from "kysely";
import type { Database } from "../../src/db/schema.ts";
import type { SecretBox } from "../../src/secrets.ts";

export interface InvariantReport {
  violations: string[];
  eventsChecked: number;
  integrationsChecked: number;
}

export interface InvariantOptions {
  /** Opens every integration's credentials with its own id as associated data. */
  secrets?: SecretBox;
  /** After a clean stop of every server: no lease may be held any more. */
  clean?: boolean;
  /** The time the leases are judged against (default: now). */
  now?: Date;
}

const asObject = (v: unknown): Record<string, unknown> =>
  (typeof v === "string" ? JSON.parse(v) : v) as Record<string, unknown>;

/**
 * What must hold in a relink database at any moment, whatever crashed when: run after every
 * restart by the crash tests. Returns the violations found (none, when all is well).
 */
export async function checkInvariants(
  db: Kysely<Database>,
  options: InvariantOptions = {},
): Promise<InvariantReport> {
  // One snapshot: the servers keep writing while the checker reads.
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute((tx) => checkSnapshot(tx, options));
}

async function checkSnapshot(db: Kysely<Database>, options: InvariantOptions): Promise<InvariantReport> {
  const violations: string[] = [];
  const now = (options.now ?? new Date()).toISOString();
  const integrations = await db.selectFrom("integrations").selectAll().execute();
  const scopeIds = new Set((await db.selectFrom("scope_configs").select("id").execute()).map((r) => r.id));
  const events = await db
    .selectFrom("events")
    .select(["id", "seq", "type", "integration_id", "data"])
    .orderBy("seq")
    .execute();
  const eventsByIntegration = new Map<string, typeof events>();
  for (const e of events) {
    if (!e.integration_id) continue;
    const list = eventsByIntegration.get(e.integration_id) ?? [];
    list.push(e);
    eventsByIntegration.set(e.integration_id, list);
  }
  const eventIds = new Set(events.map((e) => e.id));
  if (eventIds.size !== events.length) violations.push("two events share an id");

  for (const row of integrations) {
    // 1. Never half-relinked: the credentials open with this row's id, the scope config exists.
    if (options.secrets) {
      try {
        options.secrets.openJson(row.credentials_sealed, row.id);
      } catch (error) {
        violations.push(`${row.id}: credentials do not open with the row's id (${(error as Error).message})`);
      }
    }
    if (row.scope_config_id !== null && !scopeIds.has(row.scope_config_id))
      violations.push(`${row.id}: scope config ${row.scope_config_id} does not exist`);
    // 2. No lease stuck: none at all after a clean stop; none far past its expiry otherwise is
    //    harmless (the next claim takes it over), so only the clean case is strict.
    if (
      options.clean &&
      row.lease_owner !== null &&
      row.lease_expires_at !== null &&
      row.lease_expires_at > now
    )
      violations.push(`${row.id}: lease held by ${row.lease_owner} after a clean stop`);
    // 3. Every state and auth-status change announced exactly once: the announced sequence is a
    //    chain that ends in the row's present state.
    const own = eventsByIntegration.get(row.id) ?? [];
    const created = own.find((e) => e.type === "integration-created");
    let state = created ? String(asObject(created.data).state ?? "ACTIVE") : null;
    let auth: "OK" | "FAILING" = "OK";
    for (const e of own) {
      const data = asObject(e.data);
      if (e.type === "integration-state-changed") {
        if (state !== null && data.previous_state !== state)
          violations.push(
            `${row.id}: ${e.id} goes ${data.previous_state}→${data.state} but the state was ${state}`,
          );
        if (data.previous_state === data.state) violations.push(`${row.id}: ${e.id} announces no change`);
        state = String(data.state);
      } else if (e.type === "integration-auth-status-changed") {
        if (data.auth_status === auth)
          violations.push(`${row.id}: ${e.id} announces auth ${auth} twice in a row (or a change was lost)`);
        auth = data.auth_status as "OK" | "FAILING";
      }
    }
    if (state !== null && state !== row.state)
      violations.push(`${row.id}: state ${row.state} but the last announced state is ${state}`);
    const failing = row.failing_since !== null;
    if (created && failing !== (auth === "FAILING"))
      violations.push(
        `${row.id}: failing_since=${row.failing_since} but the last announced auth status is ${auth}`,
      );
  }

  // 4. Pending deliveries reference existing events.
  const deliveries = await db
    .selectFrom("webhook_deliveries")
    .select(["id", "event_id", "status"])
    .where("status", "=", "PENDING")
    .execute();
  for (const d of deliveries)
    if (!eventIds.has(d.event_id))
      violations.push(`delivery ${d.id} references a missing event ${d.event_id}`);

  if (options.clean) {
    const held = await db
      .selectFrom("webhook_deliveries")
      .select(["id", "lease_owner"])
      .where("lease_owner", "is not", null)
      .where("lease_expires_at", ">", now)
      .execute();
    for (const d of held)
      violations.push(`delivery ${d.id}: lease held by ${d.lease_owner} after a clean stop`);
  }

  // 5. Spent tokens and completed links agree; a spent token completed a flow on a real integration.
  const spent = await db.selectFrom("spent_tokens").selectAll().execute();
  // Token ids are per workspace.
  const spentJtis = new Set(spent.map((s) => `${s.workspace_id}:${s.jti}`));
  const links = await db.selectFrom("relink_links").select(["workspace_id", "jti", "completed_at"]).execute();
  for (const link of links) {
    const key = `${link.workspace_id}:${link.jti}`;
    if (link.completed_at !== null && !spentJtis.has(key))
      violations.push(`link ${link.jti} completed but its token is not spent`);
    if (link.completed_at === null && spentJtis.has(key))
      violations.push(`link ${link.jti} spent but not marked completed`);
  }
  const ids = new Set(integrations.map((i) => i.id));
  for (const s of spent) {
    const own = eventsByIntegration.get(s.integration_id) ?? [];
    if (!ids.has(s.integration_id) && !own.some((e) => e.type === "integration-deleted"))
      violations.push(`spent token ${s.jti} names a missing integration ${s.integration_id}`);
    if (!own.some((e) => e.type === "integration-relinked" || e.type === "integration-created"))
      violations.push(`spent token ${s.jti}: its flow announced nothing`);
  }

  // 6. At most one open sync run per integration.
  const open = await db
    .selectFrom("sync_runs")
    .select(["integration_id", db.fn.countAll<number>().as("n")])
    .where("status", "in", ["QUEUED", "RUNNING"])
    .groupBy("integration_id")
    .execute();
  for (const o of open) if (Number(o.n) > 1) violations.push(`${o.integration_id}: ${o.n} open sync runs`);

  // 7. Every finished sync run announced exactly once (`sync-finished` naming it, with its outcome);
  //    no announcement of a run that never finished (its integration still there).
  const finishedRuns = await db
    .selectFrom("sync_runs")
    .select(["id", "integration_id", "sync_state"])
    .where("status", "=", "FINISHED")
    .execute();
  const announcedRuns = new Map<string, Array<{ id: string; state: unknown }>>();
  for (const e of events) {
    if (e.type !== "sync-finished") continue;
    const data = asObject(e.data);
    const list = announcedRuns.get(String(data.sync_id)) ?? [];
    list.push({ id: e.id, state: data.sync_state });
    announcedRuns.set(String(data.sync_id), list);
  }
  const finishedIds = new Set<string>();
  for (const run of finishedRuns) {
    finishedIds.add(run.id);
    const said = announcedRuns.get(run.id) ?? [];
    if (said.length !== 1)
      violations.push(`${run.integration_id}: run ${run.id} announced ${said.length} times`);
    else if (said[0]?.state !== run.sync_state)
      violations.push(
        `${run.integration_id}: run ${run.id} is ${run.sync_state}, announced ${said[0]?.state}`,
      );
  }
  for (const e of events) {
    if (e.type !== "sync-finished" || !e.integration_id || !ids.has(e.integration_id)) continue;
    const syncId = String(asObject(e.data).sync_id);
    if (!finishedIds.has(syncId))
      violations.push(`${e.integration_id}: ${e.id} announces run ${syncId}, not finished`);
  }

  return { violations, eventsChecked: events.length, integrationsChecked: integrations.length };
}
