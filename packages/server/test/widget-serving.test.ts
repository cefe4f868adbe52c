import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WIDGET_FILE, WIDGET_VERSION } from "../src/connect/widget.ts";
import { assetCache, negotiateEncoding } from "../src/http/static-asset.ts";
import { createTestRelink, type TestRelink } from "../src/testing/index.ts";

/**
 * The widget as a page without a bundler loads it: a versioned URL cached for good, an unversioned
 * one cached briefly, both compressed (brotli, gzip) and with an ETag, locale and view chunks likewise.
 * The project's global setup builds the widget.
 */
let t: TestRelink;
beforeAll(async () => {
  t = await createTestRelink();
});
afterAll(() => t?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  t.request("GET", path, { key: null, headers });
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());
const built = () => readFileSync(WIDGET_FILE);
const versioned = `/widget/v${WIDGET_VERSION}/relink-widget.js`;

describe("the widget's URLs", () => {
  it("serves /widget/v<package version>/relink-widget.js cached immutably, the version being the widget package's", async () => {
    const widgetPackage = createRequire(import.meta.url)("@relink/widget/package.json") as {
      version: string;
    };
    expect(WIDGET_VERSION).toBe(widgetPackage.version);
    const response = await get(versioned);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(await bytes(response)).toEqual(built());
  });

  it("serves /widget/relink-widget.js cached for five minutes, revalidated by ETag", async () => {
    const response = await get("/widget/relink-widget.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("etag")).toBe((await get(versioned)).headers.get("etag"));
    expect(await bytes(response)).toEqual(built());
  });

  it("answers 404 for another version than the one this server has, never other contents under it", async () => {
    for (const path of [
      "/widget/v0.0.0-other/relink-widget.js",
      "/widget/latest/relink-widget.js",
      "/widget/v0.0.0-other/locales/de-x.js",
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it("loads the versioned URL from the hosted page", async () => {
    const html = await (await get("/link")).text();
    expect(html).toContain(`<script type="module" src="${versioned}"></script>`);
  });
});

describe("compression and ETag", () => {
  it("sends brotli or gzip as Accept-Encoding asks, each decoding to the built file", async () => {
    const br = await get(versioned, { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("vary")).toBe("Accept-Encoding");
    const brBody = await bytes(br);
    expect(brotliDecompressSync(brBody)).toEqual(built());
    expect(brBody.byteLength).toBeLessThan(built().byteLength / 2);

    const gzip = await get(versioned, { "accept-encoding": "gzip" });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(await bytes(gzip))).toEqual(built());

    const identity = await get(versioned, { "accept-encoding": "identity" });
    expect(identity.headers.get("content-encoding")).toBeNull();
    expect(await bytes(identity)).toEqual(built());

    // One representation, one ETag each; all name the same contents.
    const tags = [br, gzip, identity].map((r) => r.headers.get("etag"));
    expect(new Set(tags).size).toBe(3);
    expect(tags[0]).toBe(`${tags[2]!.slice(0, -1)}-br"`);
  });

  it("answers 304 without a body to If-None-Match with any of its ETags, 200 to another", async () => {
    for (const accept of ["br", "gzip", "identity"]) {
      const first = await get(versioned, { "accept-encoding": accept });
      const etag = first.headers.get("etag")!;
      for (const path of [versioned, "/widget/relink-widget.js"]) {
        const again = await get(path, { "accept-encoding": accept, "if-none-match": etag });
        expect(again.status, `${path} ${accept}`).toBe(304);
        expect((await bytes(again)).byteLength).toBe(0);
        expect(again.headers.get("etag")).toBe(etag);
        expect(again.headers.get("cache-control")).toBeTruthy();
      }
      const weak = await get(versioned, { "accept-encoding": accept, "if-none-match": `W/${etag}` });
      expect(weak.status).toBe(304);
    }
    const other = await get(versioned, { "if-none-match": '"not-this-one"' });
    expect(other.status).toBe(200);
  });

  it("serves the locale chunks at both URLs, compressed, with an ETag, cached immutably", async () => {
    const source = (await get(versioned)).text();
    const chunk = /locales\/(de-[\w-]+\.js)/.exec(await source)?.[1];
    expect(chunk).toBeTruthy();
    const onDisk = readFileSync(new URL(`locales/${chunk}`, `file://${WIDGET_FILE}`));
    for (const path of [`/widget/v${WIDGET_VERSION}/locales/${chunk}`, `/widget/locales/${chunk}`]) {
      const response = await get(path, { "accept-encoding": "br;q=0.5, gzip;q=1" });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-encoding")).toBe("gzip");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(gunzipSync(await bytes(response))).toEqual(onDisk);
      const etag = response.headers.get("etag")!;
      expect(etag).toMatch(/-gz"$/);
      expect((await get(path, { "if-none-match": etag })).status).toBe(304);
    }
    for (const hostile of ["..%2F..%2Fpackage.json", "%2e%2e", "de.json", "de-x.js%00.png"]) {
      expect((await get(`/widget/v${WIDGET_VERSION}/locales/${hostile}`)).status, hostile).toBe(404);
    }
  });

  it("serves the chunk of the widget's views at both URLs, compressed, cached immutably, as the widget imports it", async () => {
    const source = await (await get(versioned)).text();
    // The drop-in module imports its views relative to its own URL: `./chunks/steps-<hash>.js`.
    const chunk = /["'`]\.\/chunks\/(steps-[\w-]+\.js)["'`]/.exec(source)?.[1];
    expect(chunk, "the widget imports a views chunk").toBeTruthy();
    const onDisk = readFileSync(new URL(`chunks/${chunk}`, `file://${WIDGET_FILE}`));
    for (const path of [`/widget/v${WIDGET_VERSION}/chunks/${chunk}`, `/widget/chunks/${chunk}`]) {
      const response = await get(path, { "accept-encoding": "gzip" });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(gunzipSync(await bytes(response))).toEqual(onDisk);
      expect((await get(path, { "if-none-match": response.headers.get("etag")! })).status).toBe(304);
    }
    expect((await get(`/widget/v0.0.0-other/chunks/${chunk}`)).status).toBe(404);
    for (const hostile of ["..%2F..%2Fpackage.json", "%2e%2e", "steps.json", "steps-x.js%00.png"]) {
      expect((await get(`/widget/v${WIDGET_VERSION}/chunks/${hostile}`)).status, hostile).toBe(404);
    }
  });

  it("compresses each file once, not per request", async () => {
    const assets = assetCache();
    const first = await assets(WIDGET_FILE);
    expect(first).not.toBeNull();
    expect(await assets(WIDGET_FILE)).toBe(first);
  });

  it("picks the encoding by Accept-Encoding's weights", () => {
    expect(negotiateEncoding(undefined)).toBe("identity");
    expect(negotiateEncoding("")).toBe("identity");
    expect(negotiateEncoding("gzip, br")).toBe("br");
    expect(negotiateEncoding("br;q=0, gzip")).toBe("gzip");
    expect(negotiateEncoding("br;q=0.4, gzip;q=0.8")).toBe("gzip");
    expect(negotiateEncoding("*")).toBe("br");
    expect(negotiateEncoding("*;q=0, identity")).toBe("identity");
    expect(negotiateEncoding("deflate")).toBe("identity");
    expect(negotiateEncoding("GZIP")).toBe("gzip");
  });
});
