import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_REFERENCE_SCRIPT_FILE } from "../src/routes/api-reference.ts";
import type { RunningServer } from "../src/serve.ts";
import { createTestRelink, type TestRelink } from "../src/testing/index.ts";
import { startQuietServer } from "./running-server.ts";

/**
 * `/docs` loads its script from this server (the installed, pinned `@scalar/api-reference`), never
 * from a CDN, under a CSP that allows only this origin's scripts; it renders offline.
 */
let t: TestRelink;
beforeAll(async () => {
  t = await createTestRelink();
});
afterAll(() => t?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  t.request("GET", path, { key: null, headers });

describe("the API reference page", () => {
  it("references no other origin, and runs under a CSP that allows only this origin's scripts", async () => {
    const page = await get("/docs");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull(); // no inline script
    const sources = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources).toEqual(["/docs/api-reference.js", "/docs/init.js"]);
    expect(html).toContain('data-url="/openapi.json"');
  });

  it("answers its script URLs with JavaScript: the installed package's build, and the start-up", {
    timeout: 120_000,
  }, async () => {
    const script = await get("/docs/api-reference.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("etag")).toBeTruthy();
    const source = Buffer.from(await script.arrayBuffer());
    // Buffer#equals: a deep comparison of megabytes byte by byte would take minutes.
    expect(source.equals(readFileSync(API_REFERENCE_SCRIPT_FILE))).toBe(true);

    const gzip = await get("/docs/api-reference.js", { "accept-encoding": "gzip" });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).equals(source)).toBe(true);
    const again = await get("/docs/api-reference.js", { "if-none-match": gzip.headers.get("etag")! });
    expect(again.status).toBe(304);

    const init = await get("/docs/init.js");
    expect(init.status).toBe(200);
    expect(init.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const start = await init.text();
    expect(start).toContain("createApiReference");
    expect(start).toContain("withDefaultFonts: false");
    expect(start).not.toMatch(/https?:\/\//);
  });

  it("pins @scalar/api-reference to one exact version", () => {
    const workspace = readFileSync(new URL("../../../pnpm-workspace.yaml", import.meta.url), "utf8");
    expect(workspace).toMatch(/^ {2}"@scalar\/api-reference": \d+\.\d+\.\d+$/m);
  });
});

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runnable = process.env.CI === "true" || existsSync(chromiumPath);
if (!runnable) console.warn("⚠ API reference browser test SKIPPED: needs Chromium at /usr/bin/chromium");

describe.skipIf(!runnable)("the API reference in Chromium", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startQuietServer();
  });
  afterAll(() => server?.close());

  it("renders offline, its one attempt at another origin (Scalar's web fonts) refused by the CSP", async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      const violations: string[] = [];
      const problems: string[] = [];
      // Offline: anything not from this server fails, and is recorded.
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${server.url}/`) || url.startsWith("data:") || url.startsWith("blob:"))
          return route.continue();
        elsewhere.push(url);
        return route.abort();
      });
      page.on("console", (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
        else if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${server.url}/docs`);
      // The reference shows the document's operations, from /openapi.json.
      await page.getByText("Readiness: the database answers").first().waitFor({ timeout: 90_000 });
      await page.getByText("Integrations").first().waitFor({ timeout: 30_000 });
      expect(problems).toEqual([]);
      // Scalar's bundled CSS names its web fonts on fonts.scalar.com even with withDefaultFonts:
      // false; the CSP refuses them (system fonts are used) and nothing else leaves this origin.
      for (const url of elsewhere) expect(url).toMatch(/^https:\/\/fonts\.scalar\.com\/[\w-]+\.woff2$/);
      for (const text of violations)
        expect(text).toMatch(/^Loading the font 'https:\/\/fonts\.scalar\.com\//);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
