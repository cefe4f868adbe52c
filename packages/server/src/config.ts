import { parseDuration } from "./duration.ts";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** The server's configuration, read and validated once at start-up. Nothing else reads the environment. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  readonly databaseUrl: string;
  /** base64 of 32 bytes; null = a development key generated under `./.relink/`. */
  readonly encryptionKey: string | null;
  /** Earlier keys still accepted for decryption during a rotation, `kid:base64` pairs. */
  readonly previousEncryptionKeys: readonly string[];
  readonly publicUrl: string;
  readonly pauseAfterMs: number;
  readonly syncIntervalMs: number;
  readonly schedulerTickMs: number;
  readonly syncConcurrency: number;
  readonly leaseMs: number;
  readonly demoHrisUrl: string | null;
  readonly allowPrivateWebhookUrls: boolean;
  readonly allowHttpWebhookUrls: boolean;
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  /** Start the scheduler and the webhook dispatcher in this process. */
  readonly runWorkers: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export const DEFAULT_CONFIG: Config = Object.freeze({
  port: 8787,
  host: "127.0.0.1",
  databaseUrl: "sqlite:./.relink/relink.db",
  encryptionKey: null,
  previousEncryptionKeys: [],
  publicUrl: "http://127.0.0.1:8787",
  pauseAfterMs: 72 * 3_600_000,
  syncIntervalMs: 3 * 3_600_000,
  schedulerTickMs: 1_000,
  syncConcurrency: 8,
  leaseMs: 5 * 60_000,
  demoHrisUrl: "http://127.0.0.1:8790",
  allowPrivateWebhookUrls: false,
  allowHttpWebhookUrls: false,
  logLevel: "info",
  dataDir: "./.relink",
  runWorkers: true,
});

type Env = Record<string, string | undefined>;

/** Reads the environment once; throws a `ConfigError` naming the variable on any bad value. */
export function loadConfig(env: Env = process.env): Config {
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const duration = (name: string, fallback: number, min = 1) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const ms = parseDuration(raw);
    if (ms === undefined || ms < min) {
      throw new ConfigError(name, `"${raw}" is not a duration; write it like 200ms, 3s, 10m, 72h or 7d`);
    }
    return ms;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(name, `"${raw}" must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
  const boolean = (name: string, fallback: boolean) => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["true", "1", "yes"].includes(raw)) return true;
    if (["false", "0", "no"].includes(raw)) return false;
    throw new ConfigError(name, `"${raw}" must be true or false`);
  };
  const url = (name: string, fallback: string | null) => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
    } catch {
      throw new ConfigError(name, `"${raw}" must be an http(s) URL such as http://127.0.0.1:8790`);
    }
    return raw.replace(/\/+$/, "");
  };

  const port = integer("PORT", DEFAULT_CONFIG.port, 0, 65_535);
  const host = read("HOST") ?? DEFAULT_CONFIG.host;
  const dataDir = read("RELINK_DATA_DIR") ?? DEFAULT_CONFIG.dataDir;

  const databaseUrl = databaseUrlFrom(read("DATABASE_URL"), dataDir);

  const encryptionKey = read("RELINK_ENCRYPTION_KEY") ?? null;
  if (encryptionKey !== null && Buffer.from(encryptionKey, "base64").length !== 32) {
    throw new ConfigError(
      "RELINK_ENCRYPTION_KEY",
      "must be the base64 of exactly 32 random bytes; make one with `openssl rand -base64 32`",
    );
  }
  const previousEncryptionKeys = (read("RELINK_PREVIOUS_ENCRYPTION_KEYS") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const key of previousEncryptionKeys) {
    if (Buffer.from(key, "base64").length !== 32) {
      throw new ConfigError(
        "RELINK_PREVIOUS_ENCRYPTION_KEYS",
        "must be a comma-separated list of base64 keys of 32 bytes each",
      );
    }
  }

  const logLevel = (read("LOG_LEVEL") ?? DEFAULT_CONFIG.logLevel) as LogLevel;
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    throw new ConfigError(
      "LOG_LEVEL",
      `"${logLevel}" must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  }

  return Object.freeze({
    port,
    host,
    databaseUrl,
    encryptionKey,
    previousEncryptionKeys: Object.freeze(previousEncryptionKeys),
    publicUrl: url("RELINK_PUBLIC_URL", null) ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    pauseAfterMs: duration("RELINK_PAUSE_AFTER", DEFAULT_CONFIG.pauseAfterMs),
    syncIntervalMs: duration("RELINK_SYNC_INTERVAL", DEFAULT_CONFIG.syncIntervalMs),
    schedulerTickMs: duration("RELINK_SCHEDULER_TICK", DEFAULT_CONFIG.schedulerTickMs),
    syncConcurrency: integer("RELINK_SYNC_CONCURRENCY", DEFAULT_CONFIG.syncConcurrency, 1, 256),
    leaseMs: duration("RELINK_LEASE", DEFAULT_CONFIG.leaseMs, 1_000),
    demoHrisUrl: url("RELINK_DEMO_HRIS_URL", DEFAULT_CONFIG.demoHrisUrl),
    allowPrivateWebhookUrls: boolean("RELINK_ALLOW_PRIVATE_WEBHOOK_URLS", false),
    allowHttpWebhookUrls: boolean(
      "RELINK_ALLOW_HTTP_WEBHOOK_URLS",
      boolean("RELINK_ALLOW_PRIVATE_WEBHOOK_URLS", false),
    ),
    logLevel,
    dataDir,
    runWorkers: boolean("RELINK_RUN_WORKERS", true),
  });
}

function databaseUrlFrom(raw: string | undefined, dataDir: string): string {
  if (raw === undefined) return `sqlite:${dataDir}/relink.db`;
  if (raw.startsWith("sqlite:") && raw.length > "sqlite:".length) return raw;
  if (raw.startsWith("postgres://") || raw.startsWith("postgresql://")) {
    try {
      new URL(raw);
      return raw;
    } catch {
      // fall through to the error
    }
  }
  throw new ConfigError(
    "DATABASE_URL",
    "must be sqlite:<path>, sqlite::memory: or postgres://user:password@host:5432/database",
  );
}

/** Builds a configuration for tests and embedding, starting from the defaults. */
export function defineConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...DEFAULT_CONFIG, ...overrides });
}
