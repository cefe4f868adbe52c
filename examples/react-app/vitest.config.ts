import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "react-app",
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 60_000,
  },
});
