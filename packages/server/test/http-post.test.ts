import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postTarget, postWebhook } from "../src/webhooks/http-post.ts";

/** A receiver that sends its status line and the start of a body, then stalls until closed. */
describe("a webhook POST whose answer stalls after the status line", () => {
  let server: http.Server;
  let url: URL;
  const agent = new http.Agent({ keepAlive: true });
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const status = Number(new URL(req.url ?? "/", "http://x").searchParams.get("status"));
      res.writeHead(status, { "content-type": "text/plain" });
      res.write("accepted, still writing");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (status: number) =>
    postWebhook(postTarget(new URL(`${url.href}?status=${status}`), agent), {
      headers: {},
      body: "{}",
      timeoutMs: 300,
      keepBytes: 1024,
      readBytes: 64 * 1024,
    });

  it.each([200, 503])(
    "keeps the %i that arrived, with what was read of the body and the timeout",
    async (status) => {
      const outcome = await post(status);
      expect(outcome).toMatchObject({
        status,
        body: "accepted, still writing…[truncated]",
        error: "timed out after 300 ms reading the answer",
      });
      expect(outcome.latencyMs).toBeGreaterThanOrEqual(290);
    },
  );
});
