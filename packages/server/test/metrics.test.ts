import { afterEach, describe, expect, it } from "vitest";
import { defineConfig } from "../src/config.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { serveMetrics, startServer } from "../src/serve.ts";
import { availableDialects } from "../src/testing/index.ts";
import { HOUR, type PauseWorld, pauseWorld } from "./pause-engine/helpers.ts";

/**
 * `GET /metrics` (Prometheus text, prom-client) on its own port, `RELINK_METRICS_PORT`: never on
 * the API's port. Counters of syncs, auth-check outcomes, pauses and webhook deliveries; queue
 * depths read when scraped; request latency by route pattern, never the raw path.
 */
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("the metrics listener", () => {
  it("is not on the API's port, and without RELINK_METRICS_PORT there is none", async () => {
    const config = defineConfig({
      port: 0,
      databaseUrl: "sqlite::memory:",
      encryptionKey: generateEncryptionKey(),
      runWorkers: false,
      logLevel: "silent",
    });
    const plain = await startServer({ config });
    cleanup.push(() => plain.close());
    expect(plain.metricsUrl).toBeNull();
    expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);

    const withMetrics = await startServer({ config: { ...config, metricsPort: 0 } });
    cleanup.push(() => withMetrics.close());
    expect(withMetrics.metricsUrl).not.toBeNull();
    expect((await fetch(`${withMetrics.url}/metrics`)).status).toBe(404);
    const scraped = await fetch(`${withMetrics.metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    for (const name of [
      "relink_syncs_total",
      "relink_auth_checks_total",
      "relink_pauses_total",
      "relink_webhook_deliveries_total",
      "relink_webhook_deliveries_pending",
      "relink_syncs_due",
      "relink_http_request_duration_seconds",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect((await fetch(`${withMetrics.metricsUrl}/other`)).status).toBe(404);
    expect((await fetch(`${withMetrics.metricsUrl}/metrics`, { method: "POST" })).status).toBe(405);
  });
});

describe.each(availableDialects())("metrics on %s", (dialect) => {
  it("counts syncs, auth-check outcomes, the pause and deliveries; queue depths; latency by route pattern", async () => {
    const world: PauseWorld = await pauseWorld({
      dialect,
      config: { allowPrivateWebhookUrls: true, allowHttpWebhookUrls: true },
    });
    cleanup.push(() => world.close());
    const metrics = await serveMetrics(world.t.server, { host: "127.0.0.1", metricsPort: 0 });
    cleanup.push(() => metrics.close());
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };

    // A receiver that is not there: deliveries stay pending, then are retried.
    const endpoint = await world.t.request("POST", "/v1/webhook-endpoints", {
      body: { url: "http://127.0.0.1:9/hooks" },
    });
    expect(endpoint.status).toBe(201);

    world.tool.setKey("k1");
    const integration = await world.importIntegration("k1");
    // Its first sync is due at once.
    expect(sample(await scrape(), "relink_syncs_due")).toBe(1);
    await world.t.server.scheduler.runDue();
    let text = await scrape();
    expect(sample(text, "relink_syncs_total", 'outcome="succeeded"')).toBe(1);
    expect(sample(text, "relink_auth_checks_total", 'outcome="OK"')).toBe(1);
    expect(sample(text, "relink_syncs_due")).toBe(0);

    // The key is revoked: failing checks, and the pause once the window (72 h) has passed.
    world.tool.revoke("k1");
    for (let i = 0; i < 30 && (await world.get(integration.id)).state !== "INVALID"; i++) {
      await world.step(3 * HOUR);
    }
    expect((await world.get(integration.id)).state).toBe("INVALID");
    text = await scrape();
    expect(sample(text, "relink_pauses_total")).toBe(1);
    expect(sample(text, "relink_auth_checks_total", 'outcome="AUTH_FAILED"')).toBeGreaterThanOrEqual(2);
    expect(sample(text, "relink_syncs_total", 'outcome="failed"')).toBeGreaterThanOrEqual(2);
    const pending = sample(text, "relink_webhook_deliveries_pending") ?? 0;
    expect(pending).toBeGreaterThan(0);

    // One attempt each, all refused by the missing receiver: retried later.
    expect(await world.t.server.webhooks.drain()).toBeGreaterThan(0);
    text = await scrape();
    expect(sample(text, "relink_webhook_deliveries_total", 'outcome="retrying"')).toBeGreaterThan(0);
    expect(sample(text, "relink_webhook_deliveries_total", 'outcome="succeeded"')).toBeUndefined();

    // Latency by the route's pattern: the integration's id never becomes a label.
    expect((await world.t.request("GET", `/v1/integrations/${integration.id}`)).status).toBe(200);
    expect((await world.t.request("GET", "/nowhere/at/all", { key: null })).status).toBe(404);
    text = await scrape();
    expect(text).toContain(
      'relink_http_request_duration_seconds_count{method="GET",route="/v1/integrations/:id",status="200"}',
    );
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain(integration.id);
    expect(text).not.toContain("/nowhere");
  });
});
