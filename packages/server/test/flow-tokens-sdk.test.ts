import { mintConnectToken, mintRelinkToken } from "@relink/sdk/server";
import { decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/domain/errors.ts";
import { verifyFlowToken } from "../src/flow-tokens/verify.ts";
import { STATUS_OF_CODE } from "../src/http/errors.ts";
import { availableDialects } from "../src/testing/index.ts";
import { createFlowTokenFixture, type FlowTokenFixture } from "./flow-tokens-support.ts";

/** Tokens minted offline by `@relink/sdk/server` are accepted by the server, for every algorithm. */
describe.each(availableDialects())("SDK-minted flow tokens on %s", (dialect) => {
  let f: FlowTokenFixture;
  beforeAll(async () => {
    f = await createFlowTokenFixture(dialect);
  });
  afterAll(() => f.close());

  const now = () => f.t.clock.now();
  const keys = () =>
    [
      ["HS256", f.hs],
      ["ES256 (JWK)", { id: f.es.id, privateKey: f.es.privateJwk }],
      ["ES256 (CryptoKey)", { id: f.es.id, privateKey: f.es.privateKey }],
      ["EdDSA (JWK)", { id: f.ed.id, privateKey: f.ed.privateJwk }],
      ["EdDSA (CryptoKey)", { id: f.ed.id, privateKey: f.ed.privateKey }],
    ] as const;

  it("accepts relink tokens of every algorithm", async () => {
    for (const [name, key] of keys()) {
      const token = await mintRelinkToken({
        workspaceId: f.workspaceId,
        key,
        integrationId: f.integrationId,
        scopeConfigId: f.scopeConfigId,
        locale: "es",
        expiresIn: "30m",
        now: now(),
      });
      const verified = await verifyFlowToken(f.t.server.ctx, token);
      expect(verified.keyId, name).toBe(key.id);
      expect(verified.claims).toMatchObject({
        flow: "relink",
        sub: f.integrationId,
        scope_config_id: f.scopeConfigId,
        locale: "es",
        iss: f.workspaceId,
      });
      expect(verified.claims.exp - verified.claims.iat).toBe(1800);
      expect(decodeProtectedHeader(token)).toEqual({
        alg: name.split(" ")[0],
        typ: "relink-flow+jwt",
        kid: key.id,
      });
    }
  });

  it("accepts connect tokens of every algorithm", async () => {
    for (const [, key] of keys()) {
      const token = await mintConnectToken({
        workspaceId: f.workspaceId,
        key,
        endUser: { originId: "org-7", organizationName: "Initech", email: "it@initech.example" },
        tool: "scripted",
        now: now(),
      });
      const { claims } = await verifyFlowToken(f.t.server.ctx, token);
      expect(claims).toMatchObject({
        flow: "connect",
        tool: "scripted",
        end_user: { origin_id: "org-7", organization_name: "Initech", email: "it@initech.example" },
      });
      expect(claims.exp - claims.iat).toBe(900);
    }
  });

  it("gives every token its own jti", async () => {
    const mint = () =>
      mintRelinkToken({ workspaceId: f.workspaceId, key: f.hs, integrationId: f.integrationId, now: now() });
    const [a, b] = await Promise.all([mint(), mint()]);
    const [ca, cb] = await Promise.all([
      verifyFlowToken(f.t.server.ctx, a),
      verifyFlowToken(f.t.server.ctx, b),
    ]);
    expect(ca.claims.jti).not.toBe(cb.claims.jti);
    expect(ca.claims.jti.length).toBeGreaterThanOrEqual(16);
  });

  it("is refused once the SDK key is revoked, or when minted for another workspace", async () => {
    const pair = await generateKeyPair("EdDSA", { extractable: true });
    const created = (await (
      await f.t.request("POST", "/v1/signing-keys", {
        body: { algorithm: "EdDSA", public_jwk: await exportJWK(pair.publicKey) },
      })
    ).json()) as { id: string };
    const key = { id: created.id, privateKey: pair.privateKey };
    const token = await mintRelinkToken({
      workspaceId: f.workspaceId,
      key,
      integrationId: f.integrationId,
      now: now(),
    });
    expect((await verifyFlowToken(f.t.server.ctx, token)).keyId).toBe(created.id);
    const wrongWorkspace = await mintRelinkToken({
      workspaceId: f.other.workspaceId,
      key,
      integrationId: f.integrationId,
      now: now(),
    });
    await expect(verifyFlowToken(f.t.server.ctx, wrongWorkspace)).rejects.toMatchObject({
      code: "TOKEN_ISSUER_INVALID",
    });
    await f.t.request("DELETE", `/v1/signing-keys/${created.id}`);
    const refused = await verifyFlowToken(f.t.server.ctx, token).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: "TOKEN_KEY_REVOKED" });
    expect(STATUS_OF_CODE[(refused as DomainError).code]).toBe(401);
  });
});
