import { expect, it } from "vitest";
import { commands } from "vitest/browser";

it("the drop-in module stays within 16 KiB gzip, locales split out", async () => {
  const report = await commands.bundleSize();
  console.info(
    `relink-widget.js: ${report.gzipBytes} bytes gzip (budget ${report.budget}); locale chunks: ${JSON.stringify(report.chunks)}`,
  );
  expect(report.gzipBytes).toBeLessThanOrEqual(report.budget);
  const locales = Object.keys(report.chunks).map((file) => /locales\/(\w+)-/.exec(file)?.[1]);
  expect(locales.sort()).toEqual(["de", "es", "fr", "it"]);
}, 60_000);
