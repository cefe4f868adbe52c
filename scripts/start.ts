/**
 * `pnpm start`: the demo (`scripts/demo.ts`): the demo HR system, relink on SQLite with demo
 * settings, the example product, everything seeded; URLs and a first API key printed.
 */
import "./demo.ts";
