import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import { type Clock, systemClock } from "./clock.ts";
import { type Config, defineConfig } from "./config.ts";
import { configuredTools } from "./connectors/catalog.ts";
import { loadConnectorModules } from "./connectors/modules.ts";
import { type Connector, ConnectorRegistry } from "./connectors/types.ts";
import { createWakeups, type RelinkContext } from "./context.ts";
import { createDatabase, migrateToLatest, type RelinkDatabase } from "./db/connect.ts";
import { localClaimsFor } from "./domain/local-claims.ts";
import { sealPlainRecords } from "./domain/records.ts";
import type { AppEnv } from "./http/env.ts";
import {
  apiKeyAuth,
  errorResponse,
  methodNotAllowedResponse,
  notFoundHandler,
  onError,
  requestBodyLimit,
  requestContext,
} from "./http/middleware.ts";
import { openApiDocument, registerWebhookEvents, router } from "./http/openapi.ts";
import { createLogger, type Logger } from "./logging.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { apiReferenceRoutes } from "./routes/api-reference.ts";
import { campaignRoutes } from "./routes/campaigns.ts";
import { connectRoutes } from "./routes/connect.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { dashboardApiRoutes } from "./routes/dashboard-api.ts";
import { healthRoutes } from "./routes/health.ts";
import { hostedPageRoutes } from "./routes/hosted-page.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { recordRoutes } from "./routes/records.ts";
import { relinkLinkRoutes } from "./routes/relink-links.ts";
import { scopeConfigRoutes } from "./routes/scope-configs.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { signingJwksRoutes } from "./routes/signing-jwks.ts";
import { signingKeyRoutes } from "./routes/signing-keys.ts";
import { simulationRoutes } from "./routes/simulation.ts";
import { syncSessionRoutes } from "./routes/sync-sessions.ts";
import { syncRoutes } from "./routes/syncs.ts";
import { toolRoutes } from "./routes/tools.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { generateEncryptionKey, SecretBox } from "./secrets.ts";
import { createWebhookDispatcher, type WebhookDispatcher } from "./webhooks/dispatcher.ts";
import { createExpiryWorker } from "./workers/expiry.ts";
import { createRetentionWorker } from "./workers/retention.ts";
import { createScheduler, type Scheduler } from "./workers/scheduler.ts";

/** A background worker (scheduler, webhook dispatcher, retention): started and stopped with the server. */
export interface Worker {
  readonly name: string;
  start(): void;
  /** Finishes or releases what it holds; resolves when nothing is left claimed. */
  stop(): Promise<void>;
}

export interface RelinkServerOptions {
  /** An open database, or a `DATABASE_URL`; default: the configuration's. */
  db?: RelinkDatabase | string;
  config?: Partial<Config> | Config;
  clock?: Clock;
  /**
   * The tools; default: the coded connectors of the modules `connectorModules` names, the JSON
   * connectors of `connectorsDir`, and the catalog tools `tools` enables.
   */
  connectors?: Connector[];
  /** Extra connectors beside the default ones. */
  extraConnectors?: Connector[];
  /** The environment connector modules read their settings from; default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
}

export interface RelinkServer {
  readonly app: OpenAPIHono<AppEnv>;
  readonly ctx: RelinkContext;
  readonly workers: Worker[];
  /** Claims and runs due syncs; tests drive it with `scheduler.runDue()` and a manual clock. */
  readonly scheduler: Scheduler;
  /** Delivers webhooks; tests drive it with `webhooks.drain()` and a manual clock. */
  readonly webhooks: WebhookDispatcher;
  /** Prometheus metrics of this server (`serve` exposes them on `RELINK_METRICS_PORT`). */
  readonly metrics: Metrics;
  /** Starts the background workers (when `config.runWorkers`). */
  start(): void;
  /** Stops the workers, then closes the database. */
  close(): Promise<void>;
}

/**
 * Default connectors that need no loading: the declared and catalog tools that are ready
 * (`configuredTools`). `createRelinkServer` puts the connectors of `RELINK_CONNECTOR_MODULES`
 * (`loadConnectorModules`) before them.
 */
export function defaultConnectors(config: Config, clock: Clock): Connector[] {
  return configuredTools(config, clock).connectors;
}

/**
 * Builds relink from its dependencies: runs the migrations, assembles the HTTP app and the
 * background workers. Opens no port: `serve()` in the CLI does that; tests call `app.request()`.
 */
