import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkArchitecture } from "../../../scripts/check-architecture.ts";

/** `pnpm check:architecture` run on the repository itself: its rules hold today. */
describe("the repository's architecture", () => {
  it("the repository has no runtime import cycle, no HTTP in the domain, no file over 500 lines and no ../../../ path", () => {
    expect(checkArchitecture(resolve(import.meta.dirname, "../../.."))).toEqual([]);
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
