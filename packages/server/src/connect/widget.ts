import { fileURLToPath } from "node:url";
import { widgetFile, widgetVersion } from "@relink/widget/paths";

/**
 * The widget, as its package exports it (`@relink/widget/paths`): the drop-in module built by
 * `pnpm --filter @relink/widget build`, its locale chunks in `locales/` beside it.
 */
export const WIDGET_FILE = fileURLToPath(widgetFile);

/** The widget package's version: it names the immutable URL `/widget/v<version>/relink-widget.js`. */
export const WIDGET_VERSION = widgetVersion;

/** Where this server serves the widget for good (cached immutably): the hosted page loads it. */
export const WIDGET_SCRIPT_PATH = `/widget/v${WIDGET_VERSION}/relink-widget.js`;
