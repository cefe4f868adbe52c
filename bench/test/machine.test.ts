import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { machine, markdown, memoryReclaim, type Report } from "../lib/report.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A DAMON admin tree (the kernel's sysfs layout) with one daemon, one context, the given schemes. */
function damonTree(state: string, schemes: Array<{ action: string; ageMin: number }>): string {
  const root = mkdtempSync(join(tmpdir(), "relink-damon-"));
  roots.push(root);
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  };
  file("kdamonds/nr_kdamonds", "1");
  file("kdamonds/0/state", state);
  const ctx = "kdamonds/0/contexts/0";
  file(`${ctx}/monitoring_attrs/intervals/aggr_us`, "5000000");
  file(`${ctx}/schemes/nr_schemes`, String(schemes.length));
  schemes.forEach((scheme, i) => {
    file(`${ctx}/schemes/${i}/action`, scheme.action);
    file(`${ctx}/schemes/${i}/access_pattern/age/min`, String(scheme.ageMin));
    file(`${ctx}/schemes/${i}/quotas/bytes`, "134217728");
    file(`${ctx}/schemes/${i}/quotas/reset_interval_ms`, "1000");
  });
  return root;
}

describe("the machine's memory reclaim in the report", () => {
  it("names a running DAMON pageout scheme: its idle age and its quota", () => {
    const root = damonTree("on", [
      { action: "stat", ageMin: 1 },
      { action: "pageout", ageMin: 12 },
    ]);
    expect(memoryReclaim(root)).toBe(
      "the kernel pages out memory idle for 60 s or more, the page cache's included (DAMON `pageout`, up to 128 MiB every 1 s)",
    );
  });

  it("says nothing when the daemon is off, has no pageout scheme, or there is no DAMON", () => {
    expect(memoryReclaim(damonTree("off", [{ action: "pageout", ageMin: 12 }]))).toBeUndefined();
    expect(memoryReclaim(damonTree("on", [{ action: "stat", ageMin: 12 }]))).toBeUndefined();
    expect(memoryReclaim(join(tmpdir(), "no-such-damon-admin"))).toBeUndefined();
  });

  it("puts it among the machine's lines of the Markdown summary", () => {
    const base: Report = {
      date: "2026-12-02T10:36:16.000Z",
      quick: true,
      machine: { ...machine(), memoryReclaim: "the kernel pages out memory idle for 60 s or more" },
      durationSeconds: 1,
      figures: [],
      errors: [],
      details: {},
    };
    expect(markdown(base, "", "")).toContain(
      "- Memory: the kernel pages out memory idle for 60 s or more: files a run touches less often than that are read from the disk again",
    );
    const { memoryReclaim: _none, ...without } = base.machine;
    expect(markdown({ ...base, machine: without }, "", "")).not.toContain("- Memory:");
  });
});
