import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogEntries } from "@relink/connectors";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, describe, expect, it } from "vitest";
import { CONNECTOR_SCHEMA_FILE, renderConnectorSchema } from "../scripts/gen-connector-schema.ts";
import { createRelinkServer } from "../src/app.ts";
import { defineConfig } from "../src/config.ts";
import { catalogDocuments } from "../src/connectors/catalog.ts";
import { declaredConnector } from "../src/connectors/declared/connector.ts";
import { DeclaredConnectorError, parseDeclaredConnector } from "../src/connectors/declared/load.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { startStandIn } from "./tool-stand-in.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const folderWith = (files: Record<string, unknown>) => {
  const dir = mkdtempSync(join(tmpdir(), "relink-connectors-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
};

const jsonSchemaValidator = () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(CONNECTOR_SCHEMA_FILE, "utf8")));
};

const bamboo = () =>
  structuredClone(catalogEntries().find((e) => e.file === "bamboohr.json")?.document) as Record<
    string,
    unknown
  >;

describe("the JSON Schema of declared connectors", () => {
  it("is generated from the zod schema and up to date (tsx packages/server/scripts/gen-connector-schema.ts)", () => {
    expect(readFileSync(CONNECTOR_SCHEMA_FILE, "utf8"), "regenerate connector.schema.json").toBe(
      renderConnectorSchema(),
    );
  });

  it("accepts every catalog document, as the zod schema does", () => {
    const validate = jsonSchemaValidator();
    const entries = catalogEntries();
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const { file, document } of entries) {
      expect(validate(document), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(() => parseDeclaredConnector(document, file)).not.toThrow();
    }
  });

  it("refuses an invalid document in both, the zod error naming the JSON path", () => {
    const doc = bamboo();
    (doc.auth as Record<string, unknown>).placement = { in: "cookie" };
    const validate = jsonSchemaValidator();
    expect(validate(doc)).toBe(false);
    expect(() => parseDeclaredConnector(doc, "x.json")).toThrow(/^x\.json: \$\.auth\.placement\.in: /);
  });

  it("refuses cross-references the JSON Schema cannot express: unknown permission, unknown template parameter", () => {
    const doc = bamboo();
    (doc.models as Array<Record<string, unknown>>)[0]!.permission = "nope:read";
    expect(() => parseDeclaredConnector(doc, "a.json")).toThrow(
      'a.json: $.models[0].permission: no permission "nope:read" is declared',
    );
    const other = bamboo();
    other.base_url = "https://{tenant}.example.com/api";
    expect(() => parseDeclaredConnector(other, "b.json")).toThrow(
      "b.json: $.params: the template {tenant} names no declared parameter",
    );
  });
});

describe("RELINK_CONNECTORS_DIR", () => {
  const start = (connectorsDir: string) =>
    createRelinkServer({
      db: "sqlite::memory:",
      config: defineConfig({ encryptionKey: generateEncryptionKey(), connectorsDir, logLevel: "silent" }),
    });

  it("loads every *.json of the folder as a tool", async () => {
    const doc = { ...bamboo(), id: "bamboo-eu", name: "BambooHR (EU proxy)" };
    const server = await start(folderWith({ "bamboo-eu.json": doc, "notes.txt": "not a connector" }));
    try {
      expect(server.ctx.connectors.get("bamboo-eu")?.tool.name).toBe("BambooHR (EU proxy)");
    } finally {
      await server.close();
    }
  });

  it("stops the start on an invalid document, naming the file and the JSON path of the problem", async () => {
    const doc = bamboo();
    (doc.check as Record<string, unknown>).auth_failed = [];
    const dir = folderWith({ "a-good.json": { ...bamboo(), id: "good" }, "broken.json": doc });
    const failure = await start(dir).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeclaredConnectorError);
    expect((failure as DeclaredConnectorError).file).toBe(join(dir, "broken.json"));
    expect((failure as DeclaredConnectorError).path).toBe("$.check.auth_failed");
    expect((failure as Error).message).toContain(`${join(dir, "broken.json")}: $.check.auth_failed:`);
  });

  it("stops the start on a file that is not JSON, naming it", async () => {
    const dir = folderWith({ "typo.json": "{ id: bamboo" });
    await expect(start(dir)).rejects.toThrow(`${join(dir, "typo.json")}: $: not readable JSON`);
  });
});

