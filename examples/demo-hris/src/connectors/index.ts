import type { Connector, ConnectorModuleContext } from "@relink/server/connectors";
import { DEMO_OAUTH_CLIENT } from "../state.ts";
import { demoHrisConnector } from "./demo-hris.ts";
import { demoHrisOAuthConnector } from "./demo-hris-oauth.ts";

export * from "./demo-hris.ts";
export * from "./demo-hris-oauth.ts";

/** This module's name, for `RELINK_CONNECTOR_MODULES`. */
export const DEMO_HRIS_CONNECTOR_MODULE = "@relink/demo-hris/connectors";

/** The variable naming the demo HR system's base URL, read by this module's default export. */
export const DEMO_HRIS_URL_VARIABLE = "RELINK_DEMO_HRIS_URL";

/**
 * The demo HR system's two tools at `baseUrl`: `demo-hris` (API keys) and `demo-hris-oauth`
 * (OAuth 2 + PKCE, with the client the demo HR system seeds).
 */
export function demoHrisConnectors(baseUrl: string, now: () => number = Date.now): Connector[] {
  return [
    demoHrisConnector({ baseUrl }),
    demoHrisOAuthConnector({
      baseUrl,
      clientId: DEMO_OAUTH_CLIENT.client_id,
      clientSecret: DEMO_OAUTH_CLIENT.client_secret,
      now,
    }),
  ];
}

/**
 * The environment that makes a relink server's CLI (`relink-server serve`) register the demo's
 * tools at `baseUrl`: this module in `RELINK_CONNECTOR_MODULES`, and `RELINK_DEMO_HRIS_URL`.
 */
export function demoHrisServerEnv(baseUrl: string): Record<string, string> {
  return { RELINK_CONNECTOR_MODULES: DEMO_HRIS_CONNECTOR_MODULE, [DEMO_HRIS_URL_VARIABLE]: baseUrl };
}

/**
 * What a relink server calls when `RELINK_CONNECTOR_MODULES` names this module: the demo's tools at
 * `RELINK_DEMO_HRIS_URL`, which must then be set explicitly (there is no default address).
 */
export default function demoHrisConnectorModule({ env, clock }: ConnectorModuleContext): Connector[] {
  const raw = env[DEMO_HRIS_URL_VARIABLE]?.trim();
  if (!raw)
    throw new Error(
      `${DEMO_HRIS_URL_VARIABLE} is not set: set it to the demo HR system's base URL (e.g. http://127.0.0.1:8790)`,
    );
  if (!URL.canParse(raw) || !["http:", "https:"].includes(new URL(raw).protocol))
    throw new Error(
      `${DEMO_HRIS_URL_VARIABLE}: "${raw}" must be an http(s) URL such as http://127.0.0.1:8790`,
    );
  return demoHrisConnectors(raw.replace(/\/+$/, ""), () => clock.now().getTime());
}
