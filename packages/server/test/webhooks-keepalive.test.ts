import { createServer, type Socket } from "node:net";
import type { WebhookDelivery } from "@relink/sdk/contract";
import { afterEach, describe, expect, it } from "vitest";
import { iso } from "../src/clock.ts";
import { inTransaction } from "../src/context.ts";
import { recordEvent } from "../src/domain/events.ts";
import { newId } from "../src/ids.ts";
import { createTestRelink, syntheticEvent } from "../src/testing/index.ts";

/**
 * The dispatcher keeps connections to receivers alive. A receiver may close an idle one just as it
 * is reused: that reset is retried at once on another connection (once), not logged as a failure
 * to be retried seconds later.
 */

interface Seen {
  connection: number;
  webhookId: string;
}

/** A bare HTTP/1.1 receiver on a socket level: it can reset a kept-alive connection on purpose. */
async function rawReceiver() {
  const seen: Seen[] = [];
  let connections = 0;
  /** What to do with a request: answer it, or reset the connection without an answer. */
  let decide: (request: { connection: number; nth: number }) => "answer" | "reset" = ({ nth }) =>
    nth === 1 ? "answer" : "reset";
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let nth = 0;
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString("latin1");
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.subarray(end + 4 + length);
        nth++;
        seen.push({ connection, webhookId: /webhook-id: *(\S+)/i.exec(head)?.[1] ?? "" });
        if (decide({ connection, nth }) === "reset") {
          socket.resetAndDestroy();
          return;
        }
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    seen,
    connections: () => connections,
    setDecide: (fn: typeof decide) => {
      decide = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

describe("webhook connections kept alive", () => {
  it("a kept-alive connection reset as it is reused is retried once on a new one; a fresh one's reset is a failed attempt", async () => {
    const t = await createTestRelink({
      config: { allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true, webhookTimeoutMs: 2_000 },
    });
    open.push(() => t.close());
    const receiver = await rawReceiver();
    open.push(() => receiver.close());
    expect((await t.request("POST", "/v1/webhook-endpoints", { body: { url: receiver.url } })).status).toBe(
      201,
    );
    const emit = () =>
      inTransaction(t.server.ctx, (tx) =>
        recordEvent(
          tx,
          syntheticEvent({
            workspaceId: t.workspaceId,
            type: "sync-finished",
            integrationId: newId("int"),
            data: {},
            createdAt: iso(t.clock.now()),
          }),
        ),
      ).then((e) => e.id);
    const delivery = async (eventId: string) => {
      const res = await t.request("GET", `/v1/webhook-deliveries?event_id=${eventId}`);
      return ((await res.json()) as { data: WebhookDelivery[] }).data[0]!;
    };

    // The first answered; the second reuses its connection, which the receiver resets: sent again
    // on a new connection, answered there. One attempt, delivered.
    const first = await emit();
    await t.server.webhooks.drain();
    const second = await emit();
    await t.server.webhooks.drain();
    expect(receiver.seen).toEqual([
      { connection: 1, webhookId: first },
      { connection: 1, webhookId: second },
      { connection: 2, webhookId: second },
    ]);
    expect(await delivery(first)).toMatchObject({ status: "SUCCEEDED", attempt_count: 1 });
    expect(await delivery(second)).toMatchObject({ status: "SUCCEEDED", attempt_count: 1 });

    // Every request reset: the reused connection's reset is retried once, the new connection's is
    // the attempt's result, logged and retried later like any network error.
    receiver.setDecide(() => "reset");
    const third = await emit();
    await t.server.webhooks.drain();
    expect(receiver.seen.slice(3)).toEqual([
      { connection: 2, webhookId: third },
      { connection: 3, webhookId: third },
    ]);
    const failed = await delivery(third);
    expect(failed).toMatchObject({ status: "PENDING", attempt_count: 1 });
    expect(failed.attempts[0]!.error).toMatch(/ECONNRESET|socket hang up/);
  });
});
