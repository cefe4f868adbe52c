import { ensureWidgetBuilt } from "@relink/widget/build";

/** The demo's server serves the widget from its package's build: build it when missing or stale. */
export default async function setup(): Promise<void> {
  await ensureWidgetBuilt();
}
