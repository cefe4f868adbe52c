import { readFileSync } from "node:fs";
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
  /** The demo HR system; its connectors are registered only when this is set. */
  readonly demoHrisUrl: string | null;
  /** A folder of `*.json` declared connectors loaded at start. */
  readonly connectorsDir: string | null;
  /** Catalog tools to enable by id; null: every catalog tool whose operator settings are present. */
  readonly tools: readonly string[] | null;
  /** Operator settings per tool, keyed by the tool id in capitals with `_` for `-` (`GOOGLE_WORKSPACE`). */
  readonly toolSettings: Readonly<Record<string, ToolSettings>>;
  readonly allowPrivateWebhookUrls: boolean;
  readonly allowHttpWebhookUrls: boolean;
  /** How often the webhook dispatcher looks for due deliveries when nothing woke it. */
  readonly webhookTickMs: number;
  /** Total time allowed for one webhook POST, answer included. */
  readonly webhookTimeoutMs: number;
  /** Webhook POSTs in flight at once per process. */
  readonly webhookConcurrency: number;
  /** How long finished history (deliveries, events, sync runs, expired links) is kept. */
  readonly retentionMs: number;
  readonly logLevel: LogLevel;
  readonly dataDir: string;
  /** Start the scheduler and the webhook dispatcher in this process. */
  readonly runWorkers: boolean;
  /**
   * Behind one reverse proxy: the client address is the last `X-Forwarded-For` entry (the one the
   * proxy added), for the connect API's per-address rate limit. Off: the socket's address.
   */
  readonly trustProxy: boolean;
  /** Port of the Prometheus `/metrics` listener (on `host`, apart from the API); null = none. */
  readonly metricsPort: number | null;
}

/** What the operator configured for one tool: relink's OAuth client at it. */
export interface ToolSettings {
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** `google-workspace` → `GOOGLE_WORKSPACE`, the form tools take in variable names. */
export const toolSettingsKey = (toolId: string) => toolId.toUpperCase().replace(/[^A-Z0-9]/g, "_");

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
  demoHrisUrl: null,
  connectorsDir: null,
  // Embedding and tests start with no catalog tool; the environment's default (unset) is all ready ones.
  tools: [],
  toolSettings: {},
  allowPrivateWebhookUrls: false,
  allowHttpWebhookUrls: false,
  webhookTickMs: 1_000,
  webhookTimeoutMs: 10_000,
  webhookConcurrency: 32,
  retentionMs: 30 * 86_400_000,
  logLevel: "info",
  dataDir: "./.relink",
  runWorkers: true,
  trustProxy: false,
  metricsPort: null,
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
    demoHrisUrl: url("RELINK_DEMO_HRIS_URL", null),
    connectorsDir: read("RELINK_CONNECTORS_DIR") ?? null,
    tools: toolList(read("RELINK_TOOLS")),
    toolSettings: toolSettings(env, read("RELINK_TOOLS_FILE")),
    allowPrivateWebhookUrls: boolean("RELINK_ALLOW_PRIVATE_WEBHOOK_URLS", false),
    allowHttpWebhookUrls: boolean(
      "RELINK_ALLOW_HTTP_WEBHOOK_URLS",
      boolean("RELINK_ALLOW_PRIVATE_WEBHOOK_URLS", false),
    ),
    webhookTickMs: duration("RELINK_WEBHOOK_TICK", DEFAULT_CONFIG.webhookTickMs),
    webhookTimeoutMs: duration("RELINK_WEBHOOK_TIMEOUT", DEFAULT_CONFIG.webhookTimeoutMs, 100),
    webhookConcurrency: integer("RELINK_WEBHOOK_CONCURRENCY", DEFAULT_CONFIG.webhookConcurrency, 1, 1024),
    retentionMs: retention(read("RELINK_RETENTION")),
    logLevel,
    dataDir,
    runWorkers: boolean("RELINK_RUN_WORKERS", true),
    trustProxy: boolean("RELINK_TRUST_PROXY", false),
    metricsPort:
      read("RELINK_METRICS_PORT") === undefined ? null : integer("RELINK_METRICS_PORT", 0, 0, 65_535),
  });
}

function toolList(raw: string | undefined): readonly string[] | null {
  if (raw === undefined) return null;
  const ids = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.find((id) => !/^[a-z][a-z0-9-]{1,49}$/.test(id));
  if (bad !== undefined)
    throw new ConfigError("RELINK_TOOLS", `"${bad}" is not a tool id; write ids like bamboohr,personio`);
  return Object.freeze(ids);
}

