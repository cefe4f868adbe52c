import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeRandom, idFloor, newId } from "../src/ids.ts";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** The 80 bits as one BigInt, 5 bits per character from the top: the encoding's definition. */
function reference(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

describe("ids", () => {
  it("encode the 80 random bits as the big-number definition does", () => {
    const cases = [
      new Uint8Array(10),
      new Uint8Array(10).fill(255),
      Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ];
    for (let i = 0; i < 2_000; i++) cases.push(randomBytes(10));
    for (const bytes of cases) expect(encodeRandom(bytes)).toBe(reference(bytes));
    expect(encodeRandom(new Uint8Array(10).fill(255))).toBe("z".repeat(16));
  });

  it("sort by creation within a millisecond and above the floor of their time", () => {
    const ms = Date.parse("2026-12-01T00:00:00.000Z");
    const ids = Array.from({ length: 500 }, () => newId("tst", ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^tst_[0-9a-hjkmnp-tv-z]{26}$/);
      expect(id >= idFloor("tst", ms)).toBe(true);
      expect(id < idFloor("tst", ms + 1)).toBe(true);
    }
  });

  it("stay sorted within a millisecond while other ids draw new random bits (their pool refilled)", () => {
    const ms = Date.parse("2026-12-02T00:00:00.000Z");
    let at = ms;
    for (let k = 0; k < 20; k++) {
      const prefix = `ts${String.fromCharCode(97 + k)}`;
      const first = newId(prefix, ms);
      // Each at a new millisecond: new random bits each, more than a pool's worth.
      const others = Array.from({ length: 300 }, () => newId("tsz", ++at + 1));
      expect(new Set(others.map((id) => id.slice(14))).size).toBe(others.length);
      const second = newId(prefix, ms);
      expect(second > first).toBe(true);
      expect(second < idFloor(prefix, ms + 1)).toBe(true);
    }
  });
});
