import { type ServerType, serve } from "@hono/node-server";
import { createRelinkServer, type RelinkServer, type RelinkServerOptions } from "./app.ts";
import { type Config, loadConfig } from "./config.ts";
import { redactUrl } from "./db/connect.ts";

export interface RunningServer {
  relink: RelinkServer;
  url: string;
  port: number;
  /** Stops taking requests, stops the workers (releasing their claims), closes the database. */
  close(): Promise<void>;
}

/** Starts relink on a port: the HTTP app and the background workers. */
export async function startServer(
  options: RelinkServerOptions & { config?: Config } = {},
): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const relink = await createRelinkServer({ ...options, config });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const server = serve({ fetch: relink.app.fetch, port: config.port, hostname: config.host }, (info) =>
      resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });
  relink.start();
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  relink.ctx.log.info(
    {
      url,
      database: redactUrl(config.databaseUrl),
      tools: relink.ctx.connectors.list().map((c) => c.tool.id),
    },
    "relink is listening",
  );
  let closing: Promise<void> | undefined;
  return {
    relink,
    url,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await relink.close();
      })();
      return closing;
    },
  };
}
