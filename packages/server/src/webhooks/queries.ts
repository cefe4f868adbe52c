import { CompiledQuery, type Kysely } from "kysely";
import type { Dialect } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";

/**
 * The dispatcher's hot statements as plain SQL, one text per dialect written once: no query
 * building per claim or per batch of results, and one prepared statement however many rows a batch
 * holds (lists travel as one parameter: a JSON array on SQLite, an array on PostgreSQL).
 */

/** The database or a transaction. */
export type Executor = Pick<Kysely<Database>, "executeQuery">;

export async function run<R>(db: Executor, query: Statement, params: readonly unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(query.text, [...params]))).rows;
}

export interface Statement {
  readonly text: string;
}

/** A due delivery read by a claim: `waiting` when an earlier one of its integration is pending. */
export interface CandidateRow {
  id: string;
  endpoint_id: string;
  integration_id: string | null;
  event_seq: number;
  waiting: boolean | number;
}

/** What sending a claimed delivery needs. `event_data` is JSON text on SQLite, parsed on PostgreSQL. */
export interface LoadedRow {
  id: string;
  attempts: number;
  endpoint_id: string;
  event_id: string;
  integration_id: string | null;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | null;
  type: string;
  event_created_at: string;
  event_data: string | Record<string, unknown>;
}

/** The new state of an attempted delivery. */
export interface Completion {
  id: string;
  status: "SUCCEEDED" | "PENDING" | "FAILED";
  nextAttemptAt: string | null;
  attemptedAt: string;
  responseStatus: number | null;
  completedAt: string | null;
}

