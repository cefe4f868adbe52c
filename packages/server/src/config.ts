import { z } from "zod";
import { TOOL_VARIABLES, type ToolSettings, toolsFileSettings, withToolVariables } from "./config-tools.ts";
import { parseDuration } from "./duration.ts";

export { TOOL_VARIABLE_PATTERN, type ToolSettings, toolSettingsKey } from "./config-tools.ts";

/**
 * The server's configuration, read and validated once at start-up from one zod schema per
 * environment variable (`VARIABLES` below). The same table gives the defaults, the `Config` type and
 * the generated configuration reference (`pnpm docs:config`). Nothing else reads the environment.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** A value of the environment, trimmed; unset and blank are the same. */
type Raw = string;

/** The schema of one variable: from its trimmed text to its value, with a message that says what to write. */
const text = z.string();

const duration = (min = 1) =>
  text.transform((raw, ctx) => {
    const ms = parseDuration(raw);
    if (ms === undefined || ms < min) {
      ctx.addIssue({
        code: "custom",
        message: `"${raw}" is not a duration; write it like 200ms, 3s, 10m, 72h or 7d`,
      });
      return z.NEVER;
    }
    return ms;
  });

const integer = (min: number, max: number) =>
  text.transform((raw, ctx) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `"${raw}" must be a whole number from ${min} to ${max}` });
      return z.NEVER;
    }
    return n;
  });

const boolean = text.transform((raw, ctx) => {
  const lower = raw.toLowerCase();
  if (["true", "1", "yes"].includes(lower)) return true;
  if (["false", "0", "no"].includes(lower)) return false;
  ctx.addIssue({ code: "custom", message: `"${lower}" must be true or false` });
  return z.NEVER;
});

const httpUrl = text.transform((raw, ctx) => {
  if (!URL.canParse(raw) || !["http:", "https:"].includes(new URL(raw).protocol)) {
    ctx.addIssue({
      code: "custom",
      message: `"${raw}" must be an http(s) URL such as http://127.0.0.1:8790`,
    });
    return z.NEVER;
  }
  return raw.replace(/\/+$/, "");
});

const base64Key = (message: string) =>
  text.refine((raw) => Buffer.from(raw, "base64").length === 32, { message });

const databaseUrl = text.refine(
  (raw) =>
    (raw.startsWith("sqlite:") && raw.length > "sqlite:".length) ||
    ((raw.startsWith("postgres://") || raw.startsWith("postgresql://")) && URL.canParse(raw)),
  { message: "must be sqlite:<path>, sqlite::memory: or postgres://user:password@host:5432/database" },
);

/** At least 7 days: longer than a webhook's 3 days of retries and the 72-hour pause window. */
const MIN_RETENTION_MS = 7 * 86_400_000;

/**
 * One environment variable: its schema, its default (a value, or derived from the variables read
 * before it), and its line in the configuration reference.
 */
interface Variable<T> {
  readonly name: string;
  readonly schema: z.ZodType<T, Raw>;
  readonly fallback: (read: Partial<Record<string, unknown>>) => T;
  /** The default as one would write it, or null when unset means something described. */
  readonly documentedDefault: string | null;
  readonly description: string;
}

const variable = <T>(
  name: string,
  schema: z.ZodType<T, Raw>,
  fallback: T | ((read: Partial<Record<string, unknown>>) => T),
  documentedDefault: string | null,
  description: string,
): Variable<T> => ({
  name,
  schema,
  fallback: typeof fallback === "function" ? (fallback as (read: object) => T) : () => fallback,
  documentedDefault,
  description,
});

/**
 * Every variable, in the order of the docs (and of reading: a derived default sees the values read
 * before it). Keys are the `Config` fields.
 */
