/**
 * Node side, for whoever serves the dashboard (the relink server): where this package's build is
 * (`index.html` and `assets/`), written by `pnpm --filter @relink/dashboard build` (or `./build`).
 */
export const dashboardDistDir = new URL("./dist/", import.meta.url);