/** One row of the attempt log. */
export interface AttemptRow {
  id: string;
  deliveryId: string;
  attemptedAt: string;
  responseStatus: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

export interface DispatcherQueries {
  /** Due deliveries of enabled endpoints, in due order: [now, limit]. PostgreSQL: locked, skipping locked ones. */
  candidates: Statement;
  /** PostgreSQL: the pending deliveries of these integrations, share-locked, skipping locked ones: [integration ids]. */
  blockers: Statement;
  /** Sets aside due deliveries still waiting behind an earlier pending one: [recheck at, ids, now]. */
  setAside: Statement;
  /** Leases due deliveries: [owner, lease until, lease until, ids, now] → ids. */
  claim: Statement;
  /** The claimed deliveries with their endpoint and event: [ids]. */
  load: Statement;
  /** Records attempts' results on deliveries still leased by the owner: [completions…, owner] → ids. */
  complete: Statement;
  completeParams(rows: readonly Completion[], owner: string): unknown[];
  /** Which of these deliveries still exist: [ids]. */
  existing: Statement;
  /** Makes the next pending delivery after each of these due now: [now, ids, now]. */
  wakeNext: Statement;
  /** Appends to the attempt log: [rows…]. */
  insertAttempts: Statement;
  insertAttemptsParams(rows: readonly AttemptRow[]): unknown[];
  /** A list of ids as one parameter. */
  list(ids: readonly string[]): unknown;
}

export function dispatcherQueries(dialect: Dialect): DispatcherQueries {
  const pg = dialect === "postgres";
  // `?` placeholders, numbered for PostgreSQL.
  const statement = (text: string): Statement => {
    let n = 0;
    return { text: pg ? text.replace(/\?/g, () => `$${++n}`) : text };
  };
  const inList = pg ? "= any(?::text[])" : "in (select value from json_each(?))";
  const earlierPending = (d: string) =>
    `exists (select 1 from webhook_deliveries p where p.endpoint_id = ${d}.endpoint_id and p.integration_id = ${d}.integration_id and p.event_seq < ${d}.event_seq and p.status = 'PENDING')`;
  return {
    candidates: statement(
      `select d.id, d.endpoint_id, d.integration_id, d.event_seq, ${earlierPending("d")} as waiting
       from webhook_deliveries d
       where d.status = 'PENDING' and d.next_attempt_at <= ?
         and exists (select 1 from webhook_endpoints e where e.id = d.endpoint_id and e.enabled = true)
       order by d.next_attempt_at
       limit ?${pg ? " for update of d skip locked" : ""}`,
    ),
    blockers: statement(
      `select p.endpoint_id, p.integration_id, p.event_seq from webhook_deliveries p
       where p.status = 'PENDING' and p.integration_id ${inList}
       for share skip locked`,
    ),
    setAside: statement(
      `update webhook_deliveries set next_attempt_at = ?
       where id ${inList} and status = 'PENDING' and next_attempt_at <= ?
         and ${earlierPending("webhook_deliveries")}`,
    ),
    claim: statement(
      `update webhook_deliveries set lease_owner = ?, lease_expires_at = ?, next_attempt_at = ?
       where id ${inList} and status = 'PENDING' and next_attempt_at <= ?
       returning id`,
    ),
    load: statement(
      `select d.id, d.attempts, d.endpoint_id, d.event_id, d.integration_id,
         e.url, e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at,
         ev.type, ev.created_at as event_created_at, ev.data as event_data
       from webhook_deliveries d
       join webhook_endpoints e on e.id = d.endpoint_id
       join events ev on ev.id = d.event_id
       where d.id ${inList}`,
    ),
    complete: pg
      ? statement(
          `update webhook_deliveries as d set status = v.status, attempts = d.attempts + 1,
             next_attempt_at = v.next_attempt_at, lease_owner = null, lease_expires_at = null,
             last_attempt_at = v.attempted_at, last_response_status = v.response_status, completed_at = v.completed_at
           from unnest(?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::int[], ?::timestamptz[])
             as v(id, status, next_attempt_at, attempted_at, response_status, completed_at)
           where d.id = v.id and d.lease_owner = ?
           returning d.id`,
        )
      : statement(
          `update webhook_deliveries as d set status = j.value ->> 1, attempts = d.attempts + 1,
             next_attempt_at = j.value ->> 2, lease_owner = null, lease_expires_at = null,
             last_attempt_at = j.value ->> 3, last_response_status = j.value ->> 4, completed_at = j.value ->> 5
           from json_each(?) as j
           where d.id = j.value ->> 0 and d.lease_owner = ?
           returning id`,
        ),
    completeParams: (rows, owner) => {
      if (!pg) {
        const values = rows.map((r) => [
          r.id,
          r.status,
          r.nextAttemptAt,
          r.attemptedAt,
          r.responseStatus,
          r.completedAt,
        ]);
        return [JSON.stringify(values), owner];
      }
      return [
        rows.map((r) => r.id),
        rows.map((r) => r.status),
        rows.map((r) => r.nextAttemptAt),
        rows.map((r) => r.attemptedAt),
        rows.map((r) => r.responseStatus),
        rows.map((r) => r.completedAt),
        owner,
      ];
    },
    existing: statement(`select id from webhook_deliveries where id ${inList}`),
    wakeNext: statement(
      `update webhook_deliveries set next_attempt_at = ?
       where id in (
         select (select n.id from webhook_deliveries n
                 where n.endpoint_id = d.endpoint_id and n.integration_id = d.integration_id
                   and n.status = 'PENDING' and n.event_seq > d.event_seq
                 order by n.event_seq limit 1)
         from webhook_deliveries d where d.id ${inList})
       and next_attempt_at > ? and lease_expires_at is null`,
    ),
    insertAttempts: pg
      ? statement(
          `insert into webhook_attempts (id, delivery_id, attempted_at, response_status, latency_ms, response_body, error)
           select * from unnest(?::text[], ?::text[], ?::timestamptz[], ?::int[], ?::int[], ?::text[], ?::text[])`,
        )
      : statement(
          `insert into webhook_attempts (id, delivery_id, attempted_at, response_status, latency_ms, response_body, error)
           select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
           from json_each(?)`,
        ),
    insertAttemptsParams: (rows) => {
      if (!pg) {
        const values = rows.map((r) => [
          r.id,
          r.deliveryId,
          r.attemptedAt,
          r.responseStatus,
          r.latencyMs,
          r.responseBody,
          r.error,
        ]);
        return [JSON.stringify(values)];
      }
      return [
        rows.map((r) => r.id),
        rows.map((r) => r.deliveryId),
        rows.map((r) => r.attemptedAt),
        rows.map((r) => r.responseStatus),
        rows.map((r) => r.latencyMs),
        rows.map((r) => r.responseBody),
        rows.map((r) => r.error),
      ];
    },
    list: (ids) => (pg ? [...ids] : JSON.stringify(ids)),
  };
}
