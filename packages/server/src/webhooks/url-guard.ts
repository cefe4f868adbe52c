import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

/**
 * What a webhook may target, so that an API key cannot turn relink into a proxy into its own
 * network (SSRF): https only, and public addresses only, unless the operator allows more for
 * local development. Checked when an endpoint is saved and again on every connection, on the
 * addresses actually connected to (a name may resolve elsewhere by then: DNS rebinding).
 */
export interface WebhookTargetPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

export class WebhookUrlError extends Error {
  override name = "WebhookUrlError";
}

/** Resolves a host name to all its addresses (node's `dns.lookup` shape). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/** Parses a webhook URL and checks its form and scheme (no network). */
export function parseWebhookUrl(raw: string, policy: WebhookTargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError(`"${raw}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WebhookUrlError(`the URL must use https, not ${url.protocol.replace(/:$/, "")}`);
  }
  if (url.protocol === "http:" && !policy.allowHttp) {
    throw new WebhookUrlError(
      "the URL must use https (http is accepted only when the server sets RELINK_ALLOW_HTTP_WEBHOOK_URLS=true)",
    );
  }
  if (url.hash) throw new WebhookUrlError("the URL must not have a #fragment");
  return url;
}

/** The host of a URL as an IP literal or a name (IPv6 brackets removed). */
export function urlHost(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks a URL completely: form, scheme and, unless private targets are allowed, every address its
 * host resolves to. Throws a `WebhookUrlError` saying what is wrong.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: WebhookTargetPolicy,
  resolve: Resolver = systemResolver,
): Promise<URL> {
  const url = parseWebhookUrl(raw, policy);
  if (policy.allowPrivate) return url;
  const host = urlHost(url);
  if (isIP(host)) {
    assertPublicAddress(host, host);
    return url;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new WebhookUrlError(`the host ${host} does not resolve (${code})`);
  }
  if (addresses.length === 0) throw new WebhookUrlError(`the host ${host} does not resolve`);
  for (const { address } of addresses) assertPublicAddress(host, address);
  return url;
}

/** Refuses a URL whose host is a non-public IP literal (names are checked when they resolve). */
export function assertPublicIfLiteral(url: URL): void {
  const host = urlHost(url);
  if (isIP(host)) assertPublicAddress(host, host);
}

const PUBLIC_ONLY =
  "webhooks go to public addresses only (RELINK_ALLOW_PRIVATE_WEBHOOK_URLS=true allows others, for local development)";

/**
 * Refuses a non-public address. An IP literal is named (the caller wrote it); for a host name the
 * refusal never says what the name resolves to, nor what kind of address that is: the answers of
 * relink's resolver (its internal network) are not the caller's to learn.
 */
function assertPublicAddress(host: string, address: string): void {
  const kind = nonPublicKind(address);
  if (!kind) return;
  throw new WebhookUrlError(
    host === address
      ? `${address}, a ${kind} address: ${PUBLIC_ONLY}`
      : `the host ${host} resolves to an address that is not allowed: ${PUBLIC_ONLY}`,
  );
}

/**
 * The `lookup` of the webhook HTTP client when private targets are refused: every address of the
 * host must be public, and the connection goes to the addresses checked here, never re-resolved.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        try {
          if (addresses.length === 0) throw new WebhookUrlError(`the host ${hostname} does not resolve`);
          for (const { address } of addresses) assertPublicAddress(hostname, address);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, "", 4);
          return;
        }
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (options.all) {
          (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, usable);
          return;
        }
        const first = usable[0];
        if (!first) {
          callback(new WebhookUrlError(`the host ${hostname} has no IPv${family} address`), "", 4);
          return;
        }
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 4),
    );
  };
}

type Range = readonly [kind: string, network: readonly number[], prefixBits: number];

const IPV4_RANGES: readonly Range[] = [
  ["unspecified", [0, 0, 0, 0], 8],
  ["loopback", [127, 0, 0, 0], 8],
  ["private", [10, 0, 0, 0], 8],
  ["private", [172, 16, 0, 0], 12],
  ["private", [192, 168, 0, 0], 16],
  ["shared (carrier-grade NAT)", [100, 64, 0, 0], 10],
  ["link-local", [169, 254, 0, 0], 16],
  ["reserved", [192, 0, 0, 0], 24],
  ["documentation", [192, 0, 2, 0], 24],
  ["documentation", [198, 51, 100, 0], 24],
  ["documentation", [203, 0, 113, 0], 24],
  ["benchmarking", [198, 18, 0, 0], 15],
  ["multicast", [224, 0, 0, 0], 4],
  ["reserved", [240, 0, 0, 0], 4],
];

const IPV6_RANGES: readonly Range[] = [
  ["unspecified", ipv6Bytes("::"), 128],
  ["loopback", ipv6Bytes("::1"), 128],
  ["private (unique local)", ipv6Bytes("fc00::"), 7],
  ["link-local", ipv6Bytes("fe80::"), 10],
  ["site-local", ipv6Bytes("fec0::"), 10],
  ["multicast", ipv6Bytes("ff00::"), 8],
  ["documentation", ipv6Bytes("2001:db8::"), 32],
  ["discard", ipv6Bytes("100::"), 64],
];

/** IPv6 ranges that carry an IPv4 address in their last 32 bits: judged by that address. */
const IPV6_EMBEDDING_IPV4: readonly Range[] = [
  ["IPv4-mapped", ipv6Bytes("::ffff:0:0"), 96],
  ["IPv4-compatible", ipv6Bytes("::"), 96],
  ["NAT64", ipv6Bytes("64:ff9b::"), 96],
  ["NAT64 local", ipv6Bytes("64:ff9b:1::"), 48],
];

/** What kind of non-public address this is (`loopback`, `private`, …), or null for a public one. */
export function nonPublicKind(address: string): string | null {
  const version = isIP(address);
  if (version === 4) return kindOf(ipv4Bytes(address), IPV4_RANGES);
  if (version !== 6) return "invalid";
  const bytes = ipv6Bytes(address);
  const direct = kindOf(bytes, IPV6_RANGES);
  if (direct) return direct;
  for (const range of IPV6_EMBEDDING_IPV4) {
    if (inRange(bytes, range)) return kindOf(bytes.slice(12), IPV4_RANGES);
  }
  // 6to4 (2002::/16) carries an IPv4 address in bits 16 to 48.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return kindOf(bytes.slice(2, 6), IPV4_RANGES);
  return null;
}

function kindOf(bytes: readonly number[], ranges: readonly Range[]): string | null {
  for (const range of ranges) if (inRange(bytes, range)) return range[0];
  return null;
}

function inRange(bytes: readonly number[], [, network, bits]: Range): boolean {
  for (let i = 0; i < network.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Bytes(address: string): number[] {
  return address.split(".").map(Number);
}

function ipv6Bytes(address: string): number[] {
  let text = address.split("%")[0] ?? "";
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    tail.push(...ipv4Bytes(dotted[1]));
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = "", rest] = text.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":").filter(Boolean) : []);
  const left = groups(head);
  const right = groups(rest);
  const fill = rest === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  const words = [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
  const bytes = words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}
