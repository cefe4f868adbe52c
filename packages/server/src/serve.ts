import { type ServerType, serve } from "@hono/node-server";
import { createRelinkServer, type RelinkServer, type RelinkServerOptions } from "./app.ts";
import { type Config, loadConfig } from "./config.ts";
import { redactUrl } from "./db/connect.ts";

export interface RunningServer {
  relink: RelinkServer;
  url: string;
  port: number;
  /** `http://host:port` of the Prometheus listener (`RELINK_METRICS_PORT`), or null without one. */
  metricsUrl: string | null;
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
  // Once built, requests go straight to the app (no promise of this wrapper's own per request).
  let app: RelinkServer["app"] | null = null;
  void built.then((relink) => {
    app = relink?.app ?? null;
  });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    const server = serve(
      {
        fetch: (request, env) =>
          app
            ? app.fetch(request, env)
            : built.then((relink) =>
                relink ? relink.app.fetch(request, env) : new Response(null, { status: 503 }),
              ),
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
  const metrics = config.metricsPort === null ? null : await serveMetrics(relink, config);
  relink.start();
  const hostPart = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${hostPart}:${port}`;
  const metricsUrl = metrics === null ? null : `http://${hostPart}:${metrics.port}`;
  relink.ctx.log.info(
    {
      url,
      public_url: config.publicUrl,
      ...(metricsUrl ? { metrics: `${metricsUrl}/metrics` } : {}),
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
    metricsUrl,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await metrics?.close();
        await relink.close();
      })();
      return closing;
    },
  };
}

/**
 * The Prometheus listener: `GET /metrics` only, on its own port, so that the API's port never
 * exposes it (scrapers reach it on the network the operator opens to them).
 */
export async function serveMetrics(relink: RelinkServer, config: Pick<Config, "metricsPort" | "host">) {
  const registry = relink.metrics.registry;
  const fetch = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname !== "/metrics") return new Response("Not found: GET /metrics\n", { status: 404 });
    if (request.method !== "GET" && request.method !== "HEAD")
      return new Response("Method not allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
    try {
      return new Response(await registry.metrics(), {
        headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
      });
    } catch (error) {
      relink.ctx.log.error({ err: error }, "metrics could not be collected");
      return new Response("metrics could not be collected\n", { status: 503 });
    }
  };
  return new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
    const server = serve({ fetch, port: config.metricsPort ?? 0, hostname: config.host }, (info) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      }),
    );
    server.once("error", reject);
  });
}