const VARIABLES = {
  port: variable(
    "PORT",
    integer(0, 65_535),
    8787,
    "8787",
    "Port of the HTTP server (`0` picks a free one, which the server then advertises).",
  ),
  host: variable(
    "HOST",
    text,
    "127.0.0.1",
    "127.0.0.1",
    "Address to listen on; `0.0.0.0` in a container or behind a proxy on another host.",
  ),
  publicUrl: variable(
    "RELINK_PUBLIC_URL",
    httpUrl,
    (read) => {
      const host = read.host as string;
      return `http://${host.includes(":") ? `[${host}]` : host}:${read.port as number}`;
    },
    "http://HOST:PORT",
    "The URL browsers reach relink at: the OpenAPI `servers` entry, magic links, the OAuth redirect URI, and the server's own origin (the hosted page's, always allowed to run flows; the request's `Host` header is never trusted). Unset with `PORT=0`: the port bound. Set it behind a proxy.",
  ),
  dataDir: variable(
    "RELINK_DATA_DIR",
    text,
    "./.relink",
    "./.relink",
    "Where the default SQLite file and the development encryption key live.",
  ),
  databaseUrl: variable(
    "DATABASE_URL",
    databaseUrl,
    (read) => `sqlite:${read.dataDir as string}/relink.db`,
    "sqlite:RELINK_DATA_DIR/relink.db",
    "`sqlite:<path>` (one server process), `sqlite::memory:` (tests) or `postgres://user:password@host:5432/database` (any number of replicas).",
  ),
  encryptionKey: variable<string | null>(
    "RELINK_ENCRYPTION_KEY",
    base64Key("must be the base64 of exactly 32 random bytes; make one with `openssl rand -base64 32`"),
    null,
    null,
    "Base64 of 32 random bytes (`openssl rand -base64 32`) sealing credentials and secrets (AES-256-GCM). Unset: a development key is generated in `RELINK_DATA_DIR`, with a warning. Required in production.",
  ),
  previousEncryptionKeys: variable<readonly string[]>(
    "RELINK_PREVIOUS_ENCRYPTION_KEYS",
    text.transform((raw, ctx) => {
      const keys = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (keys.some((key) => Buffer.from(key, "base64").length !== 32)) {
        ctx.addIssue({
          code: "custom",
          message: "must be a comma-separated list of base64 keys of 32 bytes each",
        });
        return z.NEVER;
      }
      return Object.freeze(keys) as readonly string[];
    }),
    [],
    null,
    "Comma-separated earlier keys (base64, 32 bytes each) still accepted to open values sealed before a rotation.",
  ),
  pauseAfterMs: variable(
    "RELINK_PAUSE_AFTER",
    duration(),
    72 * 3_600_000,
    "72h",
    "How long authentication must fail continuously before an integration is paused (`INVALID`).",
  ),
  syncIntervalMs: variable(
    "RELINK_SYNC_INTERVAL",
    duration(),
    3 * 3_600_000,
    "3h",
    "Time between scheduled syncs of an integration (each starts with an auth check).",
  ),
  schedulerTickMs: variable(
    "RELINK_SCHEDULER_TICK",
    duration(),
    1_000,
    "1s",
    "How often the scheduler looks for due syncs.",
  ),
  syncConcurrency: variable(
    "RELINK_SYNC_CONCURRENCY",
    integer(1, 256),
    8,
    "8",
    "Syncs run at once per process (1 to 256).",
  ),
  leaseMs: variable(
    "RELINK_LEASE",
    duration(1_000),
    5 * 60_000,
    "5m",
    "How long a claimed sync is held before another replica may take it over after a crash. On SQLite: how long the scheduling process's lease on the file outlives a crash (a clean stop gives it back; a process on the same host takes over as soon as the crashed one is gone).",
  ),
  runWorkers: variable(
    "RELINK_RUN_WORKERS",
    boolean,
    true,
    "true",
    "Run the scheduler and the webhook dispatcher in this process; `false` for API-only replicas.",
  ),
  webhookTimeoutMs: variable(
    "RELINK_WEBHOOK_TIMEOUT",
    duration(100),
    10_000,
    "10s",
    "Total time allowed for one webhook POST, answer included.",
  ),
  webhookTickMs: variable(
    "RELINK_WEBHOOK_TICK",
    duration(),
    1_000,
    "1s",
    "How often the webhook dispatcher polls when nothing woke it (a fallback: commits wake it in-process, and on PostgreSQL through LISTEN/NOTIFY across replicas).",
  ),
  webhookConcurrency: variable(
    "RELINK_WEBHOOK_CONCURRENCY",
    integer(1, 1024),
    32,
    "32",
    "Webhook POSTs in flight at once per process (1 to 1024).",
  ),
  retentionMs: variable(
    "RELINK_RETENTION",
    text.transform((raw, ctx) => {
      const ms = parseDuration(raw);
      if (ms === undefined || ms < MIN_RETENTION_MS) {
        ctx.addIssue({
          code: "custom",
          message: `"${raw}" must be a duration of at least 7d (webhook retries last 3 days), like 30d or 90d`,
        });
        return z.NEVER;
      }
      return ms;
    }),
    30 * 86_400_000,
    "30d",
    "How long finished history is kept: webhook deliveries and their attempts, events, sync runs (each integration keeps its latest), expired relink links, the records of replaced OAuth grants' revocations. At least `7d`.",
  ),
  allowPrivateWebhookUrls: variable(
    "RELINK_ALLOW_PRIVATE_WEBHOOK_URLS",
    boolean,
    false,
    "false",
    "Allow webhook endpoints on loopback and private addresses (and plain http): local development only.",
  ),
  allowHttpWebhookUrls: variable(
    "RELINK_ALLOW_HTTP_WEBHOOK_URLS",
    boolean,
    (read) => read.allowPrivateWebhookUrls as boolean,
    "as RELINK_ALLOW_PRIVATE_WEBHOOK_URLS",
    "Allow plain-http webhook endpoints (public addresses only unless the above is set).",
  ),
  trustProxy: variable(
    "RELINK_TRUST_PROXY",
    boolean,
    false,
    "false",
    "Behind exactly one reverse proxy: take the client address from the last `X-Forwarded-For` entry (for per-address rate limits).",
  ),
  metricsPort: variable<number | null>(
    "RELINK_METRICS_PORT",
    integer(0, 65_535),
    null,
    null,
    "Serve Prometheus metrics at `GET /metrics` on this port (on `HOST`), a listener apart from the API so that only the network you expose it to can scrape it (`0` picks a free one).",
  ),
  expiryWarningMs: variable(
    "RELINK_EXPIRY_WARNING",
    duration(),
    7 * 86_400_000,
    "7d",
    "How long before a tool-reported credentials expiry `integration-credentials-expiring` is announced (once per expiry).",
  ),
  enableSimulation: variable(
    "RELINK_ENABLE_SIMULATION",
    boolean,
    false,
    "false",
    "Sandboxes only: enables `POST /v1/integrations/{id}/simulate`, which forces the next auth checks' outcome and can jump a failure streak to pausing in a minute. Never set it in production.",
  ),
  connectorModules: variable<readonly string[]>(
    "RELINK_CONNECTOR_MODULES",
    text.transform((raw) =>
      Object.freeze(
        raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ),
    Object.freeze([]) as readonly string[],
    null,
    "Comma-separated modules of coded connectors, loaded at start: package names (installed beside `@relink/server`) or file paths (relative to the working directory). Each default-exports a function of `{ env, clock }` returning connectors; a failing one stops the start.",
  ),
  connectorsDir: variable<string | null>(
    "RELINK_CONNECTORS_DIR",
    text,
    null,
    null,
    "A folder of connectors declared in JSON (`*.json`, see docs/connectors.md), loaded at start. An invalid one stops the start, naming the file and the JSON path of the problem.",
  ),
  tools: variable<readonly string[] | null>(
    "RELINK_TOOLS",
    text.transform((raw, ctx) => {
      const ids = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = ids.find((id) => !/^[a-z][a-z0-9-]{1,49}$/.test(id));
      if (bad !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `"${bad}" is not a tool id; write ids like bamboohr,personio`,
        });
        return z.NEVER;
      }
      return Object.freeze(ids) as readonly string[];
    }),
    null,
    null,
    "Comma-separated ids of the catalog tools (`@relink/connectors`) to enable, e.g. `bamboohr,personio,gusto`. Unset: every catalog tool whose settings are present (tools that need none, and OAuth tools with a client id and secret). `GET /v1/tools` says what a tool lacks.",
  ),
  /** From `RELINK_TOOLS_FILE`; `loadConfig` then lays the `RELINK_TOOL_<ID>_…` variables over it. */
  toolSettings: variable<Readonly<Record<string, ToolSettings>>>(
    "RELINK_TOOLS_FILE",
    toolsFileSettings,
    {},
    null,
    'A JSON file of tool settings instead of variables: `{ "gusto": { "client_id": "…", "client_secret": "…" } }` (variables win).',
  ),
  logLevel: variable<LogLevel>(
    "LOG_LEVEL",
    text.pipe(
      z.enum(LOG_LEVELS, {
        error: (issue) => `"${String(issue.input)}" must be one of ${LOG_LEVELS.join(", ")}`,
      }),
    ),
    "info",
    "info",
    "`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`; logs are JSON lines (pino).",
  ),
} as const;

