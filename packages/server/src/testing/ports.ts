import { createServer } from "node:net";

/** Where `freePort` looks: below Linux's ephemeral range (32768–60999 by default). */
const FIRST = 20_000;
const COUNT = 12_000;

/**
 * A TCP port on 127.0.0.1 that nobody listens on, for a server a test starts in another process.
 *
 * A port the kernel hands out (`listen(0)`) is an ephemeral one, and between the choice and the
 * child's own `listen()` — seconds on a busy machine — any outgoing connection (the load tests
 * open thousands) may take it: the child then fails with EADDRINUSE. So the port is chosen at
 * random below the ephemeral range, where no outgoing connection lands, and where test files
 * running side by side rarely pick the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if ((await listenOnce(port)) !== null) return port;
  }
  const port = await listenOnce(0);
  if (port === null) throw new Error("no TCP port free on 127.0.0.1");
  return port;
}

/** Listens on `port` (0: any) and closes again: the port listened on, or null if it was taken. */
function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}
