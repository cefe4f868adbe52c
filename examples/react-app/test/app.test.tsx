import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { build } from "vite";
import { describe, expect, expectTypeOf, it } from "vitest";
import { App } from "../src/app.tsx";
import { RelinkConnect, type RelinkConnectProps } from "../src/relink-connect.tsx";

const root = resolve(import.meta.dirname, "..");

describe("React example", () => {
  it("renders <relink-connect> with the theme and without the token as an attribute", () => {
    const html = renderToString(
      createElement(RelinkConnect, {
        token: "eyJ.secret.token",
        server: "https://relink.example.com",
        theme: { "--relink-accent": "#7c3aed" },
      }),
    );
    expect(html).toContain('<relink-connect server="https://relink.example.com" mode="modal"');
    expect(html).toContain("--relink-accent:#7c3aed");
    expect(html).not.toContain("eyJ.secret.token");
  });

  it("types the widget's events", () => {
    expectTypeOf<Parameters<NonNullable<RelinkConnectProps["onSuccess"]>>[0]>().toEqualTypeOf<{
      integration_id: string;
      flow: "relink" | "connect";
      scope_config_id: string | null;
    }>();
    expectTypeOf<RelinkConnectProps["theme"]>().toExtend<
      Partial<Record<"--relink-accent", string>> | undefined
    >();
  });

  it("renders the page before anything loaded", () => {
    const html = renderToString(createElement(App, { fetchJson: () => new Promise<never>(() => {}) }));
    expect(html).toContain("Loading…");
  });

  it("builds with vite", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "relink-react-"));
    try {
      await build({ root, logLevel: "silent", build: { outDir, emptyOutDir: true } });
      // The entry is the script index.html loads; the widget's later views and locales are chunks beside it.
      const html = readFileSync(join(outDir, "index.html"), "utf8");
      const js = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
      expect(readdirSync(join(outDir, "assets"))).toContain(js);
      const bundle = readFileSync(join(outDir, "assets", js!), "utf8");
      expect(bundle).toContain("relink-connect");
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
