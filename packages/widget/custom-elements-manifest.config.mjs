/** `pnpm --filter @relink/widget analyze`: the Custom Elements Manifest, from the class doc comment. */
export default {
  globs: ["src/**/*.ts"],
  exclude: ["src/locales/**"],
  outdir: ".",
  litelement: true,
  plugins: [
    {
      name: "relink-events-from-doc-only",
      // Events are documented with @fires; the one generic dispatch helper is not an event.
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const declaration of mod.declarations ?? []) {
            if (declaration.events)
              declaration.events = declaration.events.filter((e) => e.name.startsWith("relink-"));
          }
        }
      },
    },
  ],
};
