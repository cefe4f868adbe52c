import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Integration, SyncedRecord } from "@relink/sdk/contract";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import { createDatabase, type RelinkDatabase } from "../src/db/connect.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";
import { EMPLOYEES_SCOPE, recordsTool, requestWithKey, syncedRecordsWorld } from "./records-support.ts";

/**
 * The records API over HTTP, on both databases: 10,000 synced employees read back a page at a time
 * (each record once, in order), with only the fields the CURRENT scope config enables; a model
 * outside it is `404 MODEL_NOT_IN_SCOPE`; and neither the SQLite database file nor a `pg_dump` of
 * the PostgreSQL database holds any synced value in plain text.
 */

const COUNT = 10_000;

const SCOPE = EMPLOYEES_SCOPE;

const employee = (i: number) => ({
  id: `emp-${String(i).padStart(5, "0")}`,
  data: {
    first_name: `Firstmarker${i}`,
    last_name: `Lastmarker${i}`,
    work_email: `person${i}@marker.example`,
    job_title: `Titlemarker ${i}`,
    team_id: "team-1",
    home_address: `${i} Addressmarker Lane`,
    date_of_birth: "1970-01-01",
  },
});

const bigTool = () => recordsTool(COUNT, employee, { id: "team-1", data: { name: "Teammarker" } });

