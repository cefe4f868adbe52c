import { createHmac, randomBytes } from "node:crypto";
import { CompactSign, exportJWK, generateKeyPair, type JWK } from "jose";
import type { Dialect } from "../src/db/connect.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { createTestRelink, scriptedConnector, type TestRelink } from "../src/testing/index.ts";

/**
 * A workspace with an integration, a scope config and one signing key per algorithm, plus a second
 * workspace with the same, for flow-token tests. Tokens here are built by hand (JOSE primitives or
 * raw base64url), never with the SDK, so that the verifier is tested against what an attacker can send.
 */
export interface FlowTokenFixture {
  t: TestRelink;
  workspaceId: string;
  integrationId: string;
  scopeConfigId: string;
  hs: { id: string; secret: string };
  es: { id: string; privateKey: CryptoKey; privateJwk: JWK; publicJwk: JWK };
  ed: { id: string; privateKey: CryptoKey; privateJwk: JWK; publicJwk: JWK };
  other: {
    workspaceId: string;
    apiKey: string;
    integrationId: string;
    scopeConfigId: string;
    hs: { id: string; secret: string };
  };
  /** Seconds since the epoch on the server's clock. */
  now(): number;
  close(): Promise<void>;
}

export const b64url = (value: string | Uint8Array) =>
  Buffer.from(typeof value === "string" ? Buffer.from(value, "utf8") : value).toString("base64url");

export const newJti = () => randomBytes(18).toString("base64url");

async function json<T>(response: Promise<Response> | Response, status: number): Promise<T> {
  const r = await response;
  const text = await r.text();
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createFlowTokenFixture(dialect: Dialect = "sqlite"): Promise<FlowTokenFixture> {
  const tool = scriptedConnector();
  tool.setKey("good");
  const t = await createTestRelink({ dialect, connectors: [tool.connector] });

  const setUp = async (key: string) => {
    const integration = await json<{ id: string }>(
      t.request("POST", "/v1/integrations", {
        key,
        body: {
          tool: "scripted",
          end_user: { origin_id: "org-1", organization_name: "Acme" },
          credentials: { api_key: "good" },
        },
      }),
      201,
    );
    const scopeConfig = await json<{ id: string }>(
      t.request("POST", "/v1/scope-configs", {
        key,
        body: { name: "Employees", category: "HRIS", models: { employees: { setting: "ENABLED" } } },
      }),
      201,
    );
    const hs = await json<{ id: string; secret: string }>(
      t.request("POST", "/v1/signing-keys", { key, body: { algorithm: "HS256" } }),
      201,
    );
    return {
      integrationId: integration.id,
      scopeConfigId: scopeConfig.id,
      hs: { id: hs.id, secret: hs.secret },
    };
  };

  const asymmetric = async (algorithm: "ES256" | "EdDSA") => {
    const pair = await generateKeyPair(algorithm, { extractable: true });
    const publicJwk = await exportJWK(pair.publicKey);
    const privateJwk = await exportJWK(pair.privateKey);
    const created = await json<{ id: string }>(
      t.request("POST", "/v1/signing-keys", { body: { algorithm, public_jwk: publicJwk } }),
      201,
    );
    return { id: created.id, privateKey: pair.privateKey, privateJwk, publicJwk };
  };

  const mine = await setUp(t.apiKey);
  const es = await asymmetric("ES256");
  const ed = await asymmetric("EdDSA");
  const otherWorkspace = await createWorkspace(t.server.ctx, "Other");
  const theirs = await setUp(otherWorkspace.apiKey.key);

  return {
    t,
    workspaceId: t.workspaceId,
    ...mine,
    es,
    ed,
    other: { workspaceId: otherWorkspace.workspaceId, apiKey: otherWorkspace.apiKey.key, ...theirs },
    now: () => Math.floor(t.clock.now().getTime() / 1000),
    close: () => t.close(),
  };
}

/** Signs any header and payload bytes with a JOSE key, with no checks on either. */
export async function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  key: CryptoKey | Uint8Array,
): Promise<string> {
  const bytes = new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as { alg: string }).sign(key);
}

/** A token assembled from raw parts: for headers no library will sign (`alg: none`, bad JSON). */
export const rawToken = (header: string, payload: string, signature = "") =>
  `${b64url(header)}.${b64url(payload)}.${signature}`;

/** HS256 by hand: HMAC-SHA256 over `header.payload` with node:crypto, whatever the header says. */
export function handSignHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Uint8Array,
): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createHmac("sha256", typeof secret === "string" ? Buffer.from(secret, "utf8") : secret)
    .update(signingInput)
    .digest("base64url");
  return `${signingInput}.${signature}`;
}
