import { defineConfig } from "vite";
import { minifyTemplates } from "./scripts/minify-templates.ts";

/**
 * The drop-in module: `dist/relink-widget.js`, Lit and English included; the other locales are
 * separate chunks loaded on demand. No hashes depend on anything but the sources, so the build is
 * deterministic and needs no network.
 */
export default defineConfig({
  plugins: [minifyTemplates()],
  // Lit's production build whatever NODE_ENV says (the size test builds from inside Vitest).
  resolve: { conditions: ["module", "browser", "production"] },
  build: {
    lib: { entry: "src/index.ts", formats: ["es"], fileName: () => "relink-widget.js" },
    target: "es2022",
    minify: "oxc",
    reportCompressedSize: true,
    rolldownOptions: {
      // Library mode keeps ES output readable; the drop-in file is for browsers, so minify it whole.
      output: { minify: true, chunkFileNames: "locales/[name]-[hash].js" },
    },
  },
});
