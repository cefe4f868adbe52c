import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "build-once",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
  },
});
