import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "../src/retry.ts";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay-seconds and HTTP dates, in milliseconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
  });

  it("gives 0 for a date already past, and undefined for nothing or nonsense", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it('takes no number but whole seconds for a date (Date.parse reads "1.5" or "-5" as years long past)', () => {
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("0.5", now)).toBeUndefined();
    expect(parseRetryAfter(" 10 ", now)).toBe(10_000);
    expect(parseRetryAfter("Sunday, 01-Jan-26 00:00:10 GMT", now)).toBe(10_000);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the cap, without jitter", () => {
    const steps = [0, 1, 2, 3, 4, 5].map((attempt) =>
      backoffDelay(attempt, { baseMs: 500, maxMs: 8_000, jitter: "none" }),
    );
    expect(steps).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(backoffDelay(10_000, { baseMs: 1, maxMs: 60_000, jitter: "none" })).toBe(60_000);
  });

  it("with equal jitter, waits in the upper half of each step", () => {
    const options = { baseMs: 1_000, maxMs: 8_000 };
    expect(backoffDelay(1, { ...options, random: () => 0 })).toBe(1_000);
    expect(backoffDelay(1, { ...options, random: () => 1 })).toBe(2_000);
    expect(backoffDelay(1, { ...options, random: () => 0.5 })).toBe(1_500);
  });
});
