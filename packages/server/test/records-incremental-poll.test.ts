import type { Integration, SyncedRecord } from "@relink/sdk/contract";
import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import type { RelinkDatabase } from "../src/db/connect.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";
import { recordsTool, requestWithKey, syncedRecordsWorld } from "./records-support.ts";

/**
 * The records API's incremental poll (`updated_after`) reads only what it returns, on both
 * databases. A product polling for increments most often finds nothing newer: that poll must be
 * an index range on `synced_at` (within the integration and model), not a walk over every record
 * of the model; and the other pages must still walk the primary key in remote-id order (no sort of
 * the model's records), whatever index the poll uses.
 *
 * Every query the route runs on `synced_records` is captured at the database's executor and
 * explained with the same parameters: on SQLite, `EXPLAIN QUERY PLAN` (the index and its
 * constraints); on PostgreSQL, `EXPLAIN (ANALYZE, FORMAT JSON)` (the rows the query actually read:
 * the rows each plan node returned plus those its filter removed).
 */

const COUNT = 3_000;
const LIMIT = 100;

const employee = (i: number) => ({
  id: `emp-${String(i).padStart(5, "0")}`,
  data: { first_name: `First${i}`, last_name: `Last${i}`, team_id: "team-1" },
});

const bigTool = () => recordsTool(COUNT, employee, { id: "team-1", data: { name: "Team" } });

interface PgPlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PgPlanNode[];
}

/** Rows a PostgreSQL plan read from `synced_records`: what its scans returned plus what their filters dropped. */
function rowsRead(node: PgPlanNode): number {
  const own = /Scan/.test(node["Node Type"])
    ? (node["Actual Rows"] +
        (node["Rows Removed by Filter"] ?? 0) +
        (node["Rows Removed by Index Recheck"] ?? 0)) *
      node["Actual Loops"]
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

describe.each(availableDialects())("records API incremental poll (%s)", (dialect) => {
  let server: RelinkServer;
  let database: RelinkDatabase;
  let recordsKey = "";
  let integration: Integration;
  const clock = new ManualClock("2026-06-01T09:00:00.000Z");
  /** The queries run on `synced_records` since the last `capture()`. */
  let captured: CompiledQuery[] = [];
  let runOriginal: (query: CompiledQuery) => Promise<{ rows: unknown[] }>;

  const request = (method: string, path: string, key: string, body?: unknown) =>
    requestWithKey(server.app)(method, path, key, body);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    ({ server, recordsKey, integration } = await syncedRecordsWorld({
      db: database,
      clock,
      tool: bigTool(),
      scope: {
        name: "Directory",
        category: "HRIS",
        is_default: true,
        models: { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } },
      },
      count: COUNT,
    }));
    // PostgreSQL plans from statistics, as autovacuum's analyze keeps them on a live database.
    if (dialect === "postgres") await database.db.executeQuery(CompiledQuery.raw("analyze synced_records"));

    const executor = server.ctx.db.getExecutor();
    const original = executor.executeQuery.bind(executor);
    runOriginal = (query) => original(query, { queryId: "explain" } as never) as Promise<{ rows: unknown[] }>;
    const capture = (query: CompiledQuery) => {
      if (/synced_records/.test(query.sql) && !captured.includes(query)) captured.push(query);
    };
    executor.executeQuery = ((query: CompiledQuery, queryId: never) => {
      capture(query);
      return original(query, queryId);
    }) as typeof executor.executeQuery;
    // Compiled reads (`prepared`) on SQLite run on the connection without the executor: seen here.
    const db = server.ctx.db;
    const direct = db.executeQuery.bind(db);
    db.executeQuery = ((query: CompiledQuery, options?: never) => {
      capture(query);
      return direct(query, options);
    }) as typeof db.executeQuery;
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  /** Requests a page; returns it with the queries it ran on `synced_records`. */
  const page = async (query: string) => {
    captured = [];
    const r = await request(
      "GET",
      `/v1/integrations/${integration.id}/records/employees?limit=${LIMIT}${query}`,
      recordsKey,
    );
    expect(r.status, await r.clone().text()).toBe(200);
    const body = (await r.json()) as { data: SyncedRecord[]; next_cursor: string | null };
    expect(captured.length).toBeGreaterThan(0);
    return { body, queries: captured };
  };

  const sqlitePlan = async (query: CompiledQuery) =>
    (
      (await runOriginal(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters])))
        .rows as Array<{ detail: string }>
    ).map((r) => r.detail);

  const pgRowsRead = async (query: CompiledQuery) => {
    const rows = (
      await runOriginal(
        CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]),
      )
    ).rows as Array<{ "QUERY PLAN": Array<{ Plan: PgPlanNode }> }>;
    const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
    if (!plan) throw new Error("no plan");
    return rowsRead(plan);
  };

  it(`polls with nothing newer through an index range on synced_at, reading no record of the ${COUNT}`, async () => {
    const after = clock.now().toISOString();
    const { body, queries } = await page(`&updated_after=${encodeURIComponent(after)}`);
    expect(body).toEqual({ data: [], next_cursor: null });
    for (const query of queries) {
      if (dialect === "sqlite") {
        const plan = await sqlitePlan(query);
        // An index range bounded by synced_at, within the integration and model; no scan of the table.
        expect(plan.join("\n"), query.sql).toMatch(
          /USING (COVERING )?INDEX \S+ \(integration_id=\? AND model=\? AND synced_at>\?\)/,
        );
        expect(plan.join("\n")).not.toMatch(/\bSCAN\b/);
      } else {
        expect(await pgRowsRead(query), query.sql).toBe(0);
      }
    }
  });

  it("still pages in remote-id order along the primary key, reading only the page, with or without updated_after", async () => {
    const before = new Date(clock.now().getTime() - 1).toISOString();
    for (const extra of ["", `&updated_after=${encodeURIComponent(before)}`]) {
      const first = await page(extra);
      expect(first.body.data.map((r) => r.remote_id)).toEqual(
        Array.from({ length: LIMIT }, (_, i) => employee(i).id),
      );
      expect(first.body.next_cursor).not.toBeNull();
      const second = await page(`${extra}&cursor=${first.body.next_cursor}`);
      expect(second.body.data.map((r) => r.remote_id)).toEqual(
        Array.from({ length: LIMIT }, (_, i) => employee(LIMIT + i).id),
      );
      expect(second.body.data[0]?.fields).toEqual(employee(LIMIT).data);
      for (const query of [...first.queries, ...second.queries]) {
        if (dialect === "sqlite") {
          const plan = (await sqlitePlan(query)).join("\n");
          // No sort of the model's records: the order comes from the primary key.
          expect(plan, query.sql).not.toMatch(/TEMP B-TREE/);
          expect(plan).not.toMatch(/\bSCAN\b/);
        } else {
          // The page and the row after it (whether there is a next page), and what a probe reads.
          expect(await pgRowsRead(query), query.sql).toBeLessThanOrEqual(LIMIT + 2);
        }
      }
    }
  });
});
