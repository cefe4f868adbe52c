/**
 * `pnpm --filter @relink/widget size`: builds `dist/`, prints the gzip size of the first view (the
 * drop-in module and what it imports statically), what each package and module weighs in it, the
 * size of each file loaded on demand, and fails above the 12 KiB budget.
 */
import { BUDGET_BYTES, buildAndMeasure, moduleTable } from "./bundle-size.ts";

const report = await buildAndMeasure();
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
const first = report.firstView;
console.log(
  `first view (${first.files.join(" + ")}): ${kib(first.gzipBytes)} gzip (${kib(first.rawBytes)} raw), budget ${kib(BUDGET_BYTES)}`,
);
console.log(moduleTable(report));
for (const [file, bytes] of Object.entries(report.chunks).sort()) {
  if (!first.files.includes(file)) console.log(`  ${file}: ${kib(bytes)} gzip, on demand`);
}
console.log(`all files: ${kib(report.totalGzipBytes)} gzip`);
if (first.gzipBytes > BUDGET_BYTES) {
  console.error(`✗ over budget by ${first.gzipBytes - BUDGET_BYTES} bytes`);
  process.exit(1);
}
console.log(`✓ ${BUDGET_BYTES - first.gzipBytes} bytes to spare`);
