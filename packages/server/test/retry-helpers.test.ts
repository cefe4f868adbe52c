import { describe, expect, it } from "vitest";
import { retryAfterMs } from "../src/connectors/http.ts";
import { retryDelayMs } from "../src/domain/sync-apply.ts";

// The server's two waits before trying a tool again, pinned before they moved onto the SDK's one
// `Retry-After` parser and one backoff (`@relink/sdk/retry`).

describe("retryAfterMs: a tool's Retry-After, in milliseconds", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay-seconds and HTTP dates", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("0", now)).toBe(0);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
  });

  it("reads a date already past as 0, as it reads Retry-After: 0 (try again now)", () => {
    expect(retryAfterMs("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });

  it("caps the wait at one hour", () => {
    expect(retryAfterMs("7200", now)).toBe(3_600_000);
    expect(retryAfterMs("Fri, 02 Jan 2026 00:00:00 GMT", now)).toBe(3_600_000);
  });

  it("gives undefined for nothing, nonsense and negative numbers", () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("", now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-5", now)).toBeUndefined();
    expect(retryAfterMs("1.5", now)).toBeUndefined();
  });
});

describe("retryDelayMs: the scheduler's wait after an inconclusive attempt", () => {
  const HOUR = 3_600_000;

  it("doubles from 1/16 of the interval, capped at the interval", () => {
    expect([0, 1, 2, 3, 4, 5, 60].map((attempt) => retryDelayMs(attempt, 3 * HOUR))).toEqual([
      60_000,
      120_000,
      240_000,
      480_000,
      960_000,
      1_920_000,
      3 * HOUR,
    ]);
    expect([0, 1, 2, 4, 5].map((attempt) => retryDelayMs(attempt, 160_000))).toEqual([
      10_000, 20_000, 40_000, 160_000, 160_000,
    ]);
    expect(retryDelayMs(0, 10)).toBe(1);
  });

  it("honours a longer Retry-After, up to a day, never a shorter one", () => {
    expect(retryDelayMs(0, 3 * HOUR, 10 * 60_000)).toBe(10 * 60_000);
    expect(retryDelayMs(0, 3 * HOUR, 1_000)).toBe(60_000);
    expect(retryDelayMs(0, 3 * HOUR, 3 * 24 * HOUR)).toBe(24 * HOUR);
  });
});
