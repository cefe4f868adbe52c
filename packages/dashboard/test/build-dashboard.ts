import { ensureWidgetBuilt } from "@relink/widget/build";
import { ensureDashboardBuilt } from "../build.ts";

/**
 * Vitest global setup: builds the dashboard when missing or stale, so that the end-to-end tests
 * drive what the server really serves. The widget too, through its package: `xss.test.ts` drives
 * it on the hosted link page. No network needed.
 */
export default async function setup(): Promise<void> {
  await ensureDashboardBuilt();
  await ensureWidgetBuilt();
}
