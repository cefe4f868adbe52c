import { defineProject } from "vitest/config";

/**
 * Issue 11's reliability and security suite (test/reliability): faults, crashes, several
 * replicas, hostile input, load. Quick inside `pnpm test`; `pnpm test:reliability` runs it with
 * RELINK_RELIABILITY=full (larger counts, minutes of load).
 */
export default defineProject({
  test: {
    name: "reliability",
    include: ["test/reliability/**/*.test.ts"],
    globalSetup: ["test/reliability/summary-setup.ts"],
    testTimeout: 600_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 120_000,
  },
});
