import { type WebhookEvent, WebhookEventSchema } from "../contract/webhooks.ts";
import { concatBytes, decodeBase64, encodeBase64, timingSafeEqual, utf8 } from "./encoding.ts";

/**
 * Why `verifyWebhook` refused a delivery; stable, for `switch (error.code)`.
 *
 * @example
 * ```ts
 * const status = (code: WebhookVerificationErrorCode) => (code === "INVALID_PAYLOAD" ? 422 : 401);
 * ```
 */
export type WebhookVerificationErrorCode =
  | "MISSING_HEADER"
  | "INVALID_SIGNATURE"
  | "TIMESTAMP_TOO_OLD"
  | "TIMESTAMP_TOO_NEW"
  | "INVALID_PAYLOAD";

/**
 * A webhook delivery that must not be trusted. Answer it with a 4xx and do not act on it.
 *
 * @example
 * ```ts
 * try {
 *   await verifyWebhook({ body, headers, secret });
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return new Response(error.code, { status: 400 });
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
  constructor(
    readonly code: WebhookVerificationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Headers as a `Headers` object (fetch, Hono, Next.js) or a plain record (Node's `req.headers`, Express).
 *
 * @example
 * ```ts
 * await verifyWebhook({ body: rawBody, headers: req.headers, secret }); // Express with express.raw()
 * ```
 */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

/**
 * Options of `verifyWebhook`.
 *
 * @example
 * ```ts
 * const options: VerifyWebhookOptions = { body: await request.text(), headers: request.headers, secret, tolerance: 60 };
 * ```
 */
export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received: verify before parsing. */
  body: string | Uint8Array | ArrayBuffer;
  headers: WebhookHeaders;
  /** The endpoint's secret, `whsec_…`. */
  secret: string;
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds; default 300 (5 minutes). */
  tolerance?: number;
  /** What "now" is; default the current time. For tests with a frozen clock. */
  currentDate?: Date;
}

const DEFAULT_TOLERANCE = 5 * 60;

/**
 * Verifies a relink webhook delivery (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) and returns its typed event. Accepts any of several signatures in the
 * header, so deliveries keep verifying while the endpoint's secret is rotated. Comparison is in
 * constant time; deliveries older or newer than the tolerance are refused (replays).
 *
 * @throws WebhookVerificationError with a `code` when the delivery must not be trusted.
 * @throws TypeError when the options are wrong (no secret, a secret that is not `whsec_<base64>`).
 * @example
 * ```ts
 * import { verifyWebhook, WebhookVerificationError } from "@relink/sdk/server";
 *
 * app.post("/webhooks/relink", async (c) => {
 *   const event = await verifyWebhook({
 *     body: await c.req.text(),
 *     headers: c.req.raw.headers,
 *     secret: process.env.RELINK_WEBHOOK_SECRET!,
 *   });
 *   switch (event.type) {
 *     case "integration-auth-status-changed":
 *       if (event.data.auth_status === "FAILING") await warnCustomer(event.data.integration_id, event.data.pauses_at);
 *       break;
 *     case "integration-state-changed":
 *       if (event.data.state === "INVALID") await askToRelink(event.data.integration_id);
 *       break;
 *   }
 *   return c.body(null, 204);
 * });
 * ```
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  if (options === null || typeof options !== "object")
    throw new TypeError("verifyWebhook needs an options object");
  const { headers, tolerance = DEFAULT_TOLERANCE } = options;
  const key = await secretKey(options.secret);
  const body = bodyBytes(options.body);
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError("tolerance must be a number of seconds, 0 or more");
  }
  if (headers === null || typeof headers !== "object") throw new TypeError("headers are required");

  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature", " ");
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      "INVALID_SIGNATURE",
      "webhook-timestamp is not a Unix time in seconds",
    );
  }
  const now = Math.floor((options.currentDate?.getTime() ?? Date.now()) / 1000);
  const sentAt = Number(timestamp);
  if (sentAt < now - tolerance) {
    throw new WebhookVerificationError("TIMESTAMP_TOO_OLD", "the delivery is older than the tolerance");
  }
  if (sentAt > now + tolerance) {
    throw new WebhookVerificationError("TIMESTAMP_TOO_NEW", "the delivery's timestamp is in the future");
  }

  const expected = await hmac(key, signedContent(id, timestamp, body));
  let valid = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const candidate = decodeBase64(entry.slice(comma + 1));
    // No early exit: every entry is compared.
    if (candidate && timingSafeEqual(candidate, expected)) valid = true;
  }
  if (!valid) throw new WebhookVerificationError("INVALID_SIGNATURE", "no signature matches the secret");

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw new WebhookVerificationError("INVALID_PAYLOAD", "the body is not JSON", { cause: error });
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new WebhookVerificationError("INVALID_PAYLOAD", "the body is not a relink webhook event", {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Options of `signWebhook`.
 *
 * @example
 * ```ts
 * const options: SignWebhookOptions = { id: "evt_…", timestamp: new Date(), body, secret: [current, previous] };
 * ```
 */
