/**
 * Memory benchmark: resident set size (from /proc) of the relink server process, started on a
 * SQLite database holding the run's integrations (100k; quick: 2k): idle after start-up and a
 * first request, and the peak while autocannon drives `GET /connect/v1/flow`. The baseline is the
 * bare Hono floor process answering the same document, measured the same way.
 *
 *   pnpm exec tsx bench/memory.ts [--quick]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { integrationsFor } from "./connect-api.ts";
import { removeFixtures, startRelink } from "./lib/fixture.ts";
import { measure } from "./lib/load.ts";
import { type Child, startChild } from "./lib/proc.ts";
import { evaluate, type Figure, textTable } from "./lib/report.ts";

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Idle RSS (after `settleMs`), and the peak RSS sampled every 50 ms while the load runs. */
async function profile(child: Child<unknown>, url: string, headers: Record<string, string>, quick: boolean) {
  await fetch(url, { headers }).then((r) => r.arrayBuffer());
  await sleep(quick ? 250 : 3_000);
  const idle = child.rss();
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, child.rss());
  }, 50);
  try {
    await measure({ url, headers, connections: 16, seconds: quick ? 1 : 8 }, 1);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, child.rss());
  return { idle, peak };
}

export async function runMemoryBench({ quick }: { quick: boolean }) {
  const count = integrationsFor(quick);
  const relink = await startRelink(count);
  const dir = mkdtempSync(join(tmpdir(), "relink-bench-mem-"));
  let floor: Child<{ url: string }> | null = null;
  try {
    const token = await relink.token();
    const headers = { authorization: `Bearer ${token}` };
    const ours = await profile(relink.child, `${relink.url}/connect/v1/flow`, headers, quick);
    const body = await (await fetch(`${relink.url}/connect/v1/flow`, { headers })).json();
    writeFileSync(join(dir, "bodies.json"), JSON.stringify({ "/flow": body }));
    floor = startChild<{ url: string }>(join(import.meta.dirname, "lib/floor-process.ts"), [
      join(dir, "bodies.json"),
    ]);
    const floorUrl = (await floor.message((m) => Boolean(m.url))).url;
    const bare = await profile(floor, `${floorUrl}/flow`, {}, quick);
    const note = `${count.toLocaleString("en")} integrations in SQLite`;
    const figures: Figure[] = [
      {
        group: "Memory",
        name: `server RSS idle (${count / 1000}k integrations)`,
        value: ours.idle / MB,
        unit: "MB",
        baseline: { name: "bare Hono", value: bare.idle / MB },
        target: { on: "value", direction: "lower", limit: 300 },
        note,
      },
      {
        group: "Memory",
        name: "server RSS peak under connect API load",
        value: ours.peak / MB,
        unit: "MB",
        baseline: { name: "bare Hono", value: bare.peak / MB },
        target: { on: "value", direction: "lower", limit: 300 },
        note,
      },
    ];
    return { figures, details: { integrations: count, relink: ours, floor: bare } };
  } finally {
    await floor?.stop();
    await relink.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  try {
    const { figures } = await runMemoryBench({ quick: values.quick });
    console.log(textTable(figures.map(evaluate)));
  } finally {
    removeFixtures();
  }
}
