import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { DomainError } from "../src/domain/errors.ts";
import {
  cachedVerificationKeyCount,
  findSigningKey,
  VERIFICATION_KEY_CACHE_SIZE,
  verificationKey,
} from "../src/flow-tokens/keys.ts";
import { verifyFlowToken } from "../src/flow-tokens/verify.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey, SecretBox } from "../src/secrets.ts";
import { availableDialects, postgresAdminUrl } from "../src/testing/index.ts";
import {
  createFlowTokenFixture,
  type FlowTokenFixture,
  handSignHs256,
  newJti,
} from "./flow-tokens-support.ts";

/**
 * The opened HMAC secret and imported public key of a signing key are kept between requests; the
 * key row, with its revocation, is read on every one. These tests hold the cache to that: a key is
 * refused the moment it is revoked, even right after it was used, and on another replica too; a
 * key id whose secret changed is never checked with the old one.
 */

const TYP = "relink-flow+jwt";

const code = async (response: Response) =>
  ((await response.json()) as { error?: { code: string } }).error?.code ?? `HTTP ${response.status}`;

describe.each(availableDialects())("signing key cache on %s", (dialect) => {
  let f: FlowTokenFixture;
  beforeAll(async () => {
    f = await createFlowTokenFixture(dialect);
  });
  afterAll(() => f.close());

  const token = (keyId: string, secret: string) =>
    handSignHs256(
      { alg: "HS256", typ: TYP, kid: keyId },
      {
        iss: f.workspaceId,
        aud: "relink",
        sub: f.integrationId,
        flow: "relink",
        jti: newJti(),
        iat: f.now(),
        exp: f.now() + 600,
      },
      secret,
    );
  const flow = (bearer: string) =>
    f.t.request("GET", "/connect/v1/flow", { key: null, headers: { authorization: `Bearer ${bearer}` } });
  const newKey = async () => {
    const response = await f.t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; secret: string };
  };
  const reseal = (id: string, secret: string) =>
    f.t.server.ctx.db
      .updateTable("signing_keys")
      .set({ secret_sealed: f.t.server.ctx.secrets.seal(secret, `signing_key:${id}`) })
      .where("id", "=", id)
      .execute();

  it("refuses a key's tokens the moment it is revoked, right after they were accepted", async () => {
    const key = await newKey();
    const accepted = token(key.id, key.secret);
    for (let i = 0; i < 3; i++) expect((await flow(accepted)).status).toBe(200);
    expect((await f.t.request("DELETE", `/v1/signing-keys/${key.id}`)).status).toBe(204);
    expect(await code(await flow(accepted))).toBe("TOKEN_KEY_REVOKED");
    expect(await code(await flow(token(key.id, key.secret)))).toBe("TOKEN_KEY_REVOKED");
    // Revoked in the database directly (another replica, an operator): the same.
    const other = await newKey();
    const theirs = token(other.id, other.secret);
    expect((await flow(theirs)).status).toBe(200);
    await f.t.server.ctx.db
      .updateTable("signing_keys")
      .set({ revoked_at: f.t.clock.now().toISOString() })
      .where("id", "=", other.id)
      .execute();
    expect(await code(await flow(theirs))).toBe("TOKEN_KEY_REVOKED");
  });

  it("never checks a key id with a secret it no longer has", async () => {
    const key = await newKey();
    const old = token(key.id, key.secret);
    expect((await flow(old)).status).toBe(200);
    // The same id now holds another secret (re-created, restored from a backup): the old secret's
    // tokens fail, the new one's pass.
    const replaced = randomBytes(32).toString("base64url");
    await reseal(key.id, replaced);
    expect(await code(await flow(old))).toBe("TOKEN_SIGNATURE_INVALID");
    expect((await flow(token(key.id, replaced))).status).toBe(200);
    // The row deleted and inserted again under the same id, with yet another secret.
    const row = await findSigningKey(f.t.server.ctx.db, key.id);
    if (!row) throw new Error("the key row is missing");
    const again = randomBytes(32).toString("base64url");
    await f.t.server.ctx.db.deleteFrom("signing_keys").where("id", "=", key.id).execute();
    expect(await code(await flow(token(key.id, replaced)))).toBe("TOKEN_KEY_UNKNOWN");
    await f.t.server.ctx.db
      .insertInto("signing_keys")
      .values({
        ...row,
        public_jwk: null,
        secret_sealed: f.t.server.ctx.secrets.seal(again, `signing_key:${key.id}`),
      })
      .execute();
    expect(await code(await flow(token(key.id, replaced)))).toBe("TOKEN_SIGNATURE_INVALID");
    expect((await flow(token(key.id, again))).status).toBe(200);
    // Re-sealed with the same secret (a rotation of the encryption key): still accepted.
    await reseal(key.id, again);
    expect((await flow(token(key.id, again))).status).toBe(200);
  });

  it("keeps public keys too, and refuses a revoked one at once", async () => {
    const { CompactSign } = await import("jose");
    const sign = async () => {
      const payload = {
        iss: f.workspaceId,
        aud: "relink",
        sub: f.integrationId,
        flow: "relink",
        jti: newJti(),
        iat: f.now(),
        exp: f.now() + 600,
      };
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: "EdDSA", typ: TYP, kid: f.ed.id })
        .sign(f.ed.privateKey);
    };
    const first = await sign();
    expect((await flow(first)).status).toBe(200);
    expect((await flow(await sign())).status).toBe(200);
    expect((await f.t.request("DELETE", `/v1/signing-keys/${f.ed.id}`)).status).toBe(204);
    expect(await code(await flow(first))).toBe("TOKEN_KEY_REVOKED");
  });

  it("holds no plaintext a log line or an inspection could show, and stays bounded", async () => {
    const key = await newKey();
    const row = await findSigningKey(f.t.server.ctx.db, key.id);
    if (!row) throw new Error("the key row is missing");
    const derived = await verificationKey(f.t.server.ctx, row);
    expect(inspect(derived, { showHidden: true, depth: 5 })).not.toContain(key.secret);
    expect(JSON.stringify(derived)).not.toContain(key.secret);
    const logs = createLogger({
      level: "info",
      destination: { write: (line: string) => void lines.push(line) },
    });
    const lines: string[] = [];
    logs.info({ key: derived, derived }, "a derived key");
    expect(lines.join("\n")).not.toContain(key.secret);

    // Many keys: the cache keeps at most its bound, the most recently used.
    const box = new SecretBox(generateEncryptionKey());
    for (let i = 0; i < VERIFICATION_KEY_CACHE_SIZE + 50; i++) {
      const id = `sk_bound${String(i).padStart(4, "0")}`;
      await verificationKey(
        { secrets: box },
        {
          ...row,
          id,
          secret_sealed: box.seal(randomBytes(32).toString("base64url"), `signing_key:${id}`),
        },
      );
    }
    expect(cachedVerificationKeyCount(box)).toBe(VERIFICATION_KEY_CACHE_SIZE);
  });

  it("verifies a token through verifyFlowToken after its key was cached, then refuses it once revoked", async () => {
    const key = await newKey();
    const bearer = token(key.id, key.secret);
    await expect(verifyFlowToken(f.t.server.ctx, bearer)).resolves.toMatchObject({ keyId: key.id });
    await f.t.request("DELETE", `/v1/signing-keys/${key.id}`);
    const refusal = await verifyFlowToken(f.t.server.ctx, bearer).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DomainError);
    expect((refusal as DomainError).code).toBe("TOKEN_KEY_REVOKED");
  });
});

