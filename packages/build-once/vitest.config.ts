import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "build-once",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
  },
});
