import { demoHrisConnector } from "@relink/demo-hris/connectors";
import type { ScopeConfigModels, Setting } from "@relink/sdk/contract";
import { scopePermissions } from "@relink/server/testing";
import { describe, expect, it } from "vitest";
import { timeline } from "../src/components/timeline-geometry.ts";
import { authHealth, duration } from "../src/format.ts";
import { diffPermissions, impliedPermissions } from "../src/scope.ts";

const HOUR = 3_600_000;
const now = Date.parse("2026-11-28T12:00:00.000Z");
const auth = {
  status: "OK" as const,
  failing_since: null,
  last_checked_at: new Date(now - 5 * 60_000).toISOString(),
  last_succeeded_at: null,
  failed_checks: 0,
  pauses_at: null,
};

describe("auth health in words", () => {
  it("says healthy, failing with the time left, paused since, or inactive", () => {
    expect(authHealth({ state: "ACTIVE", auth }, now)).toEqual({
      text: "Healthy · checked 5 min ago",
      tone: "ok",
    });
    const failing = {
      ...auth,
      status: "FAILING" as const,
      failing_since: new Date(now - 30 * HOUR).toISOString(),
      pauses_at: new Date(now + 42 * HOUR).toISOString(),
    };
    const text = authHealth({ state: "ACTIVE", auth: failing }, now).text;
    expect(text).toMatch(/^Failing since .+ · pauses in 1 day 18 h$/);
    expect(
      authHealth({ state: "ACTIVE", auth: { ...failing, pauses_at: new Date(now - 1).toISOString() } }, now)
        .text,
    ).toMatch(/pauses at the next failed check/);
    expect(
      authHealth({ state: "INVALID", auth: failing }, now, new Date(now - 2 * HOUR).toISOString()).text,
    ).toMatch(/^Paused since .+ \(2 h ago\)$/);
    expect(authHealth({ state: "INACTIVE", auth: failing }, now).tone).toBe("muted");
    expect(
      authHealth({ state: "ACTIVE", auth: { ...auth, status: "UNKNOWN", last_checked_at: null } }, now).text,
    ).toBe("Not checked yet");
  });

  it("rounds durations without ever saying 60 minutes or 24 hours", () => {
    expect(duration(12_400)).toBe("12 s");
    expect(duration(3 * HOUR - 20_000)).toBe("3 h");
    expect(duration(2 * HOUR + 59.6 * 60_000)).toBe("3 h");
    expect(duration(7 * 24 * HOUR - 60_000)).toBe("7 days");
    expect(duration(25 * HOUR)).toBe("1 day 1 h");
  });
});

describe("permissions a scope config implies", () => {
  const tool = demoHrisConnector({ baseUrl: "http://127.0.0.1:1" }).tool;
  const settings: Setting[] = ["ENABLED", "OPTIONAL", "DISABLED"];

  it("matches the server's own computation for many configs", () => {
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return items[seed % items.length] as T;
    };
    for (let round = 0; round < 300; round++) {
      const models: ScopeConfigModels = {};
      for (const model of tool.models) {
        if (pick([true, false, false])) continue; // left out = disabled
        const fields: Record<string, Setting> = {};
        for (const field of model.fields) if (pick([true, false])) fields[field.id] = pick(settings);
        models[model.id] = { setting: pick(settings), ...(Object.keys(fields).length ? { fields } : {}) };
      }
      expect(impliedPermissions(tool, models), JSON.stringify(models)).toEqual(
        scopePermissions(tool, models),
      );
    }
  });

  it("diffs what a relink adds and removes", () => {
    expect(diffPermissions(["a", "b"], ["b", "c"])).toEqual({ added: ["c"], removed: ["a"], kept: ["b"] });
  });
});

describe("auth-health timeline geometry", () => {
  it("spans the history (at most a week), shades the open streak, marks the pause", () => {
    const checks = [
      { outcome: "OK" as const, checked_at: new Date(now - 20 * 24 * HOUR).toISOString() },
      { outcome: "OK" as const, checked_at: new Date(now - 90 * HOUR).toISOString() },
      { outcome: "AUTH_FAILED" as const, checked_at: new Date(now - 80 * HOUR).toISOString() },
      { outcome: "INCONCLUSIVE" as const, checked_at: new Date(now - 40 * HOUR).toISOString() },
      { outcome: "AUTH_FAILED" as const, checked_at: new Date(now - 8 * HOUR).toISOString() },
    ];
    const t = timeline({
      checks,
      failingSince: new Date(now - 80 * HOUR).toISOString(),
      pausedAt: new Date(now - 8 * HOUR).toISOString(),
      pausesAt: null,
      now,
    });
    expect(t.end - t.start).toBeLessThanOrEqual(7 * 24 * HOUR * 1.1);
    expect(t.checks).toHaveLength(4); // the one of 20 days ago is outside the window
    expect(t.counts).toEqual({ OK: 1, AUTH_FAILED: 2, INCONCLUSIVE: 1 });
    expect(t.streak).toEqual({ from: now - 80 * HOUR, to: now });
    expect(t.pausedAt).toBe(now - 8 * HOUR);
    expect(t.pastStreaks).toEqual([]);

    // A streak that an OK check closed is kept, to be shaded lighter.
    const recovered = timeline({
      checks: [
        { outcome: "AUTH_FAILED", checked_at: new Date(now - 50 * HOUR).toISOString() },
        { outcome: "INCONCLUSIVE", checked_at: new Date(now - 45 * HOUR).toISOString() },
        { outcome: "AUTH_FAILED", checked_at: new Date(now - 40 * HOUR).toISOString() },
        { outcome: "OK", checked_at: new Date(now - 30 * HOUR).toISOString() },
      ],
      failingSince: null,
      pausedAt: null,
      pausesAt: null,
      now,
    });
    expect(recovered.pastStreaks).toEqual([{ from: now - 50 * HOUR, to: now - 30 * HOUR }]);
    expect(recovered.streak).toBeNull();

    // A demo running in seconds gets a window of seconds, and the coming pause is inside it.
    const fast = timeline({
      checks: [{ outcome: "AUTH_FAILED", checked_at: new Date(now - 2000).toISOString() }],
      failingSince: new Date(now - 2000).toISOString(),
      pausedAt: null,
      pausesAt: new Date(now + 1000).toISOString(),
      now,
    });
    expect(fast.end - fast.start).toBeLessThan(5 * 60_000);
    expect(fast.pausesAt).toBe(now + 1000);
  });
});
