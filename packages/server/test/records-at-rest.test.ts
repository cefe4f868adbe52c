import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DemoHrisApi } from "@relink/demo-hris/connectors";
import type { Integration } from "@relink/sdk/contract";
import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer } from "../src/app.ts";
import { createDatabase, type Dialect, type RelinkDatabase } from "../src/db/connect.ts";
import { migrations } from "../src/db/migrations/index.ts";
import { openFields, readRecords, sealFields, sealSyncRecords } from "../src/domain/records.ts";
import { reencryptAll } from "../src/domain/reencrypt.ts";
import { completeRelink, resolveFlow } from "../src/domain/relink.ts";
import { verifyCredentials } from "../src/domain/tool-checks.ts";
import { verifyFlowToken } from "../src/flow-tokens/verify.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey, SecretBox } from "../src/secrets.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";
import { type FlowWorld, startFlowWorld } from "./flows-support.ts";

/**
 * Synced records at rest (issue 15 item 7): after a sync of the demo HR system, neither the SQLite
 * database file nor any PostgreSQL row holds a synced value in plain text.
 */

/** Every model and field of the demo HR system, the personal and pay fields included. */
const EVERYTHING = {
  employees: { setting: "ENABLED" },
  teams: { setting: "ENABLED" },
  time_off_requests: { setting: "ENABLED" },
  compensations: { setting: "ENABLED" },
};
const ALL_PERMISSIONS = [
  "employees:read",
  "employees.personal:read",
  "compensation:read",
  "time_off:read",
  "teams:read",
];

