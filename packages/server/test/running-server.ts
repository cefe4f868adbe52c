import { defineConfig } from "../src/config.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { type RunningServer, startServer } from "../src/serve.ts";

/**
 * relink serving on a free port of 127.0.0.1 over real HTTP, with an in-memory database, no
 * workers and no logs: for tests of what crosses the socket (headers, connections, a browser).
 */
export function startQuietServer(): Promise<RunningServer> {
  return startServer({
    config: defineConfig({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: "sqlite::memory:",
      encryptionKey: generateEncryptionKey(),
      runWorkers: false,
      logLevel: "silent",
    }),
  });
}
