import { describe, expect, it } from "vitest";
import { cyclesOf, importsOf } from "../../../scripts/check-architecture.ts";

/** `pnpm check:architecture` counts runtime imports only and finds every cycle. */
describe("the architecture check", () => {
  it("tells imports erased at runtime from runtime ones", () => {
    const source = [
      'import type { A } from "./a.ts";',
      'import { type B, type C } from "./b.ts";',
      'import { type D, e } from "./d.ts";',
      'import "./side.ts";',
      'export type { X } from "./x.ts";',
      'export * from "./y.ts";',
      'const z = await import("./dynamic.ts");',
    ].join("\n");
    expect(importsOf("m.ts", source)).toEqual([
      { specifier: "./a.ts", typeOnly: true },
      { specifier: "./b.ts", typeOnly: true },
      { specifier: "./d.ts", typeOnly: false },
      { specifier: "./side.ts", typeOnly: false },
      { specifier: "./x.ts", typeOnly: true },
      { specifier: "./y.ts", typeOnly: false },
    ]);
  });

  it("finds loops of several modules and a module importing itself, not chains into a loop", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
      ["e", ["e"]],
      ["f", []],
    ]);
    expect(cyclesOf(graph)).toEqual([["a", "b", "c"], ["e"]]);
  });
});
