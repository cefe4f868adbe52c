import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "consumers",
    include: ["test/**/*.test.ts"],
    // Builds the packages, packs them and installs the tarballs with npm into a project outside
    // the workspace, once per set of sources (under a lock), then hands its folder to the tests.
    // A setup file rather than a global setup: global setups run one after another before any
    // test, so the other projects would wait minutes for this one.
    setupFiles: ["test/setup.ts"],
    // Each file starts its own packed server (and some a browser): one at a time on small machines.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
