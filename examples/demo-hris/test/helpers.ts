import { createHash, randomBytes } from "node:crypto";
import { createDemoHris, type DemoHris, type Permission } from "../src/index.ts";

export const T0 = Date.parse("2025-03-01T09:00:00.000Z");

/** A demo HR system on a fake clock that only moves when a test says so. */
export function createTestHris(): DemoHris & { clock: { now: number; advance(ms: number): void } } {
  const clock = {
    now: T0,
    advance(ms: number) {
      clock.now += ms;
    },
  };
  return { ...createDemoHris({ now: () => clock.now }), clock };
}

type App = DemoHris["app"];

export async function postJson(app: App, path: string, body: unknown): Promise<Response> {
  return app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function issueKey(app: App, companyId: string, permissions: Permission[]): Promise<string> {
  const res = await postJson(app, "/admin/api-keys", { company_id: companyId, permissions });
  if (res.status !== 201) throw new Error(`issuing a key failed: ${res.status} ${await res.text()}`);
  const { key } = (await res.json()) as { key: string };
  return key;
}

export function bearer(secret: string): { headers: { Authorization: string } } {
  return { headers: { Authorization: `Bearer ${secret}` } };
}

export async function getJson<T = Record<string, unknown>>(
  app: App,
  path: string,
  secret: string,
): Promise<{ status: number; body: T }> {
  const res = await app.request(path, bearer(secret));
  return { status: res.status, body: (await res.json()) as T };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function form(fields: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  return params;
}

export function postForm(
  app: App,
  path: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
) {
  return app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: form(fields).toString(),
  });
}
