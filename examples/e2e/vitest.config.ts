import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "e2e",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 180_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 300_000,
    // One demo, one browser: the tests of this project tell one story in order.
    sequence: { concurrent: false },
  },
});
