/**
 * One replica of the pause engine's simulation with replicas (`simulateReplicas` in
 * `bench/pause-engine.ts`): a relink server (its scheduler only) in a process of its own, on the
 * database the parent seeded, with a manual clock the parent steps. Options as JSON in argv[2];
 * messages over IPC: `{ at }` sets the clock and runs what is due (answer `{ checks, cpuMs }`: the
 * checks it ran, and its CPU time so far), `{ close }`
 * closes the server and exits. Its tool is the same scripted one as the parent's (same keys).
 */
import { createRelinkServer } from "../../packages/server/src/app.ts";
import { ManualClock } from "../../packages/server/src/clock.ts";
import { createLogger } from "../../packages/server/src/logging.ts";
import { scriptedConnector } from "../../packages/server/src/testing/scripted-connector.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  encryptionKey: string;
  start: number;
  syncConcurrency: number;
  syncIntervalMs: number;
  pauseAfterMs: number;
};
const send = (message: unknown) => process.send?.(message);
/** This process's CPU time so far (user + system, helper threads included), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const tool = scriptedConnector("bench");
tool.setKey("bench");
tool.setKey("revoked", { outcome: "AUTH_FAILED" });
const clock = new ManualClock(options.start);
const server = await createRelinkServer({
  db: options.url,
  clock,
  connectors: [tool.connector],
  logger: createLogger({ level: "silent" }),
  config: {
    encryptionKey: options.encryptionKey,
    syncConcurrency: options.syncConcurrency,
    syncIntervalMs: options.syncIntervalMs,
    pauseAfterMs: options.pauseAfterMs,
  },
});
process.on("message", (message: { at?: number; close?: boolean }) => {
  if (message.close) {
    void server.close().finally(() => process.exit(0));
    return;
  }
  if (message.at === undefined) return;
  clock.set(message.at);
  const before = tool.calls.checkAuth;
  server.scheduler.runDue().then(
    () => {
      tool.calls.syncedWith.length = 0; // the tests' record of each sync: never read here
      send({ checks: tool.calls.checkAuth - before, cpuMs: cpuMs() });
    },
    (error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
send({ ready: true, cpuMs: cpuMs() });
