import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "demo-hris",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 120_000,
  },
});
