import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/schema.ts";

/**
 * What replicas.test.ts learns from the database itself: row triggers (test-only, on the test's own
 * PostgreSQL database; the server knows nothing of them) that write down, per row and in the order
 * the row's writers were serialized, every claim of an integration (`lease_owner` set), every
 * release of a claim (with the sync run it recorded, if any, and the slot it consumed), every other
 * change of `next_sync_at`, every change of `state` and of the auth status (`failing_since` null or
 * not), and every webhook attempt recorded (with the dispatcher that held the delivery's lease).
 *
 * A sync **slot** is a value of an integration's `next_sync_at`; the run that consumes it is the
 * one whose release (`lease_owner` set → null with a new `last_sync_id`) saw that value. Lease
 * owners name their process (`sch_<host>_<pid>_<hex>`, `<host>:<pid>:<hex>`): that is how the work
 * is attributed to replicas.
 */

export async function installAudit(db: Kysely<Database>): Promise<void> {
  await sql`
    create table test_integration_audit (
      seq bigserial primary key,
      kind text not null,
      integration_id text not null,
      owner text,
      previous_owner text,
      slot timestamptz,
      next_slot timestamptz,
      sync_id text,
      from_value text,
      to_value text,
      at timestamptz not null default clock_timestamp()
    )`.execute(db);
  await sql`
    create function test_audit_integration() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into test_integration_audit (kind, integration_id, next_slot, to_value)
          values ('created', new.id, new.next_sync_at, new.state);
        return new;
      end if;
      if new.lease_owner is not null
         and (old.lease_owner is distinct from new.lease_owner
              or old.lease_expires_at is distinct from new.lease_expires_at) then
        insert into test_integration_audit (kind, integration_id, owner, previous_owner, slot)
          values ('claim', new.id, new.lease_owner, old.lease_owner, new.next_sync_at);
      elsif old.lease_owner is not null and new.lease_owner is null then
        insert into test_integration_audit (kind, integration_id, owner, slot, next_slot, sync_id)
          values (
            case when new.last_sync_id is distinct from old.last_sync_id then 'run' else 'release' end,
            new.id, old.lease_owner, old.next_sync_at, new.next_sync_at,
            case when new.last_sync_id is distinct from old.last_sync_id then new.last_sync_id end);
      elsif old.next_sync_at is distinct from new.next_sync_at then
        insert into test_integration_audit (kind, integration_id, slot, next_slot)
          values ('reschedule', new.id, old.next_sync_at, new.next_sync_at);
      end if;
      if old.state is distinct from new.state then
        insert into test_integration_audit (kind, integration_id, from_value, to_value)
          values ('state', new.id, old.state, new.state);
      end if;
      if (old.failing_since is null) <> (new.failing_since is null) then
        insert into test_integration_audit (kind, integration_id, to_value)
          values ('auth', new.id, case when new.failing_since is null then 'OK' else 'FAILING' end);
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger test_audit_integration after insert or update on integrations
    for each row execute function test_audit_integration()`.execute(db);

  await sql`
    create table test_delivery_audit (
      seq bigserial primary key,
      delivery_id text not null,
      owner text not null,
      status text not null,
      attempts integer not null
    )`.execute(db);
  await sql`
    create function test_audit_delivery() returns trigger language plpgsql as $$
    begin
      if old.lease_owner is not null and new.attempts > old.attempts then
        insert into test_delivery_audit (delivery_id, owner, status, attempts)
          values (new.id, old.lease_owner, new.status, new.attempts);
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger test_audit_delivery after update on webhook_deliveries
    for each row execute function test_audit_delivery()`.execute(db);
}

export interface AuditRow {
  seq: string;
  kind: "created" | "claim" | "run" | "release" | "reschedule" | "state" | "auth";
  integration_id: string;
  owner: string | null;
  previous_owner: string | null;
  slot: string | null;
  next_slot: string | null;
  sync_id: string | null;
  from_value: string | null;
  to_value: string | null;
}

