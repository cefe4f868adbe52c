import { ensureDashboardBuilt } from "@relink/dashboard/build";
import { ensureWidgetBuilt } from "@relink/widget/build";

/**
 * The server serves the widget (`/widget/…`, the hosted page) and the dashboard from their
 * packages' builds: build them when missing or older than their sources, so this project passes
 * on its own on a fresh clone.
 */
export default async function setup(): Promise<void> {
  await ensureWidgetBuilt();
  await ensureDashboardBuilt();
}
