import { describe, expect, it } from "vitest";
import { createSeedData } from "../src/index.ts";
import { createTestHris, getJson, issueKey, postJson, T0 } from "./helpers.ts";

describe("GET /admin/companies", () => {
  it("lists both seeded companies with their employee counts", async () => {
    const { app } = createTestHris();
    const res = await app.request("/admin/companies");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: [
        { id: "acme", name: "Acme Corp", employee_count: 12 },
        { id: "globex", name: "Globex Inc", employee_count: 12 },
      ],
    });
  });
});

describe("POST /admin/api-keys", () => {
  it("issues a dhk_ key bound to a company", async () => {
    const { app } = createTestHris();
    const res = await postJson(app, "/admin/api-keys", {
      company_id: "acme",
      permissions: ["teams:read", "employees:read", "teams:read"],
      label: "test",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      key: expect.stringMatching(/^dhk_[A-Za-z0-9_-]{20,}$/),
      company_id: "acme",
      permissions: ["employees:read", "teams:read"],
      label: "test",
      created_at: new Date(T0).toISOString(),
    });
  });

  it("never issues the same key twice", async () => {
    const { app } = createTestHris();
    const keys = await Promise.all([1, 2, 3].map(() => issueKey(app, "acme", [])));
    expect(new Set(keys).size).toBe(3);
  });

  it.each([
    [{ company_id: "initech", permissions: [] }, /initech.*acme, globex/],
    [{ company_id: "acme", permissions: ["employees:write"] }, /employees:write/],
    [{ company_id: "acme", permissions: "employees:read" }, /permissions must be an array/],
    [{ permissions: [] }, /company_id/],
    [{ company_id: "acme", permissions: [], label: 3 }, /label/],
  ])("refuses %j with 400 and a clear message", async (body, message) => {
    const { app } = createTestHris();
    const res = await postJson(app, "/admin/api-keys", body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toMatch(message);
  });

  it("refuses a body that is not JSON", async () => {
    const { app } = createTestHris();
    const res = await app.request("/admin/api-keys", { method: "POST", body: "company_id=acme" });
    expect(res.status).toBe(400);
  });
});

describe("GET /admin/api-keys", () => {
  it("lists keys masked except their last four characters", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "globex", ["teams:read"]);
    const res = await app.request("/admin/api-keys");
    const { data } = (await res.json()) as { data: { key: string; company_id: string }[] };
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ company_id: "globex", permissions: ["teams:read"], label: null });
    expect(data[0]!.key).toBe("*".repeat(key.length - 4) + key.slice(-4));
    expect(JSON.stringify(data)).not.toContain(key.slice(0, 10));
  });
});

describe("DELETE /admin/api-keys/:key", () => {
  it("revokes: the key then gets 401", async () => {
    const { app } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read"]);
    expect((await getJson(app, "/api/employees", key)).status).toBe(200);
    const res = await app.request(`/admin/api-keys/${key}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    const after = await getJson<{ error: { code: string } }>(app, "/api/employees", key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("UNAUTHORIZED");
  });

  it("answers 404 for an unknown key", async () => {
    const { app } = createTestHris();
    const res = await app.request("/admin/api-keys/dhk_unknown", { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe("POST /admin/reset", () => {
  it("goes back to the seed: keys, clients and outage are gone", async () => {
    const { app, state } = createTestHris();
    const key = await issueKey(app, "acme", ["employees:read"]);
    await postJson(app, "/admin/oauth-clients", { name: "x", redirect_uris: ["https://example.com/cb"] });
    await postJson(app, "/admin/outage", { status: 503, duration_ms: 60_000 });
    state.employees.pop();

    const res = await app.request("/admin/reset", { method: "POST" });
    expect(res.status).toBe(204);
    expect(state.apiKeys.size).toBe(0);
    expect([...state.oauthClients.keys()]).toEqual(["relink-demo"]);
    expect(state.outage).toBeNull();
    expect(state.employees).toEqual(createSeedData().employees);
    expect((await getJson(app, "/api/me", key)).status).toBe(401);
  });
});

describe("seed", () => {
  it("is the same on every call", () => {
    expect(createSeedData()).toEqual(createSeedData());
  });

  it("has unique ids and emails, and references that resolve", () => {
    const seed = createSeedData();
    const ids = [...seed.employees, ...seed.teams, ...seed.timeOffRequests, ...seed.compensations].map(
      (r) => r.id,
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(seed.employees.map((e) => e.work_email)).size).toBe(seed.employees.length);
    const employees = new Map(seed.employees.map((e) => [e.id, e]));
    const teams = new Map(seed.teams.map((t) => [t.id, t]));
    for (const employee of seed.employees)
      expect(teams.get(employee.team_id)?.company_id).toBe(employee.company_id);
    for (const record of [...seed.timeOffRequests, ...seed.compensations]) {
      expect(employees.get(record.employee_id)?.company_id).toBe(record.company_id);
    }
    for (const request of seed.timeOffRequests) expect(request.end_date >= request.start_date).toBe(true);
    for (const company of seed.companies) {
      expect(seed.teams.filter((t) => t.company_id === company.id)).toHaveLength(3);
    }
  });

  it("gives each employee a salary equal to their latest compensation", () => {
    const seed = createSeedData();
    for (const employee of seed.employees) {
      const history = seed.compensations
        .filter((c) => c.employee_id === employee.id)
        .sort((a, b) => a.effective_date.localeCompare(b.effective_date));
      expect(history.at(-1)?.amount).toBe(employee.salary);
    }
  });
});
