import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkArchitecture } from "../../../scripts/check-architecture.ts";

/** `pnpm check:architecture` run on the repository itself: its rules hold today. */
describe("the repository's architecture", () => {
  it("the repository has no runtime import cycle, no HTTP in the domain, no file over 500 lines, no ../../../ path and no write of the integrations table outside the store", () => {
    expect(checkArchitecture(resolve(import.meta.dirname, "../../.."))).toEqual([]);
  });

  it("reports a write of the integrations table outside the integration store (Kysely or SQL text), and none from the store or a migration", () => {
    const root = mkdtempSync(join(tmpdir(), "relink-architecture-"));
    try {
      mkdirSync(join(root, "packages/server/src/domain"), { recursive: true });
      mkdirSync(join(root, "packages/server/src/db/migrations"), { recursive: true });
      writeFileSync(
        join(root, "packages/server/src/domain/campaigns.ts"),
        [
          'export const a = (db) => db.updateTable("integrations").set({ scope_config_id: "x" });',
          'export const b = (db) => db.selectFrom("integrations").selectAll();',
          "export const c = sql`UPDATE integrations SET state = 'INVALID'`;",
          "export const d = (db) => db.deleteFrom('integrations');",
          "",
        ].join("\n"),
      );
      writeFileSync(
        join(root, "packages/server/src/domain/integration-store.ts"),
        'export const w = (db) => db.updateTable("integrations").set({ state: "ACTIVE" });\n',
      );
      writeFileSync(
        join(root, "packages/server/src/db/migrations/0001_init.ts"),
        "export const up = sql`update integrations set state = 'ACTIVE'`;\n",
      );
      expect(checkArchitecture(root)).toEqual([
        'integrations written outside the store: packages/server/src/domain/campaigns.ts:1: export const a = (db) => db.updateTable("integrations").set({ scope_config_id: "x" });',
        "integrations written outside the store: packages/server/src/domain/campaigns.ts:3: export const c = sql`UPDATE integrations SET state = 'INVALID'`;",
        "integrations written outside the store: packages/server/src/domain/campaigns.ts:4: export const d = (db) => db.deleteFrom('integrations');",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("reports a server source that names the demo HR system, by file name and by line (its connectors live with the demo)", () => {
    const root = mkdtempSync(join(tmpdir(), "relink-architecture-"));
    try {
      mkdirSync(join(root, "packages/server/src/connectors"), { recursive: true });
      writeFileSync(join(root, "packages/server/src/connectors/demo-hris.ts"), "export const x = 1;\n");
      writeFileSync(
        join(root, "packages/server/src/app.ts"),
        'import { x } from "./connectors/demo-hris.ts";\nexport const url = process.env.RELINK_DEMO_HRIS_URL ?? x;\n',
      );
      expect(checkArchitecture(root)).toEqual([
        'the server names the demo: packages/server/src/app.ts:1: import { x } from "./connectors/demo-hris.ts";',
        "the server names the demo: packages/server/src/app.ts:2: export const url = process.env.RELINK_DEMO_HRIS_URL ?? x;",
        "the server names the demo: packages/server/src/connectors/demo-hris.ts",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