/**
 * Tool settings from `RELINK_TOOLS_FILE` (`{ "<tool id>": { "client_id", "client_secret" } }`),
 * then `RELINK_TOOL_<ID>_CLIENT_ID` / `_CLIENT_SECRET`, which win.
 */
function toolSettings(env: Env, file: string | undefined): Readonly<Record<string, ToolSettings>> {
  const settings: Record<string, { clientId?: string; clientSecret?: string }> = {};
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new ConfigError(
        "RELINK_TOOLS_FILE",
        `${file} is not a readable JSON file (${(error as Error).message.split("\n")[0]})`,
      );
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError("RELINK_TOOLS_FILE", `${file} must hold an object of tool ids`);
    }
    for (const [toolId, value] of Object.entries(parsed)) {
      const v = value as Record<string, unknown> | null;
      const ok = (x: unknown) => x === undefined || (typeof x === "string" && x.trim() !== "");
      if (!v || typeof v !== "object" || !ok(v.client_id) || !ok(v.client_secret)) {
        throw new ConfigError(
          "RELINK_TOOLS_FILE",
          `${file}: "${toolId}" must be { "client_id": "…", "client_secret": "…" }`,
        );
      }
      settings[toolSettingsKey(toolId)] = {
        ...(typeof v.client_id === "string" ? { clientId: v.client_id.trim() } : {}),
        ...(typeof v.client_secret === "string" ? { clientSecret: v.client_secret.trim() } : {}),
      };
    }
  }
  for (const [name, value] of Object.entries(env)) {
    const match = /^RELINK_TOOL_([A-Z0-9_]+)_CLIENT_(ID|SECRET)$/.exec(name);
    if (!match?.[1] || value === undefined || value.trim() === "") continue;
    const entry = settings[match[1]] ?? {};
    settings[match[1]] = entry;
    if (match[2] === "ID") entry.clientId = value.trim();
    else entry.clientSecret = value.trim();
  }
  return Object.freeze(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, Object.freeze(v)])));
}

/** At least 7 days: longer than a webhook's 3 days of retries and the 72-hour pause window. */
const MIN_RETENTION_MS = 7 * 86_400_000;

function retention(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CONFIG.retentionMs;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < MIN_RETENTION_MS) {
    throw new ConfigError(
      "RELINK_RETENTION",
      `"${raw}" must be a duration of at least 7d (webhook retries last 3 days), like 30d or 90d`,
    );
  }
  return ms;
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

/** One environment variable `loadConfig` reads, for the generated configuration reference. */
export interface ConfigVariable {
  readonly name: string;
  /** The default as one would write it, or null when unset means something described. */
  readonly default: string | null;
  readonly description: string;
}

