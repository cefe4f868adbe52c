import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "react-app",
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 60_000,
    // expect.poll waits 1 s by default: far too little for a busy machine.
    expect: { poll: { timeout: 30_000 } },
  },
});