export async function readAudit(db: Kysely<Database>): Promise<AuditRow[]> {
  const { rows } = await sql<AuditRow>`
    select a.seq::text as seq, kind, integration_id, owner, previous_owner, slot, next_slot, sync_id,
      from_value, to_value
    from test_integration_audit a order by a.seq`.execute(db);
  return rows;
}

export async function readDeliveryAudit(
  db: Kysely<Database>,
): Promise<Array<{ delivery_id: string; owner: string; status: string; attempts: number }>> {
  const { rows } = await sql<{ delivery_id: string; owner: string; status: string; attempts: number }>`
    select delivery_id, owner, status, attempts from test_delivery_audit order by seq`.execute(db);
  return rows;
}

/** The process id in a lease owner (`sch_<host>_<pid>_<hex>` or `<host>:<pid>:<hex>`). */
export function ownerPid(owner: string): number | null {
  const match = /[_:](\d+)[_:][0-9a-f]{8}$/.exec(owner);
  return match ? Number(match[1]) : null;
}

export interface SyncRunView {
  id: string;
  integration_id: string;
  trigger: string;
  status: string;
  sync_state: string | null;
  started_at: string | null;
  ended_at: string | null;
}

export interface EventView {
  id: string;
  seq: number;
  type: string;
  integration_id: string | null;
  data: Record<string, unknown>;
}

export interface SlotReport {
  violations: string[];
  runs: number;
  slots: number;
  takeovers: number;
  /** Runs recorded per lease owner. */
  runsByOwner: Map<string, number>;
  /** Milliseconds from a slot's time to its run's start, sorted. */
  lags: number[];
}

/**
 * Every sync slot runs once: each finished run was recorded by exactly one release of a claim, no
 * two runs of an integration consumed the same slot, and an integration's runs never overlap in
 * time (each starts after the previous one ended, which a second run of the same slot would not).
 * And none runs while its integration is INVALID or INACTIVE.
 */
export function checkSlots(audit: readonly AuditRow[], runs: readonly SyncRunView[]): SlotReport {
  const violations: string[] = [];
  const runRows = audit.filter((a) => a.kind === "run");
  const recordedBy = new Map<string, AuditRow[]>();
  for (const a of runRows) {
    const list = recordedBy.get(a.sync_id ?? "") ?? [];
    list.push(a);
    recordedBy.set(a.sync_id ?? "", list);
  }
  const runsById = new Map(runs.map((r) => [r.id, r]));
  const runsByOwner = new Map<string, number>();
  const lags: number[] = [];
  for (const run of runs) {
    if (run.status !== "FINISHED") {
      violations.push(`${run.integration_id}: run ${run.id} still ${run.status}`);
      continue;
    }
    const by = recordedBy.get(run.id) ?? [];
    // A queued (manual) run cancelled because its integration was disabled consumed no slot.
    if (by.length === 0 && run.sync_state === "CANCELLED") continue;
    if (by.length !== 1) {
      violations.push(`${run.integration_id}: run ${run.id} recorded by ${by.length} claim releases`);
      continue;
    }
    const release = by[0] as AuditRow;
    runsByOwner.set(release.owner ?? "", (runsByOwner.get(release.owner ?? "") ?? 0) + 1);
    if (release.slot && run.started_at) lags.push(Date.parse(run.started_at) - Date.parse(release.slot));
  }
  for (const a of runRows)
    if (!runsById.has(a.sync_id ?? ""))
      violations.push(`${a.integration_id}: release names no run ${a.sync_id}`);

  const slotsSeen = new Map<string, string>();
  for (const a of runRows) {
    const key = `${a.integration_id} ${a.slot}`;
    const earlier = slotsSeen.get(key);
    if (earlier !== undefined)
      violations.push(`${a.integration_id}: slot ${a.slot} ran twice (runs ${earlier} and ${a.sync_id})`);
    else slotsSeen.set(key, a.sync_id ?? "");
    if (a.slot === null) violations.push(`${a.integration_id}: run ${a.sync_id} consumed no slot`);
  }

  const byIntegration = new Map<string, SyncRunView[]>();
  for (const run of runs) {
    const list = byIntegration.get(run.integration_id) ?? [];
    list.push(run);
    byIntegration.set(run.integration_id, list);
  }
  for (const [id, list] of byIntegration) {
    list.sort((a, b) => (a.started_at ?? "").localeCompare(b.started_at ?? ""));
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1] as SyncRunView;
      const run = list[i] as SyncRunView;
      if ((run.started_at ?? "") < (previous.ended_at ?? ""))
        violations.push(
          `${id}: run ${run.id} started at ${run.started_at}, before run ${previous.id} ended at ${previous.ended_at}`,
        );
    }
  }
  // No run while paused or disabled (docs/design.md §4, rule 6): a run's release comes before the state
  // change written with it, so a run that paused its integration counts as run while ACTIVE.
  const state = new Map<string, string>();
  for (const a of audit) {
    if (a.kind === "created" || a.kind === "state") state.set(a.integration_id, String(a.to_value));
    else if (a.kind === "run" && state.get(a.integration_id) !== "ACTIVE")
      violations.push(`${a.integration_id}: run ${a.sync_id} while ${state.get(a.integration_id)}`);
  }
  lags.sort((a, b) => a - b);
  return {
    violations,
    runs: runs.length,
    slots: slotsSeen.size,
    takeovers: audit.filter((a) => a.kind === "claim" && a.previous_owner !== null).length,
    runsByOwner,
    lags,
  };
}

