import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Context } from "hono";
import type { AppEnv } from "./env.ts";

/**
 * A file served as is, compressed once (gzip and brotli) when it is first asked for, never per
 * request, with a strong ETag of its contents. Each encoding is a representation with its own
 * ETag (`"<hash>"`, `"<hash>-br"`, `"<hash>-gz"`); any of them in `If-None-Match` answers 304.
 */
export interface StaticAsset {
  readonly identity: Uint8Array;
  readonly br: Uint8Array;
  readonly gzip: Uint8Array;
  /** The contents' hash (no quotes, no encoding suffix). */
  readonly hash: string;
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses off the event loop (zlib's thread pool): megabytes take seconds. */
export async function compressAsset(contents: Uint8Array): Promise<StaticAsset> {
  // Brotli's best quality is slow on megabytes (the API reference's script): a lower one there.
  const quality = contents.byteLength <= 1024 * 1024 ? constants.BROTLI_MAX_QUALITY : 5;
  const [br, gzipped] = await Promise.all([
    brotliAsync(contents, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: contents.byteLength,
      },
    }),
    gzipAsync(contents, { level: 9 }),
  ]);
  return {
    identity: contents,
    br,
    gzip: gzipped,
    hash: createHash("sha256").update(contents).digest("base64url").slice(0, 22),
  };
}

/**
 * Loads and compresses files on first use and keeps them: one entry per path. A file that cannot
 * be read is not remembered, so a build that appears later is picked up.
 */
export function assetCache() {
  const loaded = new Map<string, Promise<StaticAsset | null>>();
  return (path: string): Promise<StaticAsset | null> => {
    let asset = loaded.get(path);
    if (!asset) {
      asset = readFile(path).then(compressAsset, () => null);
      loaded.set(path, asset);
      asset.then((found) => found ?? loaded.delete(path));
    }
    return asset;
  };
}

type Encoding = "br" | "gzip" | "identity";

/** The best encoding the client accepts (`q=0` refuses one), brotli before gzip. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return "identity";
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (name) weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string) => weights.get(name) ?? weights.get("*") ?? 0;
  const br = weightOf("br");
  const gzip = weightOf("gzip");
  if (br > 0 && br >= gzip) return "br";
  if (gzip > 0) return "gzip";
  return "identity";
}

const SUFFIX: Record<Encoding, string> = { br: "-br", gzip: "-gz", identity: "" };

/** Whether `If-None-Match` names this asset (in any encoding), or is `*`. */
function notModified(ifNoneMatch: string | undefined, hash: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const value = tag.trim().replace(/^W\//, "");
    return value === "*" || value === `"${hash}"` || value === `"${hash}-br"` || value === `"${hash}-gz"`;
  });
}

/** Answers with the asset: 304 when the client has it, else the best encoding it accepts. */
export function serveAsset(
  c: Context<AppEnv>,
  asset: StaticAsset,
  headers: { contentType: string; cacheControl: string; cors?: boolean },
): Response {
  const encoding = negotiateEncoding(c.req.header("accept-encoding"));
  const common: Record<string, string> = {
    "Cache-Control": headers.cacheControl,
    ETag: `"${asset.hash}${SUFFIX[encoding]}"`,
    Vary: "Accept-Encoding",
    ...(headers.cors ? { "Access-Control-Allow-Origin": "*" } : {}),
  };
  if (notModified(c.req.header("if-none-match"), asset.hash)) return c.body(null, 304, common);
  const body = encoding === "br" ? asset.br : encoding === "gzip" ? asset.gzip : asset.identity;
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    ...common,
    "Content-Type": headers.contentType,
    ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
  });
}
