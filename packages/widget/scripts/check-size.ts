/**
 * `pnpm --filter @relink/widget size`: builds `dist/`, prints the gzip size of the drop-in module,
 * what each module weighs in it, the size of each chunk loaded on demand, and fails above the
 * 12 KiB budget.
 */
import { BUDGET_BYTES, buildAndMeasure, moduleTable } from "./bundle-size.ts";

const report = await buildAndMeasure();
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
console.log(
  `relink-widget.js: ${kib(report.gzipBytes)} gzip (${kib(report.rawBytes)} raw), budget ${kib(BUDGET_BYTES)}`,
);
console.log(moduleTable(report));
for (const [file, bytes] of Object.entries(report.chunks).sort())
  console.log(`  ${file}: ${kib(bytes)} gzip, on demand`);
if (report.gzipBytes > BUDGET_BYTES) {
  console.error(`✗ over budget by ${report.gzipBytes - BUDGET_BYTES} bytes`);
  process.exit(1);
}
console.log(`✓ ${BUDGET_BYTES - report.gzipBytes} bytes to spare`);