type Variables = typeof VARIABLES;

/** The server's configuration: one readonly field per variable of `VARIABLES`. */
export type Config = { readonly [K in keyof Variables]: Variables[K] extends Variable<infer T> ? T : never };

type Env = Record<string, string | undefined>;

/** Reads the environment once; throws a `ConfigError` naming the variable on any bad value. */
export function loadConfig(env: Env = process.env): Config {
  const read: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(VARIABLES) as [string, Variable<unknown>][]) {
    const raw = env[spec.name]?.trim();
    if (raw === undefined || raw === "") {
      read[key] = spec.fallback(read);
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(spec.name, parsed.error.issues[0]?.message ?? "is not a valid value");
    }
    read[key] = parsed.data;
  }
  read.toolSettings = withToolVariables(read.toolSettings as Record<string, ToolSettings>, env);
  return Object.freeze(read) as Config;
}

/**
 * Every default, as `loadConfig` gives it for an empty environment, except that embedding and tests
 * start with no catalog tool (the environment's default, `RELINK_TOOLS` unset, is every ready one).
 */
export const DEFAULT_CONFIG: Config = Object.freeze({ ...loadConfig({}), tools: Object.freeze([]) });

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
 * the configuration reference in `docs/self-hosting.md` from it, and a test fails when the doc is
 * stale.
 */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze(
  Object.values(VARIABLES).flatMap((v: Variable<unknown>) => [
    // The `RELINK_TOOL_<ID>_…` family (`TOOL_VARIABLE_PATTERN`), documented before the file they override.
    ...(v.name === "RELINK_TOOLS_FILE" ? TOOL_VARIABLES : []),
    { name: v.name, default: v.documentedDefault, description: v.description },
  ]),
);
