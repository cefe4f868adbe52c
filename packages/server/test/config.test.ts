import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/config.ts";
import { formatDuration, parseDuration } from "../src/duration.ts";

describe("configuration", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      databaseUrl: "sqlite:./.relink/relink.db",
      pauseAfterMs: 72 * 3_600_000,
      syncIntervalMs: 3 * 3_600_000,
      allowPrivateWebhookUrls: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads every documented variable", () => {
    const config = loadConfig({
      PORT: "9000",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgres://u:p@db:5432/relink",
      RELINK_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      RELINK_PUBLIC_URL: "https://relink.example.com/",
      RELINK_PAUSE_AFTER: "3s",
      RELINK_SYNC_INTERVAL: "200ms",
      RELINK_CONNECTOR_MODULES: " my-connectors , ./local/connectors.js ",
      RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "true",
    });
    expect(config).toMatchObject({
      port: 9000,
      host: "0.0.0.0",
      databaseUrl: "postgres://u:p@db:5432/relink",
      publicUrl: "https://relink.example.com",
      pauseAfterMs: 3000,
      syncIntervalMs: 200,
      connectorModules: ["my-connectors", "./local/connectors.js"],
      allowPrivateWebhookUrls: true,
      allowHttpWebhookUrls: true,
    });
  });

  it.each([
    ["PORT", "eighty", /PORT: "eighty" must be a whole number/],
    ["PORT", "70000", /PORT/],
    ["RELINK_PAUSE_AFTER", "3 days", /RELINK_PAUSE_AFTER: "3 days" is not a duration/],
    ["RELINK_SYNC_INTERVAL", "0s", /RELINK_SYNC_INTERVAL/],
    ["RELINK_ENCRYPTION_KEY", "short", /RELINK_ENCRYPTION_KEY: must be the base64 of exactly 32/],
    ["DATABASE_URL", "mysql://x", /DATABASE_URL: must be sqlite:<path>/],
    ["RELINK_PUBLIC_URL", "ftp://x", /RELINK_PUBLIC_URL/],
    [
      "RELINK_ALLOW_PRIVATE_WEBHOOK_URLS",
      "maybe",
      /RELINK_ALLOW_PRIVATE_WEBHOOK_URLS: "maybe" must be true or false/,
    ],
    ["LOG_LEVEL", "loud", /LOG_LEVEL/],
  ])("refuses %s=%s naming the variable", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("documents each default as the value loadConfig gives when the variable is unset", () => {
    const defaults = loadConfig({});
    const names = CONFIG_VARIABLES.map((v) => v.name);
    const literal = CONFIG_VARIABLES.filter(
      (v) =>
        v.default !== null && !names.some((name) => v.default?.includes(name) || v.default?.includes("HOST")),
    );
    expect(literal.length).toBeGreaterThan(15);
    for (const v of literal) {
      expect(loadConfig({ [v.name]: v.default as string }), v.name).toEqual(defaults);
    }
  });

  it("parses and formats durations", () => {
    expect(parseDuration("200ms")).toBe(200);
    expect(parseDuration("3s")).toBe(3000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("72h")).toBe(259_200_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("h")).toBeUndefined();
    expect(parseDuration("-1s")).toBeUndefined();
    expect(formatDuration(259_200_000)).toBe("3d");
    expect(formatDuration(1500)).toBe("1500ms");
  });
});
