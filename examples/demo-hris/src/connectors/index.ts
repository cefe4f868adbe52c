import type { Connector } from "@relink/server/connectors";
import { demoHrisConnector } from "./demo-hris.ts";
import { demoHrisOAuthConnector } from "./demo-hris-oauth.ts";

export * from "./demo-hris.ts";
export * from "./demo-hris-oauth.ts";

/**
 * The demo HR system's two tools (`demo-hris`, API keys; `demo-hris-oauth`, OAuth) at `baseUrl`,
 * as the server registers them when `RELINK_DEMO_HRIS_URL` is set.
 */
export function demoHrisConnectors(baseUrl: string, now: () => number = Date.now): Connector[] {
  return [
    demoHrisConnector({ baseUrl }),
    demoHrisOAuthConnector({ baseUrl, clientId: "relink-demo", clientSecret: "relink-demo-secret", now }),
  ];
}
