import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "server",
    include: ["test/**/*.test.ts"],
    exclude: ["test/reliability/**", "**/node_modules/**"],
    // Builds the widget and the dashboard this server serves, when missing or stale.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 120_000,
  },
});