describe("a declared connector", () => {
  it("without a sync declared has no sync: auth only", () => {
    const gusto = catalogDocuments().find((d) => d.id === "gusto")!;
    expect(gusto.models.every((m) => !m.sync)).toBe(true);
    expect(declaredConnector(gusto).sync).toBeUndefined();
    const google = catalogDocuments().find((d) => d.id === "google-workspace")!;
    expect(typeof declaredConnector(google).sync).toBe("function");
  });

  it("is shown as a coded connector is: the credential form from its auth method, OAuth without a form", () => {
    const byId = new Map(catalogDocuments().map((d) => [d.id, declaredConnector(d).tool]));
    expect(byId.get("bamboohr")?.auth).toMatchObject({
      method: "API_KEY",
      fields: [
        { id: "company", type: "text", required: true },
        { id: "api_key", type: "secret", required: true },
      ],
    });
    expect(byId.get("hibob")?.auth.fields.map((f) => f.id)).toEqual(["username", "password"]);
    expect(byId.get("personio")?.auth.fields.map((f) => f.id)).toEqual(["client_id", "client_secret"]);
    expect(byId.get("gusto")?.auth).toEqual({ method: "OAUTH2", fields: [] });
  });
});

describe("the complete example of docs/connectors.md", () => {
  const docText = readFileSync(join(import.meta.dirname, "../../../docs/connectors.md"), "utf8");
  const section = docText.slice(docText.indexOf("## Declaring a tool in JSON"));
  const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "null") as unknown;

  it("loads, and checks, names the account, learns permissions and syncs against a stand-in", async () => {
    const doc = parseDeclaredConnector(example, "docs/connectors.md");
    expect(doc.id).toBe("acme-hr");
    const standIn = await startStandIn(doc, {
      unauthorized: { status: 401, body: { error: { code: "unauthorized" } } },
      forbidden: { status: 403, body: { error: { code: "forbidden" } } },
    });
    try {
      const connector = declaredConnector(standIn.doc);
      const credentials = standIn.issue({ id: "globex", name: "Globex" }, ["people:read"]);
      const ctx = { credentials, signal: AbortSignal.timeout(10_000) };
      expect(await connector.checkAuth(ctx)).toEqual({ outcome: "OK" });
      expect(await connector.accountIdentity(ctx)).toEqual({ id: "globex", name: "Globex" });
      expect(await connector.grantedPermissions(ctx)).toEqual(["people:read"]);
      const synced = await connector.sync?.({
        ...ctx,
        models: [{ model: "employees", fields: ["work_email"] }],
      });
      expect(synced?.records.employees).toEqual([
        { id: "globex-1", data: { work_email: "work_email of Globex" } },
      ]);
      // A subdomain that is not one is refused before any request (the document as written, not rebased).
      const bad = { ...credentials, company: "evil.example/x" };
      expect((await declaredConnector(doc).checkAuth({ ...ctx, credentials: bad })).outcome).toBe(
        "AUTH_FAILED",
      );
      standIn.revoke(credentials);
      expect((await connector.checkAuth(ctx)).outcome).toBe("AUTH_FAILED");
    } finally {
      await standIn.close();
    }
  });
});

describe("API key placements no catalog tool uses", () => {
  const docText = readFileSync(join(import.meta.dirname, "../../../docs/connectors.md"), "utf8");
  const section = docText.slice(docText.indexOf("## Declaring a tool in JSON"));
  const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? "null") as Record<
    string,
    unknown
  >;

  it.each([
    ["basic_as_password", { in: "basic_as_password", username: "api" }],
    ["query", { in: "query", name: "apikey" }],
  ])(
    "%s: the key reaches the tool where declared; a revoked one fails the check",
    async (_name, placement) => {
      const doc = parseDeclaredConnector(
        { ...example, auth: { ...(example.auth as object), placement } },
        "placement.json",
      );
      const standIn = await startStandIn(doc, {
        unauthorized: { status: 401, body: null },
        forbidden: { status: 403, body: null },
      });
      try {
        const connector = declaredConnector(standIn.doc);
        const credentials = standIn.issue({ id: "initech", name: "Initech" }, ["people:read"]);
        const ctx = { credentials, signal: AbortSignal.timeout(10_000) };
        expect(await connector.checkAuth(ctx)).toEqual({ outcome: "OK" });
        expect(await connector.accountIdentity(ctx)).toEqual({ id: "initech", name: "Initech" });
        standIn.revoke(credentials);
        expect((await connector.checkAuth(ctx)).outcome).toBe("AUTH_FAILED");
      } finally {
        await standIn.close();
      }
    },
  );
});
