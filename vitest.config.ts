import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "examples/*/vitest.config.ts",
      "docs/vitest.config.ts",
      "bench/vitest.config.ts",
      "packages/server/vitest.reliability.config.ts",
    ],
    // Vitest's default is one worker fewer than the cores: a single worker on two cores, where
    // most test files spend their time waiting on child processes, sockets and Chromium. Two at
    // least; every test waits on conditions, never on a fixed time, so sharing cores makes them
    // slower, not red (scripts/test-under-load.sh).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
