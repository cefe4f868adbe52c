import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SummaryCounts } from "./support.ts";

/**
 * Vitest global setup of the reliability project: starts an empty summary, and prints it once
 * every test has run (each test adds its counts with `report()`).
 */
let file = "";

export function setup(): void {
  const dir = mkdtempSync(join(tmpdir(), "relink-rel-summary-"));
  file = join(dir, "summary.jsonl");
  process.env.RELINK_RELIABILITY_SUMMARY = file;
}

export function teardown(): void {
  if (!existsSync(file)) return;
  const rows = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SummaryCounts & { section: string });
  const sum = (k: keyof Omit<SummaryCounts, "note">) => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
  const replicas = Math.max(0, ...rows.map((r) => r.replicas ?? 0));
  const mode = process.env.RELINK_RELIABILITY === "full" ? "full" : "quick";
  const lines = rows.map(
    (r) =>
      `  ${r.section}: ${Object.entries(r)
        .filter(([k]) => k !== "section")
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
  );
  console.log(
    `\nrelink reliability (${mode}): replicas=${replicas} kills survived=${sum("kills")} events checked=${sum("eventsChecked")} ` +
      `fuzz cases=${sum("fuzzCases")} attacks tried=${sum("attacks")} leaks found=${sum("leaks")}\n${lines.join("\n")}\n`,
  );
  rmSync(join(file, ".."), { recursive: true, force: true });
}