export interface SignWebhookOptions {
  /** The event id, sent as `webhook-id` (the same on every attempt, for deduplication). */
  id: string;
  /** When this attempt is sent: a `Date` or Unix seconds. */
  timestamp: Date | number;
  /** The exact body that will be sent. */
  body: string | Uint8Array;
  /** `whsec_…`; several during a rotation: the header then carries one signature per secret. */
  secret: string | readonly string[];
}

/**
 * The three headers of a signed delivery.
 *
 * @example
 * ```ts
 * const headers: WebhookSignatureHeaders = await signWebhook({ id, timestamp: new Date(), body, secret });
 * ```
 */
export type WebhookSignatureHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * Signs a webhook delivery the Standard Webhooks way: what relink's dispatcher sends, and what a
 * test needs to build a delivery that `verifyWebhook` accepts.
 *
 * @example
 * ```ts
 * import { signWebhook } from "@relink/sdk/server";
 *
 * const body = JSON.stringify(event);
 * const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret: endpoint.secret });
 * await fetch(endpoint.url, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } });
 * ```
 */
export async function signWebhook(options: SignWebhookOptions): Promise<WebhookSignatureHeaders> {
  if (options === null || typeof options !== "object")
    throw new TypeError("signWebhook needs an options object");
  const { id } = options;
  if (typeof id !== "string" || id === "" || /[\s,]/.test(id)) {
    throw new TypeError("id must be a non-empty string without spaces or commas");
  }
  const seconds =
    options.timestamp instanceof Date ? Math.floor(options.timestamp.getTime() / 1000) : options.timestamp;
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new TypeError("timestamp must be a Date or whole Unix seconds");
  }
  const secrets = typeof options.secret === "string" ? [options.secret] : [...options.secret];
  if (secrets.length === 0) throw new TypeError("secret must name at least one secret");
  const content = signedContent(id, String(seconds), bodyBytes(options.body));
  const signatures = await Promise.all(
    secrets.map(async (secret) => `v1,${encodeBase64(await hmac(await secretKey(secret), content))}`),
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(seconds),
    "webhook-signature": signatures.join(" "),
  };
}

function signedContent(id: string, timestamp: string, body: Uint8Array): Uint8Array {
  return concatBytes(utf8(`${id}.${timestamp}.`), body);
}

async function hmac(key: CryptoKey, content: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, content as Uint8Array<ArrayBuffer>));
}

function secretKey(secret: unknown): Promise<CryptoKey> {
  if (typeof secret !== "string" || secret === "") {
    throw new TypeError("secret is required: the endpoint's whsec_… secret");
  }
  const bytes = decodeBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  if (!bytes || bytes.length < 16) {
    throw new TypeError(
      "secret must be whsec_ followed by base64 (as POST /v1/webhook-endpoints returns it)",
    );
  }
  return crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

function bodyBytes(body: unknown): Uint8Array {
  if (typeof body === "string") return utf8(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError(
    "body must be the raw request body as a string, Uint8Array or ArrayBuffer (not parsed JSON: re-serialising changes the bytes)",
  );
}

function header(headers: WebhookHeaders, name: string, join = ","): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof (headers as Headers).get === "function") {
    value = (headers as Headers).get(name);
  } else {
    const record = headers as Record<string, string | readonly string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  const text = (typeof value === "string" ? value : value?.join(join))?.trim();
  if (!text) throw new WebhookVerificationError("MISSING_HEADER", `the ${name} header is missing`);
  return text;
}
