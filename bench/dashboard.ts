/**
 * Dashboard benchmark: with 100k integrations on SQLite, the server time of the integrations list's
 * first page and of the counts per state, and the time until Chromium shows the first rows and the
 * counts. Target: within a second.
 *
 *   pnpm exec tsx bench/dashboard.ts [--integrations 100000] [--runs 20]
 */
import { parseArgs } from "node:util";
import setup from "../packages/dashboard/test/build-dashboard.ts";
import { launchChromium, signIn } from "../packages/dashboard/test/support/browser.ts";
import { startStack } from "../packages/dashboard/test/support/stack.ts";
import type { NewIntegration } from "../packages/server/src/db/schema.ts";
import { newId } from "../packages/server/src/ids.ts";

const { values } = parseArgs({
  options: {
    integrations: { type: "string", default: "100000" },
    runs: { type: "string", default: "20" },
  },
});
const COUNT = Number(values.integrations);
const RUNS = Number(values.runs);
const BATCH = 1000; // 27 columns × 1000 rows stays under SQLite's 32,766 bound parameters

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

await setup();
const stack = await startStack();
const db = stack.server.relink.ctx.db;

// Seed: 100k integrations in batches, one transaction each, as an import would have left them.
const seedStarted = performance.now();
const now = Date.now();
const sealed = stack.server.relink.ctx.secrets.sealJson({ api_key: "bench" }, "bench");
for (let offset = 0; offset < COUNT; offset += BATCH) {
  const rows: NewIntegration[] = [];
  for (let i = offset; i < Math.min(COUNT, offset + BATCH); i++) {
    const roll = i % 100;
    const state = roll < 7 ? "INVALID" : roll < 10 ? "INACTIVE" : "ACTIVE";
    const failing = state === "INVALID" || (state === "ACTIVE" && roll < 15);
    const at = new Date(now - (COUNT - i) * 1000).toISOString();
    rows.push({
      id: newId("int", now - (COUNT - i) * 1000),
      workspace_id: stack.workspaceId,
      tool: "demo-hris",
      category: "HRIS",
      end_user_origin_id: `org-${i}`,
      end_user_organization_name: `Organisation ${i.toString().padStart(6, "0")}`,
      end_user_email: null,
      credentials_sealed: sealed,
      account_id: "acme",
      scope_config_id: null,
      state,
      failing_since: failing ? new Date(now - ((i % 72) + 1) * 3_600_000).toISOString() : null,
      failed_checks: failing ? (i % 20) + 1 : 0,
      last_checked_at: at,
      last_succeeded_at: failing ? null : at,
      next_sync_at: state === "ACTIVE" ? new Date(now + 3 * 3_600_000 + i).toISOString() : null,
      sync_interval_ms: null,
      retry_attempt: 0,
      lease_owner: null,
      lease_expires_at: null,
      granted_permissions: JSON.stringify(["employees:read"]),
      missing_permissions: "[]",
      opted_out: "[]",
      last_sync_id: null,
      created_at: at,
      updated_at: at,
    });
  }
  await db.transaction().execute((trx) => trx.insertInto("integrations").values(rows).execute());
}
console.log(`seeded ${COUNT.toLocaleString()} integrations in ${ms(performance.now() - seedStarted)}`);

async function time(path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(stack.url + path, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return performance.now() - started;
}

const results: Array<{ what: string; median: number; p95: number; max: number }> = [];
const endpoints: Array<[string, string]> = [
  ["first page (50, newest first)", "/v1/integrations?limit=50"],
  ["counts per state", "/v1/integrations/stats"],
  ["first page, paused (state=INVALID)", "/v1/integrations?limit=50&state=INVALID"],
  ["first page, failing (auth_status=FAILING)", "/v1/integrations?limit=50&auth_status=FAILING"],
  ["search (q=organisation 0999, scans)", "/v1/integrations?limit=50&q=organisation%200999"],
  ["paused-since of a page", ""],
];
const pausedIds = (
  await db.selectFrom("integrations").select("id").where("state", "=", "INVALID").limit(50).execute()
).map((r) => r.id);
endpoints[5] = ["paused-since of 50 paused rows", `/v1/integrations/pauses?ids=${pausedIds.join(",")}`];

for (const [what, path] of endpoints) {
  await time(path); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await time(path));
  results.push({ what: `server: ${what}`, ...stats(samples) });
}
// What the list page asks for at once: page and counts in parallel.
{
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await Promise.all([time("/v1/integrations?limit=50"), time("/v1/integrations/stats")]);
    samples.push(performance.now() - started);
  }
  results.push({ what: "server: first page + counts, in parallel", ...stats(samples) });
}

// Chromium: from the Sign-in click (and from a click on "Integrations") to 50 rows and the counts shown.
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const rendered = () =>
    page.waitForFunction(
      () => {
        const app = document.querySelector("relink-dashboard")?.shadowRoot;
        const list = app?.querySelector("relink-integrations-list")?.shadowRoot;
        const rows = list?.querySelectorAll("tbody tr").length ?? 0;
        const total = list?.querySelector(".counts .n")?.textContent ?? "…";
        return rows === 50 && total !== "…";
      },
      undefined,
      { polling: "raf" },
    );
  const signInSamples: number[] = [];
  const navSamples: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 10); i++) {
    await page.goto(`${stack.url}/dashboard/`);
    await page.getByLabel("API key").fill(stack.apiKey);
    const started = performance.now();
    await page.getByRole("button", { name: "Sign in" }).click();
    await rendered();
    signInSamples.push(performance.now() - started);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    const again = performance.now();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Integrations" }).click();
    await rendered();
    navSamples.push(performance.now() - again);
  }
  results.push({ what: "chromium: sign-in click → 50 rows + counts rendered", ...stats(signInSamples) });
  results.push({ what: "chromium: nav click → 50 rows + counts rendered", ...stats(navSamples) });
  // A cold load as well: page load, sign-in, render.
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const fresh = await browser.newPage();
    const started = performance.now();
    await signIn(fresh, stack.url, stack.apiKey);
    await fresh.waitForFunction(() => {
      const list = document
        .querySelector("relink-dashboard")
        ?.shadowRoot?.querySelector("relink-integrations-list")?.shadowRoot;
      return (list?.querySelectorAll("tbody tr").length ?? 0) === 50;
    });
    cold.push(performance.now() - started);
    await fresh.close();
  }
  results.push({ what: "chromium: cold page load + sign-in → rows (incl. typing)", ...stats(cold) });
} finally {
  await browser.close();
  await stack.close();
}

console.log(
  `\nDashboard with ${COUNT.toLocaleString()} integrations on SQLite (${RUNS} runs; loopback HTTP):`,
);
const width = Math.max(...results.map((r) => r.what.length));
console.log(`${"".padEnd(width)}  ${"median".padStart(10)}  ${"p95".padStart(10)}  ${"max".padStart(10)}`);
for (const r of results) {
  console.log(
    `${r.what.padEnd(width)}  ${ms(r.median).padStart(10)}  ${ms(r.p95).padStart(10)}  ${ms(r.max).padStart(10)}`,
  );
}
const worst = Math.max(
  ...results.filter((r) => !r.what.includes("cold") && !r.what.includes("search")).map((r) => r.p95),
);
console.log(
  `\ntarget: first page and counts rendered within 1000 ms → ${worst < 1000 ? "met" : "MISSED"} (worst p95 ${ms(worst)})`,
);
