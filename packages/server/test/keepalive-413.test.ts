import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/serve.ts";
import { startQuietServer } from "./running-server.ts";

/**
 * A refused body (413) must not break the client's connection: after it, the next request on the
 * same kept-alive socket gets its answer, or the 413 says `Connection: close`.
 */
let server: RunningServer;
beforeAll(async () => {
  server = await startQuietServer();
});
afterAll(() => server?.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  socket: unknown;
}

function send(agent: Agent, method: string, path: string, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        agent,
        method,
        headers: body ? { "content-type": "application/json", "content-length": body.byteLength } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            socket: req.socket,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    // A body over the limit may be refused before it is all sent: a reset write is not the test's concern.
    req.on("socket", (socket) => socket.on("error", () => {}));
    req.end(body);
  });
}

describe("keep-alive after a refused body", () => {
  it.each([
    ["over 1 MiB", "/v1/integrations", 2 * 1024 * 1024],
    ["just over 1 MiB", "/v1/integrations", 1024 * 1024 + 1],
    ["over the connect API's 64 KiB", "/connect/v1/credentials", 100 * 1024],
  ])("answers the next request on the same connection after a 413 (%s)", async (_name, path, size) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warm = await send(agent, "GET", "/healthz");
      expect(warm.status).toBe(200);

      const refused = await send(agent, "POST", path, Buffer.alloc(size, "a"));
      expect(refused.status).toBe(413);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
      const connection = String(refused.headers.connection ?? "keep-alive").toLowerCase();

      const next = await send(agent, "GET", "/healthz");
      expect(next.status).toBe(200);
      if (connection === "keep-alive") {
        // The server promised to keep the connection: the next request went over the same socket.
        expect(next.socket).toBe(refused.socket);
      } else {
        expect(connection).toBe("close");
      }
    } finally {
      agent.destroy();
    }
  });
});