export async function createRelinkServer(options: RelinkServerOptions = {}): Promise<RelinkServer> {
  const config = defineConfig(options.config);
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger({ level: config.logLevel });
  // Declared connectors first: an invalid one stops the start before anything is opened.
  const configured = options.connectors ? null : configuredTools(config, clock);
  const coded = options.connectors
    ? []
    : await loadConnectorModules(config, { env: options.env ?? process.env, clock });
  const database =
    typeof options.db === "object" ? options.db : createDatabase(options.db ?? config.databaseUrl);
  await migrateToLatest(database.db);

  const connectors = new ConnectorRegistry([
    ...(options.connectors ?? [...coded, ...(configured?.connectors ?? [])]),
    ...(options.extraConnectors ?? []),
  ]);
  for (const { connector, missing } of configured?.unready ?? []) connectors.addUnready(connector, missing);
  const ctx: RelinkContext = {
    db: database.db,
    dialect: database.dialect,
    ...(database.dialect === "sqlite" ? { claims: localClaimsFor(database.file) } : {}),
    clock,
    config,
    connectors,
    secrets: secretBox(config, log, database.dialect === "sqlite" && config.databaseUrl.includes(":memory:")),
    log,
    ...createWakeups(),
  };
  // Records an older version stored in plain text (migration 0008 could not seal them), before any worker runs.
  await sealPlainRecords(ctx);

  const metrics = createMetrics(ctx);
  const app = buildApp(ctx, metrics);
  const scheduler = createScheduler(ctx, { onOutcome: metrics.recordSync });
  const webhooks = createWebhookDispatcher(ctx, {
    newClient: database.newClient,
    onAttempt: metrics.recordDelivery,
  });
  const workers: Worker[] = [scheduler, webhooks, createRetentionWorker(ctx), createExpiryWorker(ctx)];
  let started = false;
  return {
    app,
    ctx,
    workers,
    scheduler,
    webhooks,
    metrics,
    start() {
      if (started || !config.runWorkers) return;
      started = true;
      for (const worker of workers) worker.start();
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      if (typeof options.db !== "object") await database.close();
    },
  };
}

function buildApp(ctx: RelinkContext, metrics: Metrics): OpenAPIHono<AppEnv> {
  const app = router();
  // Request id, logger, security headers (the hosted page and the OAuth callback may set their own
  // CSP and opener policy), 405s, log line and latency metric: one middleware (see `requestContext`).
  app.use(
    "*",
    requestContext(ctx, {
      observe: metrics.observeHttp,
      methodNotAllowed: methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }),
    }),
  );
  app.use(
    "*",
    requestBodyLimit({
      maxSize: 1024 * 1024,
      onError: (c) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", "The request body is over 1 MiB."),
    }),
  );
  app.use("/v1/*", apiKeyAuth(ctx));

  app.route("/", healthRoutes(ctx));
  app.route("/", toolRoutes(ctx));
  app.route("/", scopeConfigRoutes(ctx));
  app.route("/", campaignRoutes(ctx));
  app.route("/", dashboardApiRoutes(ctx)); // before integrationRoutes: `/v1/integrations/stats` is no id
  app.route("/", integrationRoutes(ctx));
  app.route("/", syncRoutes(ctx));
  app.route("/", simulationRoutes(ctx));
  app.route("/", syncSessionRoutes(ctx));
  app.route("/", recordRoutes(ctx));
  app.route("/", apiKeyRoutes(ctx));
  // Before the keys' routes: /v1/signing-keys/jwks is not a key id.
  app.route("/", signingJwksRoutes(ctx));
  app.route("/", signingKeyRoutes(ctx));
  app.route("/", webhookRoutes(ctx));
  app.route("/", relinkLinkRoutes(ctx));
  app.route("/", settingsRoutes(ctx));
  // Flow-token auth, not API keys: outside `/v1`.
  app.route("/", connectRoutes(ctx));
  app.route("/", hostedPageRoutes(ctx));
  app.route("/", dashboardRoutes());

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "A workspace API key (`rlk_…`), from `relink-server init` or `POST /v1/api-keys`.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "webhookSignature", {
    type: "apiKey",
    in: "header",
    name: "webhook-signature",
    description:
      "Webhook deliveries are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the endpoint's `whsec_…` secret; check them with `verifyWebhook` of `@relink/sdk/server`.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "flowToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A flow token (signed JWT) minted with the SDK or by `POST /v1/integrations/{id}/relink`.",
  });
  registerWebhookEvents(app);
  app.get("/openapi.json", (c) =>
    c.json(
      openApiDocument(app, {
        openapi: "3.1.0",
        info: {
          title: "relink API",
          version: "0.1.0",
          license: { name: "MIT", url: "https://opensource.org/license/mit" },
          description: "Auth health checks, the pause engine, relink and connect flows, and webhooks.",
        },
        servers: [{ url: ctx.config.publicUrl }],
      }),
    ),
  );
  app.route("/", apiReferenceRoutes());

  app.notFound(notFoundHandler);
  app.onError(onError);
  return app;
}

/**
 * The key that seals credentials and secrets. Without `RELINK_ENCRYPTION_KEY` a development key is
 * generated into the data directory (in-memory databases get a throwaway key) with a warning.
 */
function secretBox(config: Config, log: Logger, ephemeral: boolean): SecretBox {
  if (config.encryptionKey) return new SecretBox(config.encryptionKey, config.previousEncryptionKeys);
  if (ephemeral) return new SecretBox(generateEncryptionKey());
  const file = join(config.dataDir, "encryption.key");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${generateEncryptionKey()}\n`, { mode: 0o600 });
  }
  log.warn(
    { file },
    "RELINK_ENCRYPTION_KEY is not set: using a development key from the data directory. Set RELINK_ENCRYPTION_KEY (openssl rand -base64 32) in production.",
  );
  return new SecretBox(readFileSync(file, "utf8").trim(), config.previousEncryptionKeys);
}
