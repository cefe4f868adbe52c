/**
 * relink with Staffbook beside the demo HR system: `pnpm --filter @relink/example-custom-connector start`.
 * Starts a Staffbook stand-in on a free port and prints a token to import an integration with.
 */
import { serve } from "@hono/node-server";
import { loadConfig, startServer } from "@relink/server";
import { staffbookConnector } from "./connector.ts";
import { createStaffbook } from "./staffbook.ts";

const staffbook = createStaffbook();
const staffbookUrl = await new Promise<string>((resolve) => {
  serve({ fetch: staffbook.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    resolve(`http://127.0.0.1:${info.port}`),
  );
});

// #region start
const server = await startServer({
  config: loadConfig(),
  extraConnectors: [staffbookConnector({ baseUrl: staffbookUrl })],
});
// #endregion start

console.log(`relink on ${server.url} with Staffbook (${staffbookUrl}); GET /v1/tools lists it.
A Staffbook token with both scopes: ${staffbook.issueToken(["people", "absences"])}`);
