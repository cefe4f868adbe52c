/** Runs the demo HR system: `PORT` (default 8790) and `HOST` (default 127.0.0.1). */
import { DEMO_OAUTH_CLIENT, startDemoHris } from "./index.ts";

function readConfig(env: NodeJS.ProcessEnv) {
  const port = Number(env["PORT"] ?? 8790);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env["PORT"])}`);
  }
  return Object.freeze({ port, host: env["HOST"] || "127.0.0.1" });
}

const config = readConfig(process.env);
const hris = await startDemoHris(config);

console.log(`Demo HRIS listening on ${hris.url}
  Admin (no auth):
    GET    ${hris.url}/admin/companies
    POST   ${hris.url}/admin/api-keys          {"company_id":"acme","permissions":["employees:read"]}
    GET    ${hris.url}/admin/api-keys
    DELETE ${hris.url}/admin/api-keys/:key
    POST   ${hris.url}/admin/outage            {"status":503,"duration_ms":30000}
    GET    ${hris.url}/admin/outage
    DELETE ${hris.url}/admin/outage
    POST   ${hris.url}/admin/oauth-clients     {"name":"My app","redirect_uris":["http://localhost:3000/cb"]}
    POST   ${hris.url}/admin/oauth-grants/revoke {"company_id":"acme"}
    POST   ${hris.url}/admin/reset
  OAuth: ${hris.url}/oauth/authorize, ${hris.url}/oauth/token
    client_id ${DEMO_OAUTH_CLIENT.client_id}, client_secret ${DEMO_OAUTH_CLIENT.client_secret}`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`Demo HRIS: ${signal} received, shutting down`);
  await hris.close();
  process.exit(0);
}
process.on("SIGINT", (signal) => void stop(signal));
process.on("SIGTERM", (signal) => void stop(signal));
