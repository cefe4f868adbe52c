import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

/**
 * Signing keys from a JWKS URL (`PUT /v1/signing-keys/jwks`), over real HTTP: relink served on
 * 127.0.0.1 and a local JWKS server whose keys the test rotates and whose fetches it counts.
 */

interface JwksServer {
  url: string;
  fetches: number;
  keys: JWK[];
  /** The answer's status and body instead of the keys (an invalid document). */
  raw?: { status: number; body: string };
  close(): Promise<void>;
}

async function startJwksServer(): Promise<JwksServer> {
  const state: JwksServer = {
    url: "",
    fetches: 0,
    keys: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((_request, response) => {
    state.fetches++;
    if (state.raw) {
      response.writeHead(state.raw.status, { "content-type": "application/json" });
      response.end(state.raw.body);
      return;
    }
    response.writeHead(200, { "content-type": "application/jwk-set+json", "cache-control": "max-age=300" });
    response.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return state;
}

async function keyPair(kid: string, algorithm: "EdDSA" | "ES256" = "EdDSA") {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, use: "sig" } };
}

for (const dialect of availableDialects()) {
  describe(`signing keys from a JWKS URL on ${dialect}`, () => {
    let t: TestRelink;
    let strict: TestRelink;
    let jwks: JwksServer;
    let relinkUrl: string;
    let closeHttp: () => void;
    let integrationId: string;

    beforeAll(async () => {
      const tool = scriptedConnector();
      tool.setKey("good");
      // The JWKS server is on 127.0.0.1 over http: allowed here as for local development…
      t = await createTestRelink({
        dialect,
        connectors: [tool.connector],
        config: { allowHttpWebhookUrls: true, allowPrivateWebhookUrls: true },
      });
      // …and refused by a server with the default rules.
      strict = await createTestRelink({ dialect, config: { allowHttpWebhookUrls: true } });
      jwks = await startJwksServer();
      const served = serve({ fetch: t.server.app.fetch, port: 0, hostname: "127.0.0.1" });
      await new Promise<void>((resolve) => served.once("listening", () => resolve()));
      relinkUrl = `http://127.0.0.1:${(served.address() as AddressInfo).port}`;
      closeHttp = () => served.close();
      const created = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "org-1", organization_name: "Acme" },
          credentials: { api_key: "good" },
        },
      });
      expect(created.status).toBe(201);
      integrationId = ((await created.json()) as { id: string }).id;
    });
    afterAll(async () => {
      closeHttp?.();
      await jwks?.close();
      await t?.close();
      await strict?.close();
    });

    const api = (method: string, path: string, body?: unknown, key = t.apiKey) =>
      fetch(relinkUrl + path, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const flow = async (token: string) => {
      const response = await fetch(`${relinkUrl}/connect/v1/flow`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await response.json()) as { error?: { code: string } };
      return body.error?.code ?? `HTTP ${response.status}`;
    };
    // Minted as a product backend would with its own JWT library (the SDK names relink's key ids).
    let minted = 0;
    const mint = (key: { kid: string; privateKey: CryptoKey }, workspaceId = t.workspaceId) => {
      const now = Math.floor(t.clock.now().getTime() / 1000);
      return new SignJWT({ flow: "relink", sub: integrationId })
        .setProtectedHeader({
          alg: key.privateKey.algorithm.name === "ECDSA" ? "ES256" : "EdDSA",
          typ: "relink-flow+jwt",
          kid: key.kid,
        })
        .setIssuer(workspaceId)
        .setAudience("relink")
        .setJti(`jti-${++minted}-${randomBytes(12).toString("base64url")}`)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key.privateKey);
    };

    it("refuses at registration a private address, an unreachable URL and an invalid JWKS document, each saying why", async () => {
      const first = await keyPair("k1");
      jwks.keys = [first.publicJwk];
      const strictAnswer = await strict.request("PUT", "/v1/signing-keys/jwks", { body: { url: jwks.url } });
      expect(strictAnswer.status).toBe(400);
      const strictError = ((await strictAnswer.json()) as { error: { code: string; message: string } }).error;
      expect(strictError.code).toBe("INVALID_REQUEST");
      expect(strictError.message).toContain("127.0.0.1, a loopback address");
      expect(strictError.message).toContain("public addresses only");

      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const unreachable = await api("PUT", "/v1/signing-keys/jwks", { url: `http://127.0.0.1:${port}/jwks` });
      expect(unreachable.status).toBe(400);
      expect(((await unreachable.json()) as { error: { message: string } }).error.message).toContain(
        "the JWKS URL is unreachable (ECONNREFUSED)",
      );

      for (const [raw, says] of [
        [{ status: 200, body: "<html>" }, "did not answer JSON"],
        [{ status: 200, body: '{"keys":"k1"}' }, 'no "keys" array'],
        [{ status: 404, body: "{}" }, "HTTP 404"],
        // Only an HMAC secret and an RSA key: nothing relink may use.
        [
          {
            status: 200,
            body: JSON.stringify({
              keys: [
                { kty: "oct", kid: "h1", k: "c2VjcmV0" },
                { kty: "RSA", kid: "r1", n: "AQAB", e: "AQAB" },
              ],
            }),
          },
          "no usable key",
        ],
      ] as const) {
        jwks.raw = raw;
        const answer = await api("PUT", "/v1/signing-keys/jwks", { url: jwks.url });
        expect(answer.status, says).toBe(400);
        expect(((await answer.json()) as { error: { message: string } }).error.message).toContain(says);
      }
      jwks.raw = undefined;
      expect((await api("GET", "/v1/signing-keys/jwks")).status).toBe(404);
    });

    it("accepts a new kid within one refetch, and refuses a second unknown kid within a minute without a fetch", async () => {
      const first = await keyPair("k1");
      jwks.keys = [first.publicJwk];
      const registered = await api("PUT", "/v1/signing-keys/jwks", { url: jwks.url });
      expect(registered.status).toBe(200);
      expect(await registered.json()).toMatchObject({
        url: jwks.url,
        keys: [{ kid: "k1", algorithm: "EdDSA" }],
      });
      const fetched = jwks.fetches;
      expect(await flow(await mint(first))).toBe("HTTP 200");
      expect(await flow(await mint(first))).toBe("HTTP 200");
      expect(jwks.fetches).toBe(fetched); // cached: max-age=300

      // The product rotates: a new key in its JWKS, no API call.
      const second = await keyPair("k2", "ES256");
      jwks.keys = [first.publicJwk, second.publicJwk];
      expect(await flow(await mint(second))).toBe("HTTP 200");
      expect(jwks.fetches).toBe(fetched + 1);

      // Another unknown kid within the minute: refused, and no fetch.
      t.clock.advance(30_000);
      const third = await keyPair("k3");
      jwks.keys = [first.publicJwk, second.publicJwk, third.publicJwk];
      expect(await flow(await mint(third))).toBe("TOKEN_KEY_UNKNOWN");
      expect(jwks.fetches).toBe(fetched + 1);
      // A minute after the last such fetch, the next unknown kid fetches again.
      t.clock.advance(31_000);
      expect(await flow(await mint(third))).toBe("HTTP 200");
      expect(jwks.fetches).toBe(fetched + 2);

      // A key dropped from the set is refused once the cached set expires (max-age).
      jwks.keys = [third.publicJwk];
      t.clock.advance(301_000);
      expect(await flow(await mint(first))).toBe("TOKEN_KEY_UNKNOWN");
      expect(await flow(await mint(third))).toBe("HTTP 200");
    });

    it("never checks an HS256 token against a JWKS: not with an oct key of the set, not with a public key as the secret", async () => {
      const edKey = await keyPair("k4");
      jwks.keys = [
        edKey.publicJwk,
        { kty: "oct", kid: "h1", k: Buffer.from("secret").toString("base64url") },
      ];
      t.clock.advance(301_000);
      expect((await api("PUT", "/v1/signing-keys/jwks", { url: jwks.url })).status).toBe(200);
      const hs = (kid: string, secret: string | Buffer) => {
        const now = Math.floor(t.clock.now().getTime() / 1000);
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
        const input = `${b64({ alg: "HS256", typ: "relink-flow+jwt", kid })}.${b64({
          iss: t.workspaceId,
          aud: "relink",
          sub: integrationId,
          flow: "relink",
          jti: `j-${kid}-${now}`,
          iat: now,
          exp: now + 600,
        })}`;
        return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
      };
      expect(await flow(hs("h1", "secret"))).toBe("TOKEN_KEY_UNKNOWN");
      expect(await flow(hs("k4", JSON.stringify(edKey.publicJwk)))).toBe("TOKEN_ALGORITHM_INVALID");
      expect(await flow(hs("k4", Buffer.from(edKey.publicJwk.x as string, "base64url")))).toBe(
        "TOKEN_ALGORITHM_INVALID",
      );
    });

    it("keeps the JWKS to its workspace, and forgets it on DELETE", async () => {
      const key = await keyPair("k5");
      jwks.keys = [key.publicJwk];
      t.clock.advance(301_000);
      expect((await api("PUT", "/v1/signing-keys/jwks", { url: jwks.url })).status).toBe(200);
      expect(await api("GET", "/v1/signing-keys/jwks").then((r) => r.json())).toMatchObject({
        keys: [{ kid: "k5", algorithm: "EdDSA" }],
      });
      // A token naming another workspace as issuer is not checked against this workspace's JWKS.
      const other = await mint(key, strict.workspaceId);
      expect(await flow(other)).toBe("TOKEN_KEY_UNKNOWN");
      expect((await api("DELETE", "/v1/signing-keys/jwks")).status).toBe(204);
      expect(await flow(await mint(key))).toBe("TOKEN_KEY_UNKNOWN");
      expect((await api("DELETE", "/v1/signing-keys/jwks")).status).toBe(404);
    });
  });
}