export interface TransitionReport {
  violations: string[];
  stateTransitions: number;
  authTransitions: number;
}

/**
 * Every transition is announced once: per integration, the state changes and auth-status changes
 * the rows went through (in the order their writers were serialized) are exactly, in the same
 * order, those the `integration-state-changed` and `integration-auth-status-changed` events
 * announce. (That every finished run is announced once by `sync-finished` is the invariant
 * checker's rule 7.)
 */
export function checkTransitions(audit: readonly AuditRow[], events: readonly EventView[]): TransitionReport {
  const violations: string[] = [];
  const rowChanges = new Map<string, { state: string[]; auth: string[] }>();
  const announced = new Map<string, { state: string[]; auth: string[] }>();
  const entry = (map: typeof rowChanges, id: string) => {
    let e = map.get(id);
    if (!e) {
      e = { state: [], auth: [] };
      map.set(id, e);
    }
    return e;
  };
  let stateTransitions = 0;
  let authTransitions = 0;
  for (const a of audit) {
    if (a.kind === "state") {
      entry(rowChanges, a.integration_id).state.push(`${a.from_value}→${a.to_value}`);
      stateTransitions++;
    } else if (a.kind === "auth") {
      entry(rowChanges, a.integration_id).auth.push(String(a.to_value));
      authTransitions++;
    }
  }
  for (const e of events) {
    if (!e.integration_id) continue;
    if (e.type === "integration-state-changed")
      entry(announced, e.integration_id).state.push(`${e.data.previous_state}→${e.data.state}`);
    else if (e.type === "integration-auth-status-changed")
      entry(announced, e.integration_id).auth.push(String(e.data.auth_status));
  }
  for (const id of new Set([...rowChanges.keys(), ...announced.keys()])) {
    const row = rowChanges.get(id) ?? { state: [], auth: [] };
    const said = announced.get(id) ?? { state: [], auth: [] };
    if (row.state.join(" ") !== said.state.join(" "))
      violations.push(
        `${id}: state went ${row.state.join(", ") || "nowhere"}, announced ${said.state.join(", ") || "nothing"}`,
      );
    if (row.auth.join(" ") !== said.auth.join(" "))
      violations.push(
        `${id}: auth went ${row.auth.join(", ") || "nowhere"}, announced ${said.auth.join(", ") || "nothing"}`,
      );
  }
  return { violations, stateTransitions, authTransitions };
}
