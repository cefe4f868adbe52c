import { defineConfig } from "vite";

/** The drop-in module: `dist/relink-widget.js`, Lit included. */
export default defineConfig({
  build: {
    lib: { entry: "src/define.ts", formats: ["es"], fileName: () => "relink-widget.js" },
    target: "es2022",
    minify: true,
    reportCompressedSize: true,
  },
});