interface World {
  w: FlowWorld;
  dialect: Dialect;
  /** The server's encryption key. */
  key: string;
  /** The bytes an attacker holding the database (file or rows) sees. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

async function world(dialect: Dialect): Promise<World> {
  const key = generateEncryptionKey();
  if (dialect === "postgres") {
    const w = await startFlowWorld({ dialect, encryptionKey: key });
    return {
      w,
      dialect,
      key,
      async dump() {
        const db = w.relink.relink.ctx.db;
        const tables = await sql<{ table_name: string }>`
          select table_name from information_schema.tables where table_schema = 'public'`.execute(db);
        const out: string[] = [];
        for (const { table_name } of tables.rows) {
          // Every column of every row, as text.
          const rows = await sql<{
            row: string;
          }>`select t::text as row from ${sql.table(table_name)} t`.execute(db);
          for (const r of rows.rows) out.push(r.row);
        }
        return out.join("\n");
      },
      close: () => w.close(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "relink-records-"));
  const file = join(dir, "relink.db");
  const database = { ...createDatabase(`sqlite:${file}`), url: `sqlite:${file}` };
  const w = await startFlowWorld({ database, encryptionKey: key });
  return {
    w,
    dialect,
    key,
    async dump() {
      // Everything committed goes into the file itself; the WAL is emptied.
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(w.relink.relink.ctx.db);
      const parts = [readFileSync(file).toString("latin1")];
      for (const extra of [`${file}-wal`, `${file}-journal`]) {
        if (existsSync(extra)) parts.push(readFileSync(extra).toString("latin1"));
      }
      return parts.join("\n");
    },
    async close() {
      await w.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The values an attacker must not read, as they would appear in text (a number with no digit around it). */
function exposed(dump: string, employees: Array<{ data: Record<string, unknown> }>): string[] {
  const found: string[] = [];
  const around = (value: string) =>
    new RegExp(`(?<![A-Za-z0-9_-])${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_-])`);
  for (const { data } of employees) {
    for (const field of ["date_of_birth", "home_address", "work_email", "salary", "last_name"]) {
      if (data[field] === undefined) continue;
      const value = String(data[field]);
      if (around(value).test(dump)) found.push(`${field}=${value}`);
    }
  }
  return found;
}

describe.each(availableDialects())("synced records at rest on %s", (dialect) => {
  let x: World;
  let w: FlowWorld;
  let key: string;
  let integration: Integration;
  let employees: Array<{ id: string; data: Record<string, unknown> }>;

  beforeAll(async () => {
    x = await world(dialect);
    w = x.w;
    key = await w.issueKey("acme", ALL_PERMISSIONS);
    const scope = await w.scopeConfig("Everything", EVERYTHING);
    const imported = await w.api("POST", "/v1/integrations", {
      tool: "demo-hris",
      end_user: { origin_id: "acme-1", organization_name: "Acme Corp" },
      credentials: { api_key: key },
      scope_config_id: scope,
    });
    expect(imported.status).toBe(201);
    integration = (await imported.json()) as Integration;
    await w.relink.relink.scheduler.runDue();
    expect((await w.integration(integration.id)).last_sync?.sync_state).toBe("SUCCEEDED");
    employees = await new DemoHrisApi({ baseUrl: w.hris.url }).list(
      key,
      "employees",
      AbortSignal.timeout(10_000),
    );
    expect(employees.length).toBeGreaterThan(5);
    expect(employees[0]?.data).toHaveProperty("salary");
  });
  afterAll(() => x?.close());

  it("leaves no synced value (salary, date of birth, home address, email, name) in plain text in the database", async () => {
    const stored = await w.relink.relink.ctx.db
      .selectFrom("synced_records")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("integration_id", "=", integration.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBeGreaterThan(employees.length);
    // The check itself finds a value written in plain text.
    expect(exposed(`x {"salary":${employees[0]?.data.salary}} x`, employees)).toEqual([
      `salary=${employees[0]?.data.salary}`,
    ]);
    expect(exposed(await x.dump(), employees)).toEqual([]);
  });

  it("reads the records back exactly as the HR system holds them", async () => {
    const stored = await readRecords(w.relink.relink.ctx, integration.id, "employees");
    expect(stored.map((r) => r.remote_id).sort()).toEqual(employees.map((e) => e.id).sort());
    for (const employee of employees) {
      expect(stored.find((r) => r.remote_id === employee.id)?.fields).toEqual(employee.data);
    }
    const all = await readRecords(w.relink.relink.ctx, integration.id);
    expect(new Set(all.map((r) => r.model))).toEqual(new Set(Object.keys(EVERYTHING)));
  });

  it("a relink to a narrower scope deletes the dropped models and fields in its own transaction", async () => {
    const { ctx } = w.relink.relink;
    const narrow = await w.scopeConfig("Work data", {
      employees: {
        setting: "ENABLED",
        fields: { salary: "DISABLED", date_of_birth: "DISABLED", home_address: "DISABLED" },
      },
      teams: { setting: "ENABLED" },
    });
    const made = await w.api("POST", `/v1/integrations/${integration.id}/relink`, {
      scope_config_id: narrow,
      link_type: "EMBEDDED",
    });
    expect(made.status).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const newKey = await w.issueKey("acme", ALL_PERMISSIONS);
    const before = await readRecords(ctx, integration.id);

    // A completion that fails after the scope swap changes no record either.
    const subject = await resolveFlow(ctx, await verifyFlowToken(ctx, token));
    const connector = ctx.connectors.get("demo-hris");
    if (!connector) throw new Error("no demo-hris connector");
    const verified = await verifyCredentials(ctx, connector, { api_key: newKey });
    const crash = new Error("simulated crash");
    await expect(
      completeRelink(ctx, {
        subject,
        verified,
        optedOut: [],
        failpoint: (point) => {
          if (point === "events-recorded") throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(await readRecords(ctx, integration.id)).toEqual(before);

    const done = await w.connect("POST", "/connect/v1/credentials", token, { values: { api_key: newKey } });
    expect(done.status).toBe(200);
    // No sync ran since: the relink itself removed what the new scope leaves out.
    const after = await readRecords(ctx, integration.id);
    expect(new Set(after.map((r) => r.model))).toEqual(new Set(["employees", "teams"]));
    const kept = ["first_name", "last_name", "work_email", "job_title", "team_id"];
    const stored = after.filter((r) => r.model === "employees");
    expect(stored).toHaveLength(employees.length);
    for (const employee of employees) {
      expect(stored.find((r) => r.remote_id === employee.id)?.fields).toEqual(
        Object.fromEntries(kept.map((f) => [f, employee.data[f]])),
      );
    }
    expect(after.filter((r) => r.model === "teams")).toEqual(before.filter((r) => r.model === "teams"));
    // The dropped values are gone from the storage too, not only hidden.
    const dump = await x.dump();
    const personal = employees.flatMap(({ data }) => [String(data.date_of_birth), String(data.home_address)]);
    expect(personal.filter((value) => dump.includes(value))).toEqual([]);
  });

  it("key rotation re-seals every record with the new key, in batches, and they still read back", async () => {
    const { ctx } = w.relink.relink;
    const before = await readRecords(ctx, integration.id);
    const count = before.length;
    expect(count).toBeGreaterThan(5);
    const newKey = generateEncryptionKey();
    const rotating = new SecretBox(newKey, [x.key]);
    const batches: number[] = [];
    const report = await reencryptAll(
      { db: ctx.db, secrets: rotating },
      { batchSize: 4, onBatch: (column, n) => column === "synced_records.fields_sealed" && batches.push(n) },
    );
    expect(report.failed).toEqual([]);
    expect(report.resealed["synced_records.fields_sealed"]).toBe(count);
    expect(batches.length).toBe(Math.ceil(count / 4));
    const rows = await ctx.db.selectFrom("synced_records").select("fields_sealed").execute();
    expect(rows.every((r) => r.fields_sealed?.startsWith(`v1.${rotating.keyId}.`))).toBe(true);
    // Only the new key: everything opens.
    const after = await readRecords({ db: ctx.db, secrets: new SecretBox(newKey) }, integration.id);
    expect(after).toEqual(before);
    // A second pass has nothing left to move.
    const again = await reencryptAll({ db: ctx.db, secrets: rotating });
    expect(again.resealed["synced_records.fields_sealed"]).toBe(0);
  });
});

describe.each(availableDialects())("records stored in plain text by an older version, on %s", (dialect) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("are sealed by migration 0008 and the server's start, and read back unchanged", async () => {
    let database: RelinkDatabase & { url: string };
    let file: string | null = null;
    if (dialect === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "relink-records-"));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      file = join(dir, "relink.db");
      database = { ...createDatabase(`sqlite:${file}`), url: `sqlite:${file}` };
    } else {
      database = await createTestDatabase("postgres");
    }
    cleanups.push(() => database.close());

    // The schema as it was before 0008, with records in plain text.
    const names = Object.keys(migrations);
    const older = Object.fromEntries(
      names.slice(0, names.indexOf("0008_sealed_records")).map((n) => [n, migrations[n]]),
    );
    const { error } = await new Migrator({
      db: database.db,
      provider: { getMigrations: async () => older as Record<string, Migration> },
    }).migrateToLatest();
    expect(error).toBeUndefined();
    const at = new Date().toISOString();
    // biome-ignore lint/suspicious/noExplicitAny: the schema before 0008, not the current one
    const db = database.db as unknown as Kysely<any>;
    await db
      .insertInto("workspaces")
      .values({ id: "ws_old", name: "Old", allowed_origins: "[]", created_at: at })
      .execute();
    await db
      .insertInto("integrations")
      .values({
        id: "int_old",
        workspace_id: "ws_old",
        tool: "demo-hris",
        category: "HRIS",
        end_user_origin_id: "acme-1",
        end_user_organization_name: "Acme",
        credentials_sealed: "v1.00000000.x.y",
        state: "ACTIVE",
        granted_permissions: "[]",
        missing_permissions: "[]",
        opted_out: "[]",
        created_at: at,
        updated_at: at,
      })
      .execute();
    const plain = Array.from({ length: 7 }, (_, i) => ({
      remote_id: `emp_${i}`,
      data: {
        first_name: `Ada${i}`,
        salary: 123_400 + i,
        date_of_birth: `1971-02-1${i}`,
        home_address: `${700 + i} Evergreen Terrace, Springfield`,
      },
    }));
    await db
      .insertInto("synced_records")
      .values(
        plain.map((r) => ({
          integration_id: "int_old",
          model: "employees",
          remote_id: r.remote_id,
          data: JSON.stringify(r.data),
          synced_at: at,
        })),
      )
      .execute();

    const key = generateEncryptionKey();
    const server = await createRelinkServer({
      db: database,
      config: { encryptionKey: key, runWorkers: false },
      logger: createLogger({ level: "silent" }),
    });
    cleanups.push(() => server.close());

    const rows = await server.ctx.db.selectFrom("synced_records").selectAll().orderBy("remote_id").execute();
    expect(rows).toHaveLength(plain.length);
    for (const row of rows) {
      expect(row.data).toBeNull();
      expect(row.fields_sealed).toMatch(new RegExp(`^v1\\.${server.ctx.secrets.keyId}\\.`));
    }
    const read = await readRecords(server.ctx, "int_old", "employees");
    expect(read.map((r) => ({ remote_id: r.remote_id, data: r.fields }))).toEqual(plain);

    let dump: string;
    if (file) {
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(server.ctx.db);
      dump = [file, `${file}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString("latin1"))
        .join("\n");
    } else {
      const all = await sql<{ row: string }>`select t::text as row from synced_records t`.execute(
        server.ctx.db,
      );
      dump = all.rows.map((r) => r.row).join("\n");
    }
    expect(exposed(dump, plain)).toEqual([]);
    expect(dump).not.toContain("Evergreen");
  });
});

describe("sealing a sync's records", () => {
  const box = new SecretBox(generateEncryptionKey());

  it("keeps only the models and fields the sync asked for, once per remote id, one seal per record", () => {
    const sealed = sealSyncRecords(
      box,
      "int_1",
      {
        employees: [
          { id: "e1", data: { first_name: "Ada", salary: 97_500 } },
          { id: "e1", data: { first_name: "Duplicate" } },
          { id: "e2", data: { first_name: "Grace" } },
        ],
        compensations: [{ id: "c1", data: { amount: 97_500 } }],
      },
      [{ model: "employees", fields: ["first_name"] }],
    );
    expect(sealed.counts).toEqual({ employees: 3 });
    expect(sealed.rows.map(([model, id]) => `${model}/${id}`)).toEqual(["employees/e1", "employees/e2"]);
    const open = (id: string, s: string) =>
      openFields(box, { integration_id: "int_1", model: "employees", remote_id: id, fields_sealed: s });
    expect(open("e1", sealed.rows[0]?.[2] ?? "")).toEqual({ first_name: "Ada" });
    expect(open("e2", sealed.rows[1]?.[2] ?? "")).toEqual({ first_name: "Grace" });
    expect(sealed.rows.every(([, , s]) => !s.includes("Ada") && !s.includes("Grace"))).toBe(true);
  });

  it("binds each sealed record to its row: moved to another record or integration, it does not open", () => {
    const sealed = sealFields(box, "int_1", "employees", "e1", { salary: 97_500 });
    const row = { integration_id: "int_1", model: "employees", remote_id: "e1", fields_sealed: sealed };
    expect(openFields(box, row)).toEqual({ salary: 97_500 });
    expect(() => openFields(box, { ...row, remote_id: "e2" })).toThrow(/tampered/);
    expect(() => openFields(box, { ...row, integration_id: "int_2" })).toThrow(/tampered/);
    expect(() => openFields(box, { ...row, model: "compensations" })).toThrow(/tampered/);
  });
});
