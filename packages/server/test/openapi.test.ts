import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRelink, type TestRelink } from "../src/testing/index.ts";

/** The OpenAPI document is generated from the schemas that validate requests, so it cannot drift. */
describe("OpenAPI document", () => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink();
  });
  afterAll(() => t.close());

  it("is generated, is OpenAPI 3.1, and documents every route the app serves", async () => {
    const response = await t.request("GET", "/openapi.json", { key: null });
    const text = await response.text();
    expect(response.status, text.slice(0, 500)).toBe(200);
    const doc = JSON.parse(text);
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const served = t.server.app.routes
      .filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
      .filter(
        (r) =>
          !r.path.startsWith("/link") &&
          !r.path.startsWith("/dashboard") &&
          !r.path.startsWith("/widget") &&
          !r.path.startsWith("/docs/") &&
          r.path !== "/metrics",
      )
      .map((r) => `${r.method} ${r.path}`);
    const undocumented = [...new Set(served)].filter((route) => !documented.has(route));
    expect(undocumented).toEqual([]);
    expect(documented.has("GET /v1/integrations/:id")).toBe(true);
  });

  it("declares the error envelope on every management operation and requires the API key", async () => {
    const doc = await (await t.request("GET", "/openapi.json", { key: null })).json();
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>,
    )) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.responses["401"], `${method} ${path}`).toBeDefined();
        expect(operation.security, `${method} ${path}`).toEqual([{ apiKey: [] }]);
      }
    }
  });

  it("serves a readable API reference page", async () => {
    const response = await t.request("GET", "/docs", { key: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    expect(await response.text()).toContain("/openapi.json");
  });
});

describe("OpenAPI document and the contract schemas", () => {
  it("names every component after a contract schema with the same properties and required fields", async () => {
    const contract = await import("@relink/sdk/contract");
    const { z } = await import("zod");
    const t = await createTestRelink();
    try {
      const doc = await (await t.request("GET", "/openapi.json", { key: null })).json();
      const components = doc.components.schemas as Record<
        string,
        { properties?: object; required?: string[] }
      >;
      const byId = new Map<string, import("zod").ZodType>();
      for (const value of Object.values(contract)) {
        if (value instanceof z.ZodType) {
          const id = z.globalRegistry.get(value)?.id;
          if (typeof id === "string") byId.set(id, value);
        }
      }
      let compared = 0;
      for (const [name, component] of Object.entries(components)) {
        const schema = byId.get(name);
        expect(schema, `component ${name} has no contract schema`).toBeDefined();
        if (!(schema instanceof z.ZodObject) || !component.properties) continue;
        const shape = schema.shape as Record<string, import("zod").ZodType>;
        expect(Object.keys(component.properties).sort(), name).toEqual(Object.keys(shape).sort());
        const required = Object.entries(shape)
          .filter(([, field]) => !field.safeParse(undefined).success)
          .map(([key]) => key)
          .sort();
        expect([...(component.required ?? [])].sort(), name).toEqual(required);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    } finally {
      await t.close();
    }
  });
});
