import { defineProject } from "vitest/config";

/**
 * Unit tests of the dashboard's pure logic, and end-to-end tests that drive the built dashboard in
 * the system Chromium against a real server. The global setup builds `dist/` first.
 */
export default defineProject({
  test: {
    name: "dashboard",
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build-dashboard.ts"],
    testTimeout: 180_000, // long browser flows: minutes on a busy machine
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 120_000,
  },
});