describe.each(availableDialects())("records API (%s)", (dialect) => {
  let server: RelinkServer;
  let database: RelinkDatabase & { url: string };
  let dir: string | null = null;
  let file = "";
  let managementKey = "";
  let recordsKey = "";
  let integration: Integration;
  const clock = new ManualClock("2026-06-01T09:00:00.000Z");

  const request = (method: string, path: string, key: string, body?: unknown) =>
    requestWithKey(server.app)(method, path, key, body);

  beforeAll(async () => {
    if (dialect === "sqlite") {
      dir = mkdtempSync(join(tmpdir(), "relink-records-api-"));
      file = join(dir, "relink.db");
      database = { ...createDatabase(`sqlite:${file}`), url: `sqlite:${file}` };
    } else {
      database = await createTestDatabase("postgres");
    }
    ({ server, managementKey, recordsKey, integration } = await syncedRecordsWorld({
      db: database,
      clock,
      tool: bigTool(),
      scope: SCOPE,
      count: COUNT,
    }));
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const readAll = async (model: string, limit: number, extra = "") => {
    const seen: SyncedRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = `limit=${limit}${cursor ? `&cursor=${cursor}` : ""}${extra}`;
      const r = await request(
        "GET",
        `/v1/integrations/${integration.id}/records/${model}?${query}`,
        recordsKey,
      );
      expect(r.status, await r.clone().text()).toBe(200);
      const page = (await r.json()) as { data: SyncedRecord[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(limit);
      seen.push(...page.data);
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    return { seen, pages };
  };

  it(`pages through ${COUNT} records, each once and in order, with only the enabled fields`, async () => {
    const { seen, pages } = await readAll("employees", 500);
    expect(pages).toBe(COUNT / 500);
    expect(seen.length).toBe(COUNT);
    expect(new Set(seen.map((r) => r.remote_id)).size).toBe(COUNT);
    expect(seen.map((r) => r.remote_id)).toEqual(Array.from({ length: COUNT }, (_, i) => employee(i).id));
    expect(new Set(seen.map((r) => r.id)).size).toBe(COUNT);
    const first = seen[0] as SyncedRecord;
    expect(first.id).toMatch(/^rec_/);
    expect(first.updated_at).toBe(clock.now().toISOString());
    expect(first.fields).toEqual({
      first_name: "Firstmarker0",
      last_name: "Lastmarker0",
      work_email: "person0@marker.example",
      job_title: "Titlemarker 0",
      team_id: "team-1",
    });
    for (const r of seen) {
      expect(r.fields).not.toHaveProperty("home_address");
      expect(r.fields).not.toHaveProperty("date_of_birth");
    }
  });

  it("stops returning a field the scope config disables, at once", async () => {
    const scopes = (await (await request("GET", "/v1/scope-configs", managementKey)).json()) as {
      data: Array<{ id: string }>;
    };
    const narrowed = {
      models: {
        employees: {
          setting: "ENABLED",
          fields: { home_address: "DISABLED", date_of_birth: "DISABLED", job_title: "DISABLED" },
        },
        teams: { setting: "ENABLED" },
      },
    };
    const updated = await request(
      "PATCH",
      `/v1/scope-configs/${scopes.data[0]?.id}`,
      managementKey,
      narrowed,
    );
    expect(updated.status, await updated.clone().text()).toBe(200);
    try {
      const r = await request(
        "GET",
        `/v1/integrations/${integration.id}/records/employees?limit=3`,
        recordsKey,
      );
      const page = (await r.json()) as { data: SyncedRecord[] };
      expect(page.data).toHaveLength(3);
      for (const record of page.data)
        expect(Object.keys(record.fields).sort()).toEqual([
          "first_name",
          "last_name",
          "team_id",
          "work_email",
        ]);
    } finally {
      await request("PATCH", `/v1/scope-configs/${scopes.data[0]?.id}`, managementKey, {
        models: SCOPE.models,
      });
    }
  });

  it("answers 404 MODEL_NOT_IN_SCOPE for a model outside the scope config, 400 for bad paging", async () => {
    for (const model of ["compensations", "spaceships"]) {
      const r = await request("GET", `/v1/integrations/${integration.id}/records/${model}`, recordsKey);
      expect(r.status).toBe(404);
      const body = (await r.json()) as { error: { code: string; details: { models_in_scope: string[] } } };
      expect(body.error.code).toBe("MODEL_NOT_IN_SCOPE");
      expect(body.error.details.models_in_scope.sort()).toEqual(["employees", "teams"]);
    }
    for (const query of ["limit=501", "limit=0", "cursor=%%%", "cursor=", "updated_after=yesterday"]) {
      const r = await request(
        "GET",
        `/v1/integrations/${integration.id}/records/employees?${query}`,
        recordsKey,
      );
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("INVALID_REQUEST");
    }
    const unknown = await request(
      "GET",
      `/v1/integrations/int_${"0".repeat(26)}/records/employees`,
      recordsKey,
    );
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("filters by updated_after", async () => {
    const before = new Date(clock.now().getTime() - 1).toISOString();
    const after = clock.now().toISOString();
    const older = (await (
      await request(
        "GET",
        `/v1/integrations/${integration.id}/records/teams?updated_after=${before}`,
        recordsKey,
      )
    ).json()) as { data: SyncedRecord[] };
    expect(older.data.map((r) => r.fields)).toEqual([{ name: "Teammarker" }]);
    const newer = (await (
      await request(
        "GET",
        `/v1/integrations/${integration.id}/records/teams?updated_after=${after}`,
        recordsKey,
      )
    ).json()) as { data: SyncedRecord[] };
    expect(newer.data).toEqual([]);
  });

  it("leaves no synced value in plain text in the database file or dump", async () => {
    let dump: string;
    if (dialect === "sqlite") {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(server.ctx.db);
      dump = [file, `${file}-wal`, `${file}-journal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString("latin1"))
        .join("\n");
    } else {
      dump = execFileSync("pg_dump", ["--data-only", database.url], { maxBuffer: 1 << 30 }).toString("utf8");
    }
    // The dump holds the rows (their remote ids are in clear), so the check can find plain text.
    expect(dump).toContain("emp-09999");
    for (const marker of [
      "marker.example",
      "Addressmarker",
      "Firstmarker",
      "Lastmarker",
      "Titlemarker",
      "Teammarker",
    ]) {
      expect(dump.includes(marker), marker).toBe(false);
    }
  });
});
