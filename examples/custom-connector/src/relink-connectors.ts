/**
 * Staffbook as a connector module: what a standalone relink server (`relink-server serve`, the
 * Docker image) loads when `RELINK_CONNECTOR_MODULES` names this file or its package export
 * (`@relink/example-custom-connector/relink-connectors`). docs/connectors.md shows it.
 */
// #region module
import type { Connector, ConnectorModuleContext } from "@relink/server";
import { staffbookConnector } from "./connector.ts";

/** RELINK_CONNECTOR_MODULES=my-connectors: relink calls this once at start, with its environment. */
export default function connectors({ env }: ConnectorModuleContext): Connector[] {
  const baseUrl = env.STAFFBOOK_URL;
  if (!baseUrl) throw new Error("STAFFBOOK_URL is not set"); // stops the start, naming this module
  return [staffbookConnector({ baseUrl })];
}
// #endregion module
