import { expect, it } from "vitest";
import { commands } from "vitest/browser";

it("the drop-in module stays within 12 KiB gzip, the views and the locales split out", async () => {
  const report = await commands.bundleSize();
  console.info(
    `relink-widget.js: ${report.gzipBytes} bytes gzip (budget ${report.budget}); chunks: ${JSON.stringify(report.chunks)}`,
  );
  expect(report.budget).toBe(12 * 1024);
  expect(report.gzipBytes).toBeLessThanOrEqual(report.budget);
  const locales = Object.keys(report.chunks).map((file) => /locales\/(\w+)-/.exec(file)?.[1]);
  expect(locales.filter(Boolean).sort()).toEqual(["da", "de", "es", "fr", "it", "ja", "nl", "pl", "sv"]);
  // Every view comes in one chunk, requested beside the flow.
  expect(Object.keys(report.chunks).filter((file) => file.startsWith("chunks/"))).toEqual([
    expect.stringMatching(/^chunks\/steps-[\w-]+\.js$/),
  ]);
}, 60_000);
