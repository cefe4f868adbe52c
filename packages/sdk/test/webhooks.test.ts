import { createHmac, randomBytes } from "node:crypto";
// The server's own signer (its dispatcher signs with it).
import { generateWebhookSecret, signWebhookMessage } from "@relink/server/testing";
import { Webhook } from "standardwebhooks";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { WebhookEvent } from "../src/contract/index.ts";
import {
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from "../src/server/index.ts";

const NOW = new Date("2026-11-28T09:00:00.000Z");
const NOW_S = NOW.getTime() / 1000;
const secret = `whsec_${randomBytes(24).toString("base64")}`;

const event = {
  id: "evt_01jd5x3m9k2q8r7t6y5w4v3u2s",
  type: "integration-state-changed",
  created_at: "2026-11-28T08:59:59.123Z",
  data: {
    integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
    integration_tool: "demo-hris",
    integration_category: "HRIS",
    end_user: { origin_id: "org_42", organization_name: "Acme GmbH", email: null },
    state: "INVALID",
    previous_state: "ACTIVE",
    reason: "AUTHENTICATION_FAILED",
    updated_at: "2026-11-28T08:59:59.123Z",
  },
} as const;
const body = JSON.stringify(event);

/** The scheme by hand with node:crypto, independent of the SDK's WebCrypto code. */
function independentSignature(id: string, timestamp: number, payload: string, whsec = secret): string {
  const key = Buffer.from(whsec.slice("whsec_".length), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${payload}`).digest("base64")}`;
}
const headersFor = (signature: string, timestamp = NOW_S, id: string = event.id) => ({
  "webhook-id": id,
  "webhook-timestamp": String(timestamp),
  "webhook-signature": signature,
});

async function refusal(options: Parameters<typeof verifyWebhook>[0]): Promise<WebhookVerificationErrorCode> {
  const error = await verifyWebhook(options).then(
    () => {
      throw new Error("accepted");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe("verifyWebhook", () => {
  it("accepts a delivery signed independently with node:crypto and returns the typed event", async () => {
    const verified = await verifyWebhook({
      body,
      headers: headersFor(independentSignature(event.id, NOW_S, body)),
      secret,
      currentDate: NOW,
    });
    expect(verified).toEqual(event);
    if (verified.type === "integration-state-changed")
      expect(verified.data.reason).toBe("AUTHENTICATION_FAILED");
  });

  it("interoperates with the standardwebhooks reference library both ways", async () => {
    const reference = new Webhook(secret);
    const now = new Date();
    const signature = reference.sign(event.id, now, body);
    const timestamp = Math.floor(now.getTime() / 1000);
    expect(await verifyWebhook({ body, headers: headersFor(signature, timestamp), secret })).toEqual(event);

    const ours = await signWebhook({ id: event.id, timestamp: now, body, secret });
    expect(ours["webhook-signature"]).toBe(signature);
    expect(reference.verify(body, { ...ours })).toEqual(event);
  });

  it("interoperates with the server's signer, also during a secret rotation", async () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    // Spread: the server's header type is an interface, and the SDK takes a plain record.
    const headers = {
      ...signWebhookMessage({
        id: event.id,
        timestamp: NOW_S,
        body,
        secrets: [current, previous],
      }),
    };
    expect(await verifyWebhook({ body, headers, secret: current, currentDate: NOW })).toEqual(event);
    expect(await verifyWebhook({ body, headers, secret: previous, currentDate: NOW })).toEqual(event);
    expect(await signWebhook({ id: event.id, timestamp: NOW_S, body, secret: [current, previous] })).toEqual(
      headers,
    );
  });

  it("signWebhook matches the independent signature and verifies round trip", async () => {
    const headers = await signWebhook({ id: event.id, timestamp: NOW_S, body, secret });
    expect(headers).toEqual(headersFor(independentSignature(event.id, NOW_S, body)));
    expect(await verifyWebhook({ body, headers, secret, currentDate: NOW })).toEqual(event);
  });

  it("accepts any of several signatures (secret rotation), and unknown versions beside them", async () => {
    const old = `whsec_${randomBytes(24).toString("base64")}`;
    const rotated = await signWebhook({ id: event.id, timestamp: NOW, body, secret: [old, secret] });
    expect(rotated["webhook-signature"].split(" ")).toHaveLength(2);
    expect(await verifyWebhook({ body, headers: rotated, secret: old, currentDate: NOW })).toEqual(event);
    expect(await verifyWebhook({ body, headers: rotated, secret, currentDate: NOW })).toEqual(event);
    const mixed = `v1a,${"A".repeat(86)} v2,abc ${independentSignature(event.id, NOW_S, body)}`;
    expect(await verifyWebhook({ body, headers: headersFor(mixed), secret, currentDate: NOW })).toEqual(
      event,
    );
  });

  it("reads a Headers object, any header case, Node's array values, and Uint8Array or ArrayBuffer bodies", async () => {
    const signature = independentSignature(event.id, NOW_S, body);
    const asHeaders = new Headers(headersFor(signature));
    expect(await verifyWebhook({ body, headers: asHeaders, secret, currentDate: NOW })).toEqual(event);
    const upper = {
      "Webhook-Id": event.id,
      "WEBHOOK-TIMESTAMP": String(NOW_S),
      "webhook-signature": [signature],
    };
    const bytes = new TextEncoder().encode(body);
    expect(await verifyWebhook({ body: bytes, headers: upper, secret, currentDate: NOW })).toEqual(event);
    expect(await verifyWebhook({ body: bytes.buffer, headers: upper, secret, currentDate: NOW })).toEqual(
      event,
    );
  });

  it("refuses missing headers", async () => {
    const full = headersFor(independentSignature(event.id, NOW_S, body));
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _removed, ...rest } = full;
      expect(await refusal({ body, headers: rest, secret, currentDate: NOW }), name).toBe("MISSING_HEADER");
    }
    expect(await refusal({ body, headers: { ...full, "webhook-id": "  " }, secret, currentDate: NOW })).toBe(
      "MISSING_HEADER",
    );
  });

  it("refuses bad signatures", async () => {
    const good = independentSignature(event.id, NOW_S, body);
    const cases: Array<[string, Parameters<typeof verifyWebhook>[0]]> = [
      ["tampered body", { body: body.replace("INVALID", "ACTIVE"), headers: headersFor(good), secret }],
      [
        "another secret",
        { body, headers: headersFor(good), secret: `whsec_${randomBytes(24).toString("base64")}` },
      ],
      ["another id", { body, headers: headersFor(good, NOW_S, "evt_01jd5x3m9k2q8r7t6y5w4v3u2t"), secret }],
      ["another timestamp", { body, headers: headersFor(good, NOW_S - 1), secret }],
      ["no v1 entry", { body, headers: headersFor(good.replace("v1,", "v2,")), secret }],
      ["a truncated signature", { body, headers: headersFor(good.slice(0, -4)), secret }],
      ["not base64", { body, headers: headersFor("v1,@@@@"), secret }],
      ["an empty v1", { body, headers: headersFor("v1,"), secret }],
      [
        "a timestamp that is not a number",
        { body, headers: { ...headersFor(good), "webhook-timestamp": "soon" }, secret },
      ],
    ];
    for (const [name, options] of cases) {
      expect(await refusal({ ...options, currentDate: NOW }), name).toBe("INVALID_SIGNATURE");
    }
  });

  it("refuses deliveries outside the tolerance (replays), default 5 minutes", async () => {
    const at = (timestamp: number) => headersFor(independentSignature(event.id, timestamp, body), timestamp);
    expect(await refusal({ body, headers: at(NOW_S - 301), secret, currentDate: NOW })).toBe(
      "TIMESTAMP_TOO_OLD",
    );
    expect(await refusal({ body, headers: at(NOW_S + 301), secret, currentDate: NOW })).toBe(
      "TIMESTAMP_TOO_NEW",
    );
    expect(await verifyWebhook({ body, headers: at(NOW_S - 300), secret, currentDate: NOW })).toEqual(event);
    expect(await verifyWebhook({ body, headers: at(NOW_S + 300), secret, currentDate: NOW })).toEqual(event);
    expect(await refusal({ body, headers: at(NOW_S - 11), secret, currentDate: NOW, tolerance: 10 })).toBe(
      "TIMESTAMP_TOO_OLD",
    );
    // The timestamp is checked before the signature: an old delivery with a forged signature says so.
    expect(
      await refusal({ body, headers: headersFor("v1,AAAA", NOW_S - 3600), secret, currentDate: NOW }),
    ).toBe("TIMESTAMP_TOO_OLD");
  });

  it("refuses signed bodies that are not relink events", async () => {
    const signed = async (payload: string) =>
      refusal({
        body: payload,
        headers: await signWebhook({ id: event.id, timestamp: NOW, body: payload, secret }),
        secret,
        currentDate: NOW,
      });
    expect(await signed("not json")).toBe("INVALID_PAYLOAD");
    expect(await signed(JSON.stringify({ ...event, type: "invoice.paid" }))).toBe("INVALID_PAYLOAD");
    expect(await signed(JSON.stringify({ ...event, data: { ...event.data, state: "PAUSED" } }))).toBe(
      "INVALID_PAYLOAD",
    );
  });

  it("rejects misuse with TypeErrors", async () => {
    const headers = headersFor(independentSignature(event.id, NOW_S, body));
    await expect(verifyWebhook({ body, headers, secret: "" })).rejects.toThrow(TypeError);
    await expect(verifyWebhook({ body, headers, secret: "whsec_!!!" })).rejects.toThrow(TypeError);
    await expect(verifyWebhook({ body: JSON.parse(body), headers, secret })).rejects.toThrow(
      /raw request body/,
    );
    await expect(verifyWebhook({ body, headers, secret, tolerance: -1 })).rejects.toThrow(TypeError);
    await expect(signWebhook({ id: "a b", timestamp: NOW, body, secret })).rejects.toThrow(TypeError);
    await expect(signWebhook({ id: event.id, timestamp: 1.5, body, secret })).rejects.toThrow(TypeError);
    await expect(signWebhook({ id: event.id, timestamp: NOW, body, secret: [] })).rejects.toThrow(TypeError);
  });

  it("verifies every event type of the contract", async () => {
    const events: WebhookEvent[] = [
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u21",
        type: "integration-created",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
          tool: "demo-hris",
          category: "HRIS",
          end_user: { origin_id: "o", organization_name: "O", email: null },
          state: "ACTIVE",
          scope_config_id: null,
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u22",
        type: "integration-deleted",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
          tool: "demo-hris",
          end_user: { origin_id: "o", organization_name: "O" },
          deleted_at: "2026-11-28T08:00:00.000Z",
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u23",
        type: "integration-auth-status-changed",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
          integration_tool: "demo-hris",
          integration_category: "HRIS",
          end_user: { origin_id: "o", organization_name: "O", email: "a@b.example" },
          auth_status: "FAILING",
          failing_since: "2026-11-28T08:00:00.000Z",
          pauses_at: "2026-12-01T08:00:00.000Z",
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u24",
        type: "integration-relinked",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
          previous_scope_config_id: "sc_01jd5x3m9k2q8r7t6y5w4v3u2s",
          scope_config_id: "sc_01jd5x3m9k2q8r7t6y5w4v3u2t",
          relinked_at: "2026-11-28T08:00:00.000Z",
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u25",
        type: "connection-flow-failed",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          flow: "connect",
          end_user: { origin_id: "o", organization_name: "O" },
          reason: "USER_EXITED",
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u26",
        type: "sync-finished",
        created_at: "2026-11-28T08:00:00.000Z",
        data: {
          sync_id: "sync_01jd5x3m9k2q8r7t6y5w4v3u2s",
          integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
          sync_state: "PARTIALLY_FAILED",
          trigger: "SCHEDULE",
          started_at: "2026-11-28T07:59:00.000Z",
          ended_at: "2026-11-28T08:00:00.000Z",
          scope_config_id: null,
          warnings: [
            {
              code: "PERMISSION_MISSING",
              permission: "compensation:read",
              models: [],
              fields: ["employees.salary"],
            },
          ],
        },
      },
      {
        id: "evt_01jd5x3m9k2q8r7t6y5w4v3u27",
        type: "webhook-test",
        created_at: "2026-11-28T08:00:00.000Z",
        data: { endpoint_id: "whep_01jd5x3m9k2q8r7t6y5w4v3u2s", message: "A test event sent from relink." },
      },
      event as unknown as WebhookEvent,
    ];
    for (const e of events) {
      const payload = JSON.stringify(e);
      const headers = await signWebhook({ id: e.id, timestamp: NOW, body: payload, secret });
      expect(await verifyWebhook({ body: payload, headers, secret, currentDate: NOW })).toEqual(e);
    }
  });

  it("keeps the step and detail of a connection-flow-failed event the server sends on an exit", async () => {
    const exited = {
      id: "evt_01jd5x3m9k2q8r7t6y5w4v3u28",
      type: "connection-flow-failed",
      created_at: "2026-11-28T08:00:00.000Z",
      data: {
        flow: "relink",
        integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
        tool: "demo-hris",
        end_user: { origin_id: "o", organization_name: "O", email: null },
        reason: "USER_EXITED",
        step: "credentials",
        detail: "closed",
      },
    } as const;
    const payload = JSON.stringify(exited);
    const headers = await signWebhook({ id: exited.id, timestamp: NOW, body: payload, secret });
    const verified = await verifyWebhook({ body: payload, headers, secret, currentDate: NOW });
    expect(verified).toStrictEqual(exited);
    if (verified.type === "connection-flow-failed") {
      expectTypeOf(verified.data.step).toEqualTypeOf<
        "intro" | "tool" | "permissions" | "credentials" | "checking" | "success" | "error" | undefined
      >();
      expectTypeOf(verified.data.detail).toEqualTypeOf<string | undefined>();
    }
  });

  it("pins the public types", () => {
    expectTypeOf(verifyWebhook).returns.resolves.toEqualTypeOf<WebhookEvent>();
    expectTypeOf<WebhookVerificationError["code"]>().toEqualTypeOf<
      "MISSING_HEADER" | "INVALID_SIGNATURE" | "TIMESTAMP_TOO_OLD" | "TIMESTAMP_TOO_NEW" | "INVALID_PAYLOAD"
    >();
    expectTypeOf<WebhookEvent["type"]>().toEqualTypeOf<
      | "integration-created"
      | "integration-deleted"
      | "integration-state-changed"
      | "integration-auth-status-changed"
      | "integration-relinked"
      | "connection-flow-failed"
      | "sync-finished"
      | "integration-credentials-expiring"
      | "relink-link-superseded"
      | "relink-link-handed-off"
      | "relink-campaign-progressed"
      | "webhook-test"
    >();
    expectTypeOf<
      Extract<WebhookEvent, { type: "integration-auth-status-changed" }>["data"]["pauses_at"]
    >().toEqualTypeOf<string | null>();
  });
});
