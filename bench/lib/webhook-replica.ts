/**
 * One replica of the webhook backlog benchmark (`bench/webhooks.ts --replicas n`): a relink server
 * in a process of its own on the benchmark's database, its dispatcher started when told (`"start"`
 * over IPC); it closes and exits when the parent disconnects. Its configuration (the same
 * encryption key as the parent's) as JSON in argv[2].
 */
import { createRelinkServer } from "../../packages/server/src/app.ts";
import type { Config } from "../../packages/server/src/config.ts";
import { createLogger } from "../../packages/server/src/logging.ts";

const config = JSON.parse(process.argv[2] ?? "{}") as Partial<Config> & { databaseUrl: string };
const relink = await createRelinkServer({
  db: config.databaseUrl,
  logger: createLogger({ level: "warn" }),
  config,
});
process.on("message", (message) => {
  if (message === "start") relink.webhooks.start();
});
process.on("disconnect", () => {
  void relink.close().finally(() => process.exit(0));
});
process.send?.("ready");
