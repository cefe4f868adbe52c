import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A webhook as a receiver saw it. */
export interface Received {
  headers: Record<string, string>;
  body: string;
  json: { id: string; type: string; created_at: string; data: Record<string, unknown> };
  path: string;
  at: number;
}

export type Answer = (request: Received, res: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP receiver on 127.0.0.1: records every request, answers what the test says
 * (200 by default). It can go down (connections refused) and come back on the same port.
 */
export async function startReceiver(port = 0) {
  const received: Received[] = [];
  let answer: Answer = (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  };
  const listeners = new Set<(r: Received) => void>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: Received["json"];
      try {
        json = JSON.parse(body);
      } catch {
        json = { id: "", type: "", created_at: "", data: {} };
      }
      const entry: Received = {
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
        ),
        body,
        json,
        path: req.url ?? "/",
        at: performance.now(),
      };
      received.push(entry);
      for (const l of listeners) l(entry);
      Promise.resolve(answer(entry, res)).catch(() => res.destroy());
    });
  };

  let server: Server = createServer(handler);
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  const boundPort = await listen(port);

  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    received,
    port: boundPort,
    url: `http://127.0.0.1:${boundPort}/hooks`,
    /** Sets how the receiver answers from now on. */
    answer(fn: Answer) {
      answer = fn;
    },
    /** Answers every request with this status. */
    status(code: number) {
      answer = (_r, res) => {
        res.writeHead(code).end(String(code));
      };
    },
    /** Calls `fn` on every request received. */
    onRequest(fn: (r: Received) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Stops listening: connections are refused until `up()`. */
    async down() {
      await close();
    },
    async up() {
      server = createServer(handler);
      await listen(boundPort);
    },
    close,
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * An independent Standard Webhooks verifier (WebCrypto, not the server's node:crypto code): which
 * of the `v1,` signatures in the header are valid for this secret.
 */
export async function validSignatures(secret: string, received: Received): Promise<boolean[]> {
  const raw = atob(secret.replace(/^whsec_/, ""));
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(raw, (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const message = new TextEncoder().encode(
    `${received.headers["webhook-id"]}.${received.headers["webhook-timestamp"]}.${received.body}`,
  );
  const results: boolean[] = [];
  for (const part of (received.headers["webhook-signature"] ?? "").split(" ")) {
    const [version, signature = ""] = part.split(",");
    if (version !== "v1") {
      results.push(false);
      continue;
    }
    const bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
    results.push(await crypto.subtle.verify("HMAC", key, bytes, message));
  }
  return results;
}
