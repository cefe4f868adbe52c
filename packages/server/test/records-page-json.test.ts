import type { Integration } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import type { RelinkDatabase } from "../src/db/connect.ts";
import { encodeRecordCursor, recordId } from "../src/domain/record-pages.ts";
import { readRecords } from "../src/domain/records.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";
import { EMPLOYEES_SCOPE, recordsTool, syncedRecordsWorld } from "./records-support.ts";

/**
 * The records page is built as JSON text, each record's stored JSON spliced in (not parsed and
 * stringified again): its document must be, character for character, what `JSON.stringify` of the
 * page made of the opened, parsed records gives (what the route sent with `c.json`), on awkward
 * values: unicode beyond the BMP, U+2028 / U+2029, lone surrogates, control characters, quotes
 * and backslashes, nested objects and arrays, numbers beyond 2^53 and exponents as stored, keys
 * that look like integers or like `__proto__`; awkward remote ids too; with a field the scope
 * disabled after the sync (the stored text then holds a field the page must leave out), and a
 * record stored before sealing (plain `data`).
 */

const SCOPE = EMPLOYEES_SCOPE;

const AWKWARD: Array<{ id: string; data: Record<string, unknown> }> = [
  {
    id: "emp-a",
    data: {
      first_name: "Zoë 😀 \u2028 and \u2029 end",
      last_name: 'quote " backslash \\ slash / tab \t newline \n nul \u0000 unit \u001f del \u007f',
      work_email: "lone \ud800 high, \udfff low, pair \ud83d\ude00",
      job_title: { nested: [1, { deeper: [null, true, false, ""] }, []], "": {}, "10": "ten", "2": "two" },
      team_id: [
        Number("12345678901234567890"),
        1e21,
        -0,
        0.1 + 0.2,
        5e-324,
        Number.MAX_SAFE_INTEGER + 2,
        -1.5e-7,
      ],
    },
  },
  {
    id: 'emp-b "quoted" \\ é 😀 \u2028',
    data: {
      first_name: JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "c"}'),
      last_name: null,
      work_email: "",
      job_title: 0,
      team_id: { "</script>": "<!-- -->", "\u2028": "\u2029" },
    },
  },
  ...Array.from({ length: 5 }, (_, i) => ({
    id: `emp-c${i}`,
    data: {
      first_name: `Ünïcødé ${i} \u{10FFFF}`,
      last_name: i,
      work_email: [i, [i, [i]]],
      job_title: "t",
      team_id: "x",
    },
  })),
];

describe.each(availableDialects())("records page as JSON text (%s)", (dialect) => {
  let server: RelinkServer;
  let database: RelinkDatabase;
  let managementKey = "";
  let recordsKey = "";
  let integration: Integration;
  let request: Awaited<ReturnType<typeof syncedRecordsWorld>>["request"];
  const clock = new ManualClock("2026-06-01T09:00:00.000Z");

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const tool = recordsTool(AWKWARD.length, (i) => AWKWARD[i] as (typeof AWKWARD)[number], {
      id: "team-1",
      data: { name: "Team \u2028 😀" },
    });
    ({ server, managementKey, recordsKey, integration, request } = await syncedRecordsWorld({
      db: database,
      clock,
      tool,
      scope: SCOPE,
      count: AWKWARD.length,
    }));
    // A record stored before sealing (migration 0008): plain `data`, read as stored.
    await server.ctx.db
      .insertInto("synced_records")
      .values({
        integration_id: integration.id,
        model: "employees",
        remote_id: "emp-plain",
        data: JSON.stringify({ first_name: "Plain \u2028 😀", home_address: "1 Disabled Lane", "10": 1 }),
        synced_at: "2026-05-01T00:00:00.000Z",
      })
      .execute();
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  /** Each page's text, and the reference: the records opened and parsed, the page `JSON.stringify`-ed. */
  async function pagesAgainstReference(model: string, limit: number, enabled: readonly string[]) {
    const stored = await readRecords(server.ctx, integration.id, model);
    expect(stored.length).toBeGreaterThan(0);
    const reference = stored.map((r) => ({
      id: recordId(integration.id, model, r.remote_id),
      remote_id: r.remote_id,
      fields: Object.fromEntries(Object.entries(r.fields).filter(([name]) => enabled.includes(name))),
      updated_at: r.synced_at,
    }));
    let cursor: string | null = null;
    let offset = 0;
    do {
      const query: string = `limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
      const r = await request(
        "GET",
        `/v1/integrations/${integration.id}/records/${model}?${query}`,
        recordsKey,
      );
      expect(r.status, await r.clone().text()).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/json");
      const text = await r.text();
      const data = reference.slice(offset, offset + limit);
      const more = offset + limit < reference.length;
      const expected = {
        data,
        next_cursor: more ? encodeRecordCursor((data.at(-1) as { remote_id: string }).remote_id) : null,
      };
      expect(text).toBe(JSON.stringify(expected));
      expect(text).toBe(JSON.stringify(JSON.parse(text)));
      cursor = (JSON.parse(text) as { next_cursor: string | null }).next_cursor;
      offset += limit;
    } while (cursor);
    expect(offset).toBeGreaterThanOrEqual(reference.length);
  }

  const EMPLOYEE_FIELDS = ["first_name", "last_name", "work_email", "job_title", "team_id"];

  it("sends, character for character, what JSON.stringify of the parsed page gives", async () => {
    await pagesAgainstReference("employees", 3, EMPLOYEE_FIELDS);
    await pagesAgainstReference("employees", 100, EMPLOYEE_FIELDS);
    await pagesAgainstReference("teams", 10, ["name"]);
    // The values themselves come back as synced (the awkward ones included).
    const r = await request(
      "GET",
      `/v1/integrations/${integration.id}/records/employees?limit=2`,
      recordsKey,
    );
    const page = (await r.json()) as { data: Array<{ remote_id: string; fields: unknown }> };
    // As JSON carries them (-0 is 0 in JSON): the synced values through `JSON.stringify`.
    expect(page.data[0]).toMatchObject({
      remote_id: "emp-a",
      fields: JSON.parse(JSON.stringify(AWKWARD[0]?.data)),
    });
    expect(page.data[1]?.fields).toEqual(JSON.parse(JSON.stringify(AWKWARD[1]?.data)));
  });

  it("leaves out a field the scope disabled after the sync, and answers an empty page as before", async () => {
    const scopes = (await (await request("GET", "/v1/scope-configs", managementKey)).json()) as {
      data: Array<{ id: string }>;
    };
    const id = scopes.data[0]?.id;
    const narrowed = await request("PATCH", `/v1/scope-configs/${id}`, managementKey, {
      models: {
        employees: {
          setting: "ENABLED",
          fields: { home_address: "DISABLED", date_of_birth: "DISABLED", job_title: "DISABLED" },
        },
        teams: { setting: "ENABLED" },
      },
    });
    expect(narrowed.status, await narrowed.clone().text()).toBe(200);
    try {
      await pagesAgainstReference(
        "employees",
        4,
        EMPLOYEE_FIELDS.filter((f) => f !== "job_title"),
      );
    } finally {
      await request("PATCH", `/v1/scope-configs/${id}`, managementKey, { models: SCOPE.models });
    }
    const after = encodeURIComponent("2027-01-01T00:00:00.000Z");
    const empty = await request(
      "GET",
      `/v1/integrations/${integration.id}/records/employees?updated_after=${after}`,
      recordsKey,
    );
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe(JSON.stringify({ data: [], next_cursor: null }));
  });
});
