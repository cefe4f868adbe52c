import { ensureWidgetBuilt } from "@relink/widget/build";

/** The example page loads the widget from relink, which serves its package's build: build it when missing or stale. */
export default async function setup(): Promise<void> {
  await ensureWidgetBuilt();
}
