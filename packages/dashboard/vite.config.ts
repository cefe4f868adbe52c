import { defineConfig } from "vite";

/**
 * The dashboard SPA, served by the relink server at `/dashboard/` from `dist/`. `pnpm dev` proxies
 * the API to a server on 8787 (`pnpm start` at the root).
 */
export default defineConfig({
  base: "/dashboard/",
  // Lit's production build whatever NODE_ENV says: the test projects build the dashboard from
  // inside Vitest (NODE_ENV=test), and the consumer tests pack that very build.
  resolve: { conditions: ["module", "browser", "production"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The polyfill would be an inline-free module too, but every browser we target has modulepreload.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/v1": "http://127.0.0.1:8787", "/link": "http://127.0.0.1:8787" },
  },
});
