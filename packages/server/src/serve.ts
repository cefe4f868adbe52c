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

/**
 * The public URL to advertise once the port is bound: with `PORT=0` and no `RELINK_PUBLIC_URL`,
 * the configuration's `http://HOST:0` names no port anyone can reach, so the bound one replaces it.
 */
export function boundPublicUrl(publicUrl: string, port: number): string {
  const url = new URL(publicUrl);
  if (url.port !== "0") return publicUrl;
  url.port = String(port);
  return url.toString().replace(/\/+$/, "");
}

/**
 * Starts relink on a port: the HTTP app and the background workers. The port is bound first, so
 * that the app is built knowing it (magic links, the OpenAPI servers, OAuth redirects); requests
 * arriving meanwhile wait for it.
 */
export async function startServer(
  options: RelinkServerOptions & { config?: Config } = {},
): Promise<RunningServer> {
  const loaded = options.config ?? loadConfig();
  let ready: (relink: RelinkServer | null) => void = () => {};
  const built = new Promise<RelinkServer | null>((resolve) => {
    ready = resolve;
  });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const server = serve(
      {
        fetch: async (request, env) => {
          const relink = await built;
          if (!relink) return new Response(null, { status: 503 });
          return relink.app.fetch(request, env);
        },
        port: loaded.port,
        hostname: loaded.host,
      },
      (info) => resolve({ server, port: info.port }),
    );
    server.once("error", reject);
  });
  const config: Config = Object.freeze({
    ...loaded,
    port,
    publicUrl: boundPublicUrl(loaded.publicUrl, port),
  });
  let relink: RelinkServer;
  try {
    relink = await createRelinkServer({ ...options, config });
  } catch (error) {
    ready(null);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  ready(relink);
  relink.start();
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  relink.ctx.log.info(
    {
      url,
      public_url: config.publicUrl,
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