/**
 * Every variable `loadConfig` reads, in the order of the docs: `scripts/gen-config-docs.ts` writes
 * the configuration reference in `docs/self-hosting.md` from it, and a test fails when a variable
 * read above is missing here or the doc is stale.
 */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  {
    name: "PORT",
    default: "8787",
    description: "Port of the HTTP server (`0` picks a free one, which the server then advertises).",
  },
  {
    name: "HOST",
    default: "127.0.0.1",
    description: "Address to listen on; `0.0.0.0` in a container or behind a proxy on another host.",
  },
  {
    name: "RELINK_PUBLIC_URL",
    default: "http://HOST:PORT",
    description:
      "The URL browsers reach relink at: the OpenAPI `servers` entry, magic links, the OAuth redirect URI, and the server's own origin (the hosted page's, always allowed to run flows; the request's `Host` header is never trusted). Unset with `PORT=0`: the port bound. Set it behind a proxy.",
  },
  {
    name: "DATABASE_URL",
    default: "sqlite:RELINK_DATA_DIR/relink.db",
    description:
      "`sqlite:<path>` (one server process), `sqlite::memory:` (tests) or `postgres://user:password@host:5432/database` (any number of replicas).",
  },
  {
    name: "RELINK_DATA_DIR",
    default: "./.relink",
    description: "Where the default SQLite file and the development encryption key live.",
  },
  {
    name: "RELINK_ENCRYPTION_KEY",
    default: null,
    description:
      "Base64 of 32 random bytes (`openssl rand -base64 32`) sealing credentials and secrets (AES-256-GCM). Unset: a development key is generated in `RELINK_DATA_DIR`, with a warning. Required in production.",
  },
  {
    name: "RELINK_PREVIOUS_ENCRYPTION_KEYS",
    default: null,
    description:
      "Comma-separated earlier keys (base64, 32 bytes each) still accepted to open values sealed before a rotation.",
  },
  {
    name: "RELINK_PAUSE_AFTER",
    default: "72h",
    description:
      "How long authentication must fail continuously before an integration is paused (`INVALID`).",
  },
  {
    name: "RELINK_SYNC_INTERVAL",
    default: "3h",
    description: "Time between scheduled syncs of an integration (each starts with an auth check).",
  },
  {
    name: "RELINK_SCHEDULER_TICK",
    default: "1s",
    description: "How often the scheduler looks for due syncs.",
  },
  {
    name: "RELINK_SYNC_CONCURRENCY",
    default: "8",
    description: "Syncs run at once per process (1 to 256).",
  },
  {
    name: "RELINK_LEASE",
    default: "5m",
    description: "How long a claimed sync is held before another replica may take it over after a crash.",
  },
  {
    name: "RELINK_RUN_WORKERS",
    default: "true",
    description:
      "Run the scheduler and the webhook dispatcher in this process; `false` for API-only replicas.",
  },
  {
    name: "RELINK_WEBHOOK_TIMEOUT",
    default: "10s",
    description: "Total time allowed for one webhook POST, answer included.",
  },
  {
    name: "RELINK_WEBHOOK_TICK",
    default: "1s",
    description:
      "How often the webhook dispatcher polls when nothing woke it (a fallback: commits wake it in-process, and on PostgreSQL through LISTEN/NOTIFY across replicas).",
  },
  {
    name: "RELINK_WEBHOOK_CONCURRENCY",
    default: "32",
    description: "Webhook POSTs in flight at once per process (1 to 1024).",
  },
  {
    name: "RELINK_RETENTION",
    default: "30d",
    description:
      "How long finished history is kept: webhook deliveries and their attempts, events, sync runs (each integration keeps its latest), expired relink links. At least `7d`.",
  },
  {
    name: "RELINK_ALLOW_PRIVATE_WEBHOOK_URLS",
    default: "false",
    description:
      "Allow webhook endpoints on loopback and private addresses (and plain http): local development only.",
  },
  {
    name: "RELINK_ALLOW_HTTP_WEBHOOK_URLS",
    default: "as RELINK_ALLOW_PRIVATE_WEBHOOK_URLS",
    description: "Allow plain-http webhook endpoints (public addresses only unless the above is set).",
  },
  {
    name: "RELINK_TRUST_PROXY",
    default: "false",
    description:
      "Behind exactly one reverse proxy: take the client address from the last `X-Forwarded-For` entry (for per-address rate limits).",
  },
  {
    name: "RELINK_METRICS_PORT",
    default: null,
    description:
      "Serve Prometheus metrics at `GET /metrics` on this port (on `HOST`), a listener apart from the API so that only the network you expose it to can scrape it (`0` picks a free one).",
  },
  {
    name: "RELINK_DEMO_HRIS_URL",
    default: null,
    description:
      "Base URL of the demo HR system (e.g. `http://127.0.0.1:8790`). Only when it is set are its connectors (`demo-hris`, `demo-hris-oauth`) registered; `pnpm start` and `pnpm demo` set it.",
  },
  {
    name: "RELINK_CONNECTORS_DIR",
    default: null,
    description:
      "A folder of connectors declared in JSON (`*.json`, see docs/connectors.md), loaded at start. An invalid one stops the start, naming the file and the JSON path of the problem.",
  },
  {
    name: "RELINK_TOOLS",
    default: null,
    description:
      "Comma-separated ids of the catalog tools (`@relink/connectors`) to enable, e.g. `bamboohr,personio,gusto`. Unset: every catalog tool whose settings are present (tools that need none, and OAuth tools with a client id and secret). `GET /v1/tools` says what a tool lacks.",
  },
  {
    name: "RELINK_TOOL_<ID>_CLIENT_ID",
    default: null,
    description:
      "relink's OAuth client id at a catalog tool that signs in with OAuth; `<ID>` is the tool id in capitals with `_` for `-` (`RELINK_TOOL_GOOGLE_WORKSPACE_CLIENT_ID`).",
  },
  {
    name: "RELINK_TOOL_<ID>_CLIENT_SECRET",
    default: null,
    description: "The secret of that OAuth client.",
  },
  {
    name: "RELINK_TOOLS_FILE",
    default: null,
    description:
      'A JSON file of tool settings instead of variables: `{ "gusto": { "client_id": "…", "client_secret": "…" } }` (variables win).',
  },
  {
    name: "LOG_LEVEL",
    default: "info",
    description:
      "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`; logs are JSON lines (pino).",
  },
]);
