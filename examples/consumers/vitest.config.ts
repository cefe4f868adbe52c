import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "consumers",
    include: ["test/**/*.test.ts"],
    // Builds the packages, packs them and installs the tarballs with npm into a project outside
    // the workspace, once per set of sources (under a lock), then hands its folder to the tests.
    globalSetup: ["test/global-setup.ts"],
    // Each file starts its own packed server (and some a browser): one at a time on small machines.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
