/** relink as a library: the examples of docs/self-hosting.md and docs/connectors.md. */
// #region embed
import { createRelinkServer, defaultConnectors, defineConfig, systemClock } from "@relink/server";
import { staffbookConnector } from "./staffbook-connector.ts";

export async function buildRelink() {
  const config = defineConfig({ databaseUrl: "postgres://relink:secret@db:5432/relink" });
  const relink = await createRelinkServer({
    config,
    connectors: [
      ...defaultConnectors(config, systemClock),
      staffbookConnector({ baseUrl: "https://staffbook.internal.example" }),
    ],
  });
  relink.start(); // the scheduler and the webhook dispatcher
  return relink.app; // a Hono app: mount it, or serve it with @hono/node-server
}
// #endregion embed
