import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type CustomerBackend, type CustomerBackendOptions, createCustomerBackend } from "./app.ts";

export interface RunningCustomerBackend extends CustomerBackend {
  url: string;
  close(): Promise<void>;
}

/** Serves the customer backend on a port (0: a free one) on 127.0.0.1. */
export async function startCustomerBackend(
  options: CustomerBackendOptions & { port?: number; host?: string },
): Promise<RunningCustomerBackend> {
  const backend = createCustomerBackend(options);
  const host = options.host ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: backend.app.fetch, port: options.port ?? 0, hostname: host }, () => {
      listening.off("error", reject);
      resolve(listening);
    });
    listening.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...backend,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
