import { defineConfig } from "vite";
import { minifyTemplates } from "./scripts/minify-templates.ts";

/**
 * The drop-in module: `dist/relink-widget.js` — Lit, the frame, the intro and its English; the
 * views after the intro (`chunks/steps-*.js`) and the other locales (`locales/*.js`) are separate
 * chunks loaded on demand. No hashes depend on anything but the sources, so the build is
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
      // What the entry and a lazy chunk share (Lit, the shell) stays in the entry, which may then
      // export more than `src/index.ts` does: no third, shared chunk before the first paint.
      preserveEntrySignatures: "allow-extension",
      // Library mode keeps ES output readable; the drop-in file is for browsers, so minify it whole.
      output: {
        minify: true,
        comments: false,
        // Locales in `locales/`, the later views in `chunks/`: both beside the drop-in module.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => id.includes("/src/locales/")) && chunk.name !== "steps"
            ? "locales/[name]-[hash].js"
            : "chunks/[name]-[hash].js",
      },
    },
  },
});
