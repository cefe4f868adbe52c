import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createDemoHris, type DemoHrisOptions } from "./app.ts";
import type { OutageControl } from "./outage.ts";
import type { DemoHrisState } from "./state.ts";

export { createDemoHris, type DemoHris, type DemoHrisOptions } from "./app.ts";
export type { Credential } from "./credentials.ts";
export type {
  Company,
  Compensation,
  Employee,
  SeedData,
  Team,
  TimeOffRequest,
  TimeOffStatus,
} from "./data.ts";
export { createSeedData } from "./data.ts";
export type { DemoHrisEnv } from "./env.ts";
export type { DemoHrisErrorBody, DemoHrisErrorCode, OAuthErrorCode } from "./errors.ts";
export { ACCESS_TOKEN_TTL_SECONDS, AUTHORIZATION_CODE_TTL_MS, type TokenResponse } from "./oauth-server.ts";
export type { OutageControl } from "./outage.ts";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from "./pagination.ts";
export { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from "./permissions.ts";
export type { EmployeeView } from "./routes/api.ts";
export {
  type ApiKey,
  DEMO_OAUTH_CLIENT,
  type DemoHrisState,
  type OAuthClient,
  OUTAGE_STATUSES,
  type Outage,
  type OutageStatus,
} from "./state.ts";

export interface StartDemoHrisOptions extends DemoHrisOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface RunningDemoHris {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8790`. */
  url: string;
  port: number;
  state: DemoHrisState;
  outage: OutageControl;
  /** Stops listening, drops open connections and answers requests held by a "timeout" outage. */
  close(): Promise<void>;
}

/**
 * Serves the demo HR system over HTTP.
 *
 * @example
 * const hris = await startDemoHris({ port: 0 });
 * const res = await fetch(`${hris.url}/admin/companies`);
 * await hris.close();
 */
export async function startDemoHris(options: StartDemoHrisOptions = {}): Promise<RunningDemoHris> {
  const { app, state, outage } = createDemoHris(options);
  const host = options.host ?? "127.0.0.1";
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => {
      listening.off("error", reject);
      resolve(listening);
    });
    listening.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    state,
    outage,
    close: () =>
      new Promise<void>((resolve, reject) => {
        outage.end();
        server.close((err) => (err ? reject(err) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
