import { describe, expect, it } from "vitest";
import { type EmployeeView, PERMISSIONS } from "../src/index.ts";
import { createTestHris, getJson, issueKey } from "./helpers.ts";

type List<T> = { data: T[]; next_cursor: string | null };
type ErrorBody = { error: { code: string; message: string; permission?: string } };

describe("GET /api/me", () => {
  it("names the company, the permissions and the credential type", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "globex", ["teams:read", "employees:read"]);
    const { status, body } = await getJson(app, "/api/me", key);
    expect(status).toBe(200);
    expect(body).toEqual({
      company: { id: "globex", name: "Globex Inc" },
      permissions: ["employees:read", "teams:read"],
      credential_type: "api_key",
    });
  });

  it("answers a key without any permission too", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", []);
    const { status, body } = await getJson(app, "/api/me", key);
    expect(status).toBe(200);
    expect(body).toMatchObject({ company: { id: "acme", name: "Acme Corp" }, permissions: [] });
  });

  it.each([
    ["no Authorization header", undefined],
    ["an unknown key", "Bearer dhk_nope"],
    ["a non-bearer scheme", "Basic Zm9vOmJhcg=="],
  ])("refuses %s with 401 UNAUTHORIZED", async (_case, authorization) => {
    const { app } = createTestHris();
    const res = await app.request("/api/me", {
      headers: authorization ? { Authorization: authorization } : {},
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe("UNAUTHORIZED");
    expect(body.error.message).toEqual(expect.any(String));
  });
});

describe("GET /api/employees", () => {
  const workFields = ["first_name", "id", "job_title", "last_name", "team_id", "work_email"];

  it("shows only work fields with employees:read", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read"]);
    const { status, body } = await getJson<List<EmployeeView>>(app, "/api/employees", key);
    expect(status).toBe(200);
    expect(body.data).toHaveLength(12);
    for (const employee of body.data) expect(Object.keys(employee).sort()).toEqual(workFields);
  });

  it("adds date_of_birth and home_address with employees.personal:read", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read", "employees.personal:read"]);
    const { body } = await getJson<List<EmployeeView>>(app, "/api/employees", key);
    for (const employee of body.data) {
      expect(Object.keys(employee).sort()).toEqual([...workFields, "date_of_birth", "home_address"].sort());
      expect(employee.date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("adds salary with compensation:read", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read", "compensation:read"]);
    const { body } = await getJson<List<EmployeeView>>(app, "/api/employees", key);
    for (const employee of body.data) {
      expect(Object.keys(employee).sort()).toEqual([...workFields, "salary"].sort());
      expect(employee.salary).toEqual(expect.any(Number));
    }
  });

  it("shows every field with every permission", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", [...PERMISSIONS]);
    const { body } = await getJson<List<EmployeeView>>(app, "/api/employees?limit=1", key);
    expect(body.data[0]).toEqual({
      id: "emp_acme_001",
      first_name: expect.any(String),
      last_name: expect.any(String),
      work_email: expect.stringMatching(/@acme\.example$/),
      job_title: expect.any(String),
      team_id: expect.stringMatching(/^team_acme_/),
      date_of_birth: expect.any(String),
      home_address: expect.any(String),
      salary: expect.any(Number),
    });
  });
});

describe("permissions", () => {
  it.each([
    ["/api/employees", "employees:read"],
    ["/api/teams", "teams:read"],
    ["/api/time-off-requests", "time_off:read"],
    ["/api/compensations", "compensation:read"],
  ] as const)("GET %s without %s is 403 naming the permission", async (path, permission) => {
    const { app } = createTestHris();
    const others = PERMISSIONS.filter((p) => p !== permission);
    const key = await issueKey(app, "acme", others);
    const { status, body } = await getJson<ErrorBody>(app, path, key);
    expect(status).toBe(403);
    expect(body.error).toEqual({
      code: "FORBIDDEN",
      message: expect.stringContaining(permission),
      permission,
    });
  });

  it.each([
    ["/api/teams", "teams:read", 3],
    ["/api/time-off-requests", "time_off:read", 8],
  ] as const)("GET %s with %s lists the company's records", async (path, permission, count) => {
    const { app } = createTestHris();
    const key = await issueKey(app, "globex", [permission]);
    const { status, body } = await getJson<List<Record<string, unknown>>>(app, path, key);
    expect(status).toBe(200);
    expect(body.data).toHaveLength(count);
    expect(body.next_cursor).toBeNull();
  });

  it("lists compensations with their fields only", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "globex", ["compensation:read"]);
    const { body } = await getJson<List<Record<string, unknown>>>(app, "/api/compensations", key);
    expect(body.data.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(body.data[0]!).sort()).toEqual([
      "amount",
      "currency",
      "effective_date",
      "employee_id",
      "id",
    ]);
    expect(body.data[0]).toMatchObject({
      currency: "EUR",
      employee_id: expect.stringMatching(/^emp_globex_/),
    });
  });
});

describe("company isolation", () => {
  it("shows each credential only its own company's records", async () => {
    const { app } = createTestHris();
    const acme = await issueKey(app, "acme", [...PERMISSIONS]);
    const globex = await issueKey(app, "globex", [...PERMISSIONS]);
    for (const [key, company] of [
      [acme, "acme"],
      [globex, "globex"],
    ] as const) {
      for (const path of ["/api/employees", "/api/teams", "/api/time-off-requests", "/api/compensations"]) {
        const { body } = await getJson<List<{ id: string; employee_id?: string }>>(app, path, key);
        expect(body.data.length).toBeGreaterThan(0);
        for (const record of body.data) {
          expect(record.id).toContain(`_${company}_`);
          if (record.employee_id !== undefined) expect(record.employee_id).toContain(`_${company}_`);
        }
      }
    }
  });
});

describe("pagination", () => {
  it("walks every employee with next_cursor, without gaps or repeats", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read"]);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=5&cursor=${encodeURIComponent(cursor)}` : "?limit=5";
      const { body }: { body: List<EmployeeView> } = await getJson<List<EmployeeView>>(
        app,
        `/api/employees${query}`,
        key,
      );
      expect(body.data.length).toBeLessThanOrEqual(5);
      ids.push(...body.data.map((employee) => employee.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `emp_acme_${String(i + 1).padStart(3, "0")}`));
  });

  it("defaults to 100 and caps limit at 500", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read"]);
    const all = await getJson<List<EmployeeView>>(app, "/api/employees", key);
    expect(all.body.data).toHaveLength(12);
    expect(all.body.next_cursor).toBeNull();
    const capped = await getJson<List<EmployeeView>>(app, "/api/employees?limit=10000", key);
    expect(capped.status).toBe(200);
    expect(capped.body.data).toHaveLength(12);
  });

  it.each(["limit=0", "limit=-1", "limit=abc", "cursor=not-a-cursor"])(
    "refuses %s with 400",
    async (query) => {
      const { app } = createTestHris();
      const key = await issueKey(app, "acme", ["employees:read"]);
      const { status, body } = await getJson<ErrorBody>(app, `/api/employees?${query}`, key);
      expect(status).toBe(400);
      expect(body.error.code).toBe("INVALID_REQUEST");
    },
  );
});

describe("unknown routes", () => {
  it("answers 404 in the error envelope", async () => {
    const { app } = createTestHris();
    const res = await app.request("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
