import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { availableDialects, createTestRelink, type TestRelink } from "../src/testing/index.ts";

describe.each(availableDialects())("signing keys API on %s", (dialect) => {
  let t: TestRelink;
  beforeAll(async () => {
    t = await createTestRelink({ dialect });
  });
  afterAll(() => t.close());

  const post = (body: unknown, key?: string) => t.request("POST", "/v1/signing-keys", { body, key });
  const list = async (query = "") =>
    (await (await t.request("GET", `/v1/signing-keys${query}`)).json()) as {
      data: Array<Record<string, unknown>>;
      next_cursor: string | null;
    };

  it("generates an HS256 secret, shows it once and stores it sealed", async () => {
    const response = await post({ algorithm: "HS256" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Record<string, string>;
    expect(created).toMatchObject({ algorithm: "HS256", public_jwk: null });
    expect(created.id).toMatch(/^sk_[0-9a-z]{26}$/);
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.secret!, "base64url")).toHaveLength(32);

    const listed = (await list()).data.find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      algorithm: "HS256",
      public_jwk: null,
      created_at: created.created_at,
    });
    const row = await t.server.ctx.db
      .selectFrom("signing_keys")
      .selectAll()
      .where("id", "=", created.id!)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed).not.toContain(created.secret);
    expect(JSON.stringify(t.logs)).not.toContain(created.secret);
    // Two keys never share a secret.
    const again = (await (await post({ algorithm: "HS256" })).json()) as { secret: string };
    expect(again.secret).not.toBe(created.secret);
  });

  it.each(["EdDSA", "ES256"] as const)(
    "registers a %s public JWK, keeping only its public members",
    async (algorithm) => {
      const { publicKey } = await generateKeyPair(algorithm, { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), use: "sig", kid: "my-backend-1" };
      const response = await post({ algorithm, public_jwk: jwk });
      expect(response.status).toBe(201);
      const created = (await response.json()) as Record<string, unknown>;
      expect(created).not.toHaveProperty("secret");
      const { use: _use, kid: _kid, ...publicOnly } = jwk;
      expect(created).toMatchObject({ algorithm, public_jwk: publicOnly });
    },
  );

  const invalid: Array<[string, () => Promise<unknown>]> = [
    ["an unknown algorithm", async () => ({ algorithm: "RS256" })],
    ["no algorithm", async () => ({})],
    ["a public JWK for HS256", async () => ({ algorithm: "HS256", public_jwk: await publicJwk("EdDSA") })],
    ["an extra member", async () => ({ algorithm: "HS256", name: "x" })],
    ["EdDSA without a key", async () => ({ algorithm: "EdDSA" })],
    ["a private Ed25519 JWK", async () => ({ algorithm: "EdDSA", public_jwk: await privateJwk("EdDSA") })],
    ["a private P-256 JWK", async () => ({ algorithm: "ES256", public_jwk: await privateJwk("ES256") })],
    ["a P-256 key for EdDSA", async () => ({ algorithm: "EdDSA", public_jwk: await publicJwk("ES256") })],
    ["an Ed25519 key for ES256", async () => ({ algorithm: "ES256", public_jwk: await publicJwk("EdDSA") })],
    ["a P-384 key", async () => ({ algorithm: "ES256", public_jwk: await publicJwk("ES384") })],
    [
      "an X25519 key",
      async () => ({ algorithm: "EdDSA", public_jwk: { kty: "OKP", crv: "X25519", x: "A".repeat(43) } }),
    ],
    [
      "a short x",
      async () => ({ algorithm: "EdDSA", public_jwk: { kty: "OKP", crv: "Ed25519", x: "AAAA" } }),
    ],
    [
      "a P-256 point not on the curve",
      async () => ({
        algorithm: "ES256",
        public_jwk: { kty: "EC", crv: "P-256", x: "A".repeat(43), y: "B".repeat(43) },
      }),
    ],
    ["an RSA key", async () => ({ algorithm: "ES256", public_jwk: await publicJwk("RS256") })],
  ];

  it.each(invalid)("refuses %s with 400", async (_name, body) => {
    const response = await post(await body());
    const text = await response.text();
    expect(response.status, text).toBe(400);
    expect(JSON.parse(text).error.code).toBe("INVALID_REQUEST");
  });

  it("names the private part when a private JWK is sent", async () => {
    const response = await post({ algorithm: "EdDSA", public_jwk: await privateJwk("EdDSA") });
    const body = (await response.json()) as {
      error: { message: string; details: { issues: Array<{ path: string }> } };
    };
    expect(body.error.details.issues.map((i) => i.path)).toContain("body.public_jwk.d");
    expect(body.error.message).toMatch(/private key/);
  });

  it("revokes a key at once, once, and only in its own workspace", async () => {
    const created = (await (await post({ algorithm: "HS256" })).json()) as { id: string };
    const other = await createWorkspace(t.server.ctx, "Other");
    expect(
      (await t.request("DELETE", `/v1/signing-keys/${created.id}`, { key: other.apiKey.key })).status,
    ).toBe(404);
    expect((await t.request("DELETE", `/v1/signing-keys/${created.id}`)).status).toBe(204);
    expect((await t.request("DELETE", `/v1/signing-keys/${created.id}`)).status).toBe(404);
    expect((await list("?limit=200")).data.map((k) => k.id)).not.toContain(created.id);
    const revoked = await t.server.ctx.db
      .selectFrom("signing_keys")
      .select("revoked_at")
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(revoked.revoked_at).toBe(t.clock.now().toISOString());
    expect((await t.request("DELETE", "/v1/signing-keys/key_0000000000abcdef")).status).toBe(400);
    // The other workspace sees none of these keys.
    const theirs = (await (await t.request("GET", "/v1/signing-keys", { key: other.apiKey.key })).json()) as {
      data: unknown[];
    };
    expect(theirs.data).toEqual([]);
  });

  it("paginates newest first", async () => {
    const all = (await list("?limit=200")).data.map((k) => k.id);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((k) => k.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect([...all].sort().reverse()).toEqual(all);
  });

  it("requires an API key and is documented in the OpenAPI document", async () => {
    expect((await t.request("GET", "/v1/signing-keys", { key: null })).status).toBe(401);
    const doc = (await (await t.request("GET", "/openapi.json", { key: null })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths["/v1/signing-keys"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/v1/signing-keys/{id}"] ?? {})).toEqual(["delete"]);
  });
});

async function publicJwk(alg: "EdDSA" | "ES256" | "ES384" | "RS256") {
  return exportJWK((await generateKeyPair(alg, { extractable: true })).publicKey);
}
async function privateJwk(alg: "EdDSA" | "ES256") {
  return exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey);
}
