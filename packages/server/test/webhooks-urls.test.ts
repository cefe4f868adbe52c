import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRelink, type TestRelink } from "../src/testing/index.ts";
import { checkWebhookUrl, nonPublicKind, WebhookUrlError } from "../src/webhooks/url-guard.ts";

describe("webhook endpoint URLs (SSRF) and event types", () => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ config: { allowPrivateWebhookUrls: false, allowHttpWebhookUrls: false } });
  });
  afterAll(() => t.close());

  interface Answer {
    id: string;
    url: string;
    error: {
      code: string;
      message: string;
      details: { issues: Array<{ path: string; message: string }> };
    };
  }
  const create = async (body: Record<string, unknown>) => {
    const res = await t.request("POST", "/v1/webhook-endpoints", { body });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  it.each([
    ["https://127.0.0.1/hooks", "127.0.0.1, a loopback address"],
    ["https://127.1.2.3:8443/", "127.1.2.3, a loopback address"],
    ["https://[::1]/", "::1, a loopback address"],
    ["https://10.1.2.3/", "10.1.2.3, a private address"],
    ["https://172.20.0.5/", "172.20.0.5, a private address"],
    ["https://192.168.1.1/", "192.168.1.1, a private address"],
    ["https://100.64.0.1/", "100.64.0.1, a shared (carrier-grade NAT) address"],
    ["https://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local address"],
    ["https://[fe80::1]/", "fe80::1, a link-local address"],
    ["https://[fd00::1]/", "fd00::1, a private (unique local) address"],
    ["https://0.0.0.0/", "0.0.0.0, a unspecified address"],
    ["https://224.0.0.1/", "224.0.0.1, a multicast address"],
    ["https://[::ffff:127.0.0.1]/", "::ffff:7f00:1, a loopback address"],
    ["https://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe, a link-local address"],
    ["https://0x7f.1/", "127.0.0.1, a loopback address"],
    ["https://2130706433/", "127.0.0.1, a loopback address"],
    ["https://localhost/hooks", "the host localhost resolves to an address that is not allowed"],
    // Resolves to loopback where a resolver knows the root-qualified name; refused either way.
    [
      "https://localhost./hooks",
      /the host localhost\. (resolves to an address that is not allowed|does not resolve)/,
    ],
    ["http://example.com/hooks", "the URL must use https"],
    ["ftp://example.com/hooks", "the URL must use https, not ftp"],
    ["not a url", '"not a url" is not a URL'],
    ["https://nothing-here.invalid/", "the host nothing-here.invalid does not resolve"],
  ] as Array<[string, string | RegExp]>)("refuses %s", async (url, message) => {
    const { status, body } = await create({ url });
    expect(status).toBe(400);
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.message).toMatch(message);
    expect(body.error.details.issues[0]?.path).toBe("body.url");
  });

  it("accepts a public https URL, and checks a changed URL again", async () => {
    const { status, body } = await create({ url: "https://93.184.215.14/hooks?x=1" });
    expect(status).toBe(201);
    expect(body.url).toBe("https://93.184.215.14/hooks?x=1");
    const patch = await t.request("PATCH", `/v1/webhook-endpoints/${body.id}`, {
      body: { url: "https://169.254.169.254/" },
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as Answer).error.message).toContain("link-local");
  });

  it("refuses unknown event types, naming them", async () => {
    const { status, body } = await create({
      url: "https://93.184.215.14/",
      event_types: ["integration-created", "integration-exploded", "sync-started"],
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.message).toContain('unknown event type "integration-exploded"');
    const messages = body.error.details.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      expect.stringContaining('body.event_types.1: unknown event type "integration-exploded"'),
      expect.stringContaining('body.event_types.2: unknown event type "sync-started"'),
    ]);
    expect((await create({ url: "https://93.184.215.14/", event_types: [] })).status).toBe(400);
    expect((await create({ url: "https://93.184.215.14/", extra: true })).status).toBe(400);
  });

  it("allows http and private targets only as configured", async () => {
    const dev = { allowHttp: true, allowPrivate: true };
    await expect(checkWebhookUrl("http://127.0.0.1:3000/hooks", dev)).resolves.toBeInstanceOf(URL);
    await expect(
      checkWebhookUrl("http://127.0.0.1:3000/hooks", { allowHttp: true, allowPrivate: false }),
    ).rejects.toThrow(WebhookUrlError);
    await expect(
      checkWebhookUrl("http://93.184.215.14/hooks", { allowHttp: false, allowPrivate: true }),
    ).rejects.toThrow("must use https");
    // Every address of a name counts: one private address among public ones is enough to refuse.
    const resolver = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    await expect(
      checkWebhookUrl("https://mixed.example/", { allowHttp: false, allowPrivate: false }, resolver),
    ).rejects.toThrow("the host mixed.example resolves to an address that is not allowed");
  });

  it("refuses a name that resolves to a non-public address without saying what it resolves to", async () => {
    const policy = { allowHttp: false, allowPrivate: false };
    const resolver = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    const refusal = await checkWebhookUrl("https://mixed.example/", policy, resolver).then(
      () => null,
      (error: Error) => error,
    );
    expect(refusal).toBeInstanceOf(WebhookUrlError);
    expect(refusal!.message).toBe(
      "the host mixed.example resolves to an address that is not allowed: webhooks go to public addresses only (RELINK_ALLOW_PRIVATE_WEBHOOK_URLS=true allows others, for local development)",
    );
    // Over the API too, for a name the system resolver knows: no address, no kind of address.
    const { status, body } = await create({ url: "https://localhost/hooks" });
    expect(status).toBe(400);
    expect(body.error.message).toContain("the host localhost resolves to an address that is not allowed");
    for (const leak of ["127.0.0.1", "::1", "loopback", "10.0.0.7", "private address"]) {
      expect(body.error.message).not.toContain(leak);
      expect(refusal!.message).not.toContain(leak);
    }
  });

  it("classifies addresses", () => {
    expect(nonPublicKind("8.8.8.8")).toBeNull();
    expect(nonPublicKind("2606:4700:4700::1111")).toBeNull();
    expect(nonPublicKind("172.15.255.255")).toBeNull();
    expect(nonPublicKind("172.32.0.1")).toBeNull();
    expect(nonPublicKind("100.128.0.1")).toBeNull();
    expect(nonPublicKind("172.31.255.255")).toBe("private");
    expect(nonPublicKind("255.255.255.255")).toBe("reserved");
    expect(nonPublicKind("::")).toBe("unspecified");
    expect(nonPublicKind("fe80::1%eth0")).toBe("link-local");
    expect(nonPublicKind("ff02::1")).toBe("multicast");
    expect(nonPublicKind("64:ff9b::a9fe:a9fe")).toBe("link-local");
    expect(nonPublicKind("64:ff9b::808:808")).toBeNull();
    expect(nonPublicKind("2002:7f00:1::")).toBe("loopback");
    expect(nonPublicKind("::ffff:10.0.0.1")).toBe("private");
  });
});
