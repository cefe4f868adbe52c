import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * `pnpm --filter @relink/example-react-app dev` next to `pnpm demo`: the page's `/api` calls go to
 * the demo's customer backend (CUSTOMER_BACKEND_URL, default http://127.0.0.1:8788), which mints
 * the flow tokens. Add this page's origin (http://127.0.0.1:5173) to the workspace's allowed origins.
 */
export default defineConfig({
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    proxy: { "/api": process.env.CUSTOMER_BACKEND_URL ?? "http://127.0.0.1:8788" },
  },
  build: { target: "es2022" },
});
