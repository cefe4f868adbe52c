import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkArchitecture } from "../../../scripts/check-architecture.ts";

/** `pnpm check:architecture` run on the repository itself: its rules hold today. */
describe("the repository's architecture", () => {
  it("the repository has no runtime import cycle, no HTTP in the domain, no file over 500 lines and no ../../../ path", () => {
    expect(checkArchitecture(resolve(import.meta.dirname, "../../.."))).toEqual([]);
  });
});
