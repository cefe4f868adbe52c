import { expect, it } from "vitest";
import { commands } from "vitest/browser";

it("the first view (the drop-in module and its static imports) stays within 12 KiB gzip; the later views and the locales split out", async () => {
  const report = await commands.bundleSize();
  console.info(
    `first view ${report.firstView.files.join(" + ")}: ${report.firstView.gzipBytes} bytes gzip (budget ${report.budget}); all files ${report.totalGzipBytes}; chunks: ${JSON.stringify(report.chunks)}`,
  );
  expect(report.budget).toBe(12 * 1024);
  // What the first view needs is the drop-in module alone: it imports no other file statically.
  expect(report.firstView.files).toEqual(["relink-widget.js"]);
  expect(report.firstView.gzipBytes).toBe(report.gzipBytes);
  expect(report.firstView.gzipBytes).toBeLessThanOrEqual(report.budget);
  // The intro is in it; the views after it are not.
  const entry = report.modules.filter((m) => m.file === "relink-widget.js").map((m) => m.module);
  expect(entry).toContain("widget/src/relink-connect/views/intro.ts");
  expect(
    entry.filter((m) => /views\/(credentials|permissions|tool|error|outcome|handoff|oauth)\.ts$/.test(m)),
  ).toEqual([]);
  // No schema library and no SDK code anywhere in the widget: it needs the contract's types only.
  expect(report.modules.filter((m) => /^zod\b|^@relink\/sdk$/.test(m.group)).map((m) => m.module)).toEqual(
    [],
  );
  const locales = Object.keys(report.chunks).map((file) => /locales\/(\w+)-/.exec(file)?.[1]);
  expect(locales.filter(Boolean).sort()).toEqual(["da", "de", "es", "fr", "it", "ja", "nl", "pl", "sv"]);
  // Every later view comes in one chunk, fetched once the intro has rendered.
  expect(Object.keys(report.chunks).filter((file) => file.startsWith("chunks/"))).toEqual([
    expect.stringMatching(/^chunks\/steps-[\w-]+\.js$/),
  ]);
  expect(report.totalGzipBytes).toBe(
    report.gzipBytes + Object.values(report.chunks).reduce((sum, bytes) => sum + bytes, 0),
  );
}, 120_000);
