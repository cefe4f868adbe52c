export {
  createRelinkServer,
  defaultConnectors,
  type RelinkServer,
  type RelinkServerOptions,
  type Worker,
} from "./app.ts";
export { type Clock, ManualClock, systemClock } from "./clock.ts";
export { type Config, ConfigError, defineConfig, loadConfig } from "./config.ts";
export * from "./connectors/index.ts";
export type { RelinkContext } from "./context.ts";
export { createDatabase, migrateToLatest, type RelinkDatabase } from "./db/connect.ts";
export { createApiKey, createWorkspace } from "./domain/workspaces.ts";
export { createLogger } from "./logging.ts";
export { type RunningServer, startServer } from "./serve.ts";