describe.skipIf(!postgresAdminUrl())("two replicas on one PostgreSQL database", () => {
  let f: FlowTokenFixture;
  let replica: RelinkServer;
  beforeAll(async () => {
    f = await createFlowTokenFixture("postgres");
    replica = await createRelinkServer({
      db: f.t.database.url,
      clock: f.t.clock,
      config: { encryptionKey: f.t.server.ctx.config.encryptionKey },
      connectors: f.t.server.ctx.connectors.list(),
      logger: createLogger({ level: "silent" }),
    });
  });
  afterAll(async () => {
    await replica?.close();
    await f?.close();
  });

  const onReplica = (path: string, bearer: string) =>
    replica.app.request(path, { headers: { authorization: `Bearer ${bearer}` } });

  it("honours a signing key revoked through the other replica at once", async () => {
    const created = await f.t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } });
    const key = (await created.json()) as { id: string; secret: string };
    const bearer = handSignHs256(
      { alg: "HS256", typ: TYP, kid: key.id },
      {
        iss: f.workspaceId,
        aud: "relink",
        sub: f.integrationId,
        flow: "relink",
        jti: newJti(),
        iat: f.now(),
        exp: f.now() + 600,
      },
      key.secret,
    );
    // Used on the replica (its derived key cached there), then revoked through the first server.
    for (let i = 0; i < 3; i++) expect((await onReplica("/connect/v1/flow", bearer)).status).toBe(200);
    expect((await f.t.request("DELETE", `/v1/signing-keys/${key.id}`)).status).toBe(204);
    expect(await code(await onReplica("/connect/v1/flow", bearer))).toBe("TOKEN_KEY_REVOKED");
  });

  it("honours an API key revoked through the other replica at once", async () => {
    const created = await f.t.request("POST", "/v1/api-keys", { body: { name: "replica test" } });
    expect(created.status).toBe(201);
    const apiKey = (await created.json()) as { id: string; key: string };
    const path = `/v1/integrations/${f.integrationId}`;
    for (let i = 0; i < 3; i++) expect((await onReplica(path, apiKey.key)).status).toBe(200);
    expect((await f.t.request("DELETE", `/v1/api-keys/${apiKey.id}`)).status).toBe(204);
    const refused = await onReplica(path, apiKey.key);
    expect(refused.status).toBe(401);
    expect(await code(refused)).toBe("UNAUTHORIZED");
  });
});
