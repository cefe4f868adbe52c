import { describe, expect, it } from "vitest";
import { unstorableTextPaths } from "../src/contract/text.ts";

describe("unstorableTextPaths", () => {
  it("finds every NUL and unpaired surrogate, in values and keys, past empty and undefined items", () => {
    const value = {
      ok: "Acme",
      list: ["fine", undefined, null, "a\u0000b", { deep: ["\ud800"] }],
      "bad\u0000key": "x",
      nested: { empty: {}, none: undefined, lone: "\udc00 end", pair: "\ud83d\ude00" },
    };
    // A bad key is reported at its object (the key is no name to show), when the object is visited.
    expect(unstorableTextPaths(value)).toEqual([[], ["list", 3], ["list", 4, "deep", 0], ["nested", "lone"]]);
    expect(unstorableTextPaths([undefined, "x\u0000"])).toEqual([[1]]);
    expect(unstorableTextPaths("\u0000")).toEqual([[]]);
  });

  it("finds nothing in storable text, numbers, booleans and empty containers", () => {
    expect(unstorableTextPaths({ a: "é😀", b: [1, true, null, undefined, {}, []], c: "" })).toEqual([]);
    expect(unstorableTextPaths(undefined)).toEqual([]);
    expect(unstorableTextPaths(42)).toEqual([]);
  });
});
