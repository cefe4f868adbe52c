import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "@relink/sdk/server";

/**
 * The webhook receiver of replicas.test.ts, in its own process (`node --import tsx
 * replicas-receiver.ts`), as a customer's backend would be: every delivery is verified with the
 * SDK's `verifyWebhook` against its endpoint's secret and recorded with its `webhook-id`. The first
 * attempt of about one event in fifteen is answered 503, so that the dispatchers redeliver it.
 *
 * Prints one JSON line `{"url": …}` once listening. `POST /__test/secrets {"<path>": "whsec_…"}`
 * tells it the endpoints' secrets; `GET /__test/received` returns every delivery seen, in arrival
 * order, as `[path, webhook-id, body id, type, integration id, status answered, verified or the
 * verification error, sha256 of the body]` rows.
 */

type Row = [string, string, string, string, string | null, number, true | string, string];

const secrets = new Map<string, string>();
const received: Row[] = [];
const refusedOnce = new Set<string>();

/** About one event in fifteen, the same whatever the replica that sends it. */
const refuseFirst = (path: string, id: string) =>
  createHash("sha256").update(`${path} ${id}`).digest()[0]! < 256 / 15;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? "/";
  const body = await readBody(req);
  if (path === "/__test/secrets") {
    for (const [p, secret] of Object.entries(JSON.parse(body) as Record<string, string>))
      secrets.set(p, secret);
    res.writeHead(204).end();
    return;
  }
  if (path === "/__test/received") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received));
    return;
  }
  const webhookId = String(req.headers["webhook-id"] ?? "");
  let verified: true | string = true;
  let parsed: { id: string; type: string; data: Record<string, unknown> } | null = null;
  try {
    const secret = secrets.get(path);
    if (!secret) throw new Error(`no secret for ${path}`);
    parsed = await verifyWebhook({
      body,
      headers: req.headers as Record<string, string>,
      secret,
    });
  } catch (error) {
    verified = `${(error as { code?: string }).code ?? "ERROR"}: ${(error as Error).message}`;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
  }
  const key = `${path} ${webhookId}`;
  let status = 200;
  if (verified !== true) status = 400;
  else if (!refusedOnce.has(key) && refuseFirst(path, webhookId)) {
    refusedOnce.add(key);
    status = 503;
  }
  const data = parsed?.data ?? {};
  const integrationId = (data.integration_id ?? data.id ?? null) as string | null;
  received.push([
    path,
    webhookId,
    String(parsed?.id ?? ""),
    String(parsed?.type ?? ""),
    integrationId,
    status,
    verified,
    createHash("sha256").update(body).digest("base64url"),
  ]);
  res.writeHead(status, { "content-type": "text/plain" }).end(String(status));
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    res.writeHead(500).end(String(error));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
