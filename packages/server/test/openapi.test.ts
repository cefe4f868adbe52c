import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRelink, type TestRelink } from "../src/testing/index.ts";
import { type OpenApiDocument, operations, pointer, schemaValidator } from "./openapi-support.ts";

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

describe("OpenAPI document for generators and validators", () => {
  let t: TestRelink;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestRelink();
    doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as OpenApiDocument;
  });
  afterAll(() => t.close());

  it("writes nullable fields as OpenAPI 3.1 nullable, so that null validates against them", () => {
    const nullOverrides: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== "object" || node === null) return;
      const allOf = (node as { allOf?: unknown[] }).allOf;
      if (allOf?.some((s) => JSON.stringify((s as { type?: unknown }).type ?? "").includes("null")))
        nullOverrides.push(at);
      for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`);
    };
    walk(doc, "#");
    expect(nullOverrides).toEqual([]);

    const validator = schemaValidator(doc);
    const property = (schema: string, name: string) =>
      pointer("components", "schemas", schema, "properties", name);
    for (const [schema, name] of [
      ["AuthHealth", "failing_since"],
      ["Integration", "next_sync_at"],
      ["ApiKey", "last_used_at"],
      ["SyncRun", "ended_at"],
      ["WebhookDelivery", "completed_at"],
    ] as const) {
      expect(validator.errors(property(schema, name), null), `${schema}.${name}`).toEqual([]);
      expect(validator.errors(property(schema, name), "2026-12-01T08:00:00.000Z")).toEqual([]);
      expect(validator.errors(property(schema, name), "yesterday")).not.toEqual([]);
    }
  });

  it("documents 413 on every operation that can carry a body and 415 on every one that reads JSON", () => {
    const missing: string[] = [];
    for (const { method, operation, key } of operations(doc)) {
      if (method !== "get" && !operation.responses["413"]) missing.push(`${key} 413`);
      if (operation.requestBody && !operation.responses["415"]) missing.push(`${key} 415`);
      for (const status of ["413", "415"]) {
        const response = operation.responses[status];
        if (response)
          expect(response.content?.["application/json"]?.schema, `${key} ${status}`).toEqual({
            $ref: "#/components/schemas/Error",
          });
      }
    }
    expect(missing).toEqual([]);
  });

  it("documents every webhook event type under webhooks, with its payload's schema", () => {
    const validator = schemaValidator(doc);
    const types = [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE];
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...types].sort());
    for (const type of types) {
      const body = pointer("webhooks", type, "post", "requestBody", "content", "application/json", "schema");
      const envelope = { id: "evt_0123456789abcdef", type, created_at: "2026-12-01T08:00:00.000Z" };
      // The schema is the event's own: its type is fixed and its data is required.
      expect(validator.errors(body, envelope), type).not.toEqual([]);
      expect(validator.errors(body, { ...envelope, type: "other", data: {} }), type).not.toEqual([]);
      expect(doc.webhooks?.[type]?.post?.operationId).toMatch(/^[a-z][A-Za-z0-9]+$/);
    }
    const failed = pointer(
      "webhooks",
      "connection-flow-failed",
      "post",
      "requestBody",
      "content",
      "application/json",
      "schema",
    );
    expect(
      validator.errors(failed, {
        id: "evt_0123456789abcdef",
        type: "connection-flow-failed",
        created_at: "2026-12-01T08:00:00.000Z",
        data: {
          flow: "relink",
          integration_id: "int_0123456789abcdef",
          tool: "demo-hris",
          end_user: { origin_id: "acme", organization_name: "Acme", email: null },
          reason: "USER_EXITED",
          step: "credentials",
          detail: "closed",
        },
      }),
    ).toEqual([]);
  });

  it("gives every operation a unique, camelCase operationId", () => {
    const ids = operations(doc).map(({ operation, key }) => {
      expect(operation.operationId, key).toMatch(/^[a-z][A-Za-z0-9]+$/);
      return operation.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("listIntegrations");
  });

  it("passes redocly lint (recommended rules) with zero errors", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "relink-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      writeFileSync(file, JSON.stringify(doc));
      const redocly = join(import.meta.dirname, "../node_modules/.bin/redocly");
      const { stdout } = await promisify(execFile)(redocly, ["lint", file, "--format=json"], {
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
      const report = JSON.parse(stdout) as {
        problems: Array<{
          severity: string;
          ruleId: string;
          message: string;
          location: Array<{ pointer: string }>;
        }>;
      };
      const errors = report.problems
        .filter((p) => p.severity === "error")
        .map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
