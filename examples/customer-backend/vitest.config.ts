import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "customer-backend",
    include: ["test/**/*.test.ts"],
    // The page loads the widget from relink: build it when missing or stale.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000, // browser flows through the example app
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 120_000,
  },
});
