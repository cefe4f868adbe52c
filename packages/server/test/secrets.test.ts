import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRelinkServer, type RelinkServer } from "../src/app.ts";
import { ManualClock } from "../src/clock.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey, SecretBox, SecretBoxError } from "../src/secrets.ts";
import { scriptedConnector } from "../src/testing/index.ts";

const SECRET = "dhk_SUPER-SECRET-credential-value-0123456789";

describe("secrets at rest and in logs", () => {
  let server: RelinkServer;
  let dir: string;
  const lines: string[] = [];
  const tool = scriptedConnector();
  let apiKey: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relink-secrets-"));
    tool.setKey(SECRET);
    server = await createRelinkServer({
      db: `sqlite:${join(dir, "relink.db")}`,
      clock: new ManualClock(),
      connectors: [tool.connector],
      config: { encryptionKey: generateEncryptionKey(), logLevel: "trace" },
      logger: createLogger({
        level: "trace",
        destination: { write: (line: string) => void lines.push(line) },
      }),
    });
    apiKey = (await createWorkspace(server.ctx)).apiKey.key;
  });
  afterAll(() => server.close());

  const call = (method: string, path: string, body?: unknown) =>
    server.app.request(path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("keeps credentials and API keys out of responses, logs and the database file", async () => {
    const bodies: string[] = [];
    const created = await call("POST", "/v1/integrations", {
      tool: "scripted",
      end_user: { origin_id: "o", organization_name: "O" },
      credentials: { api_key: SECRET },
    });
    expect(created.status).toBe(201);
    const integration = JSON.parse(await created.clone().text());
    for (const response of [
      created,
      await call("GET", `/v1/integrations/${integration.id}`),
      await call("GET", "/v1/integrations"),
      // A refused import echoes nothing of what was sent.
      await call("POST", "/v1/integrations", {
        tool: "scripted",
        end_user: { origin_id: "o", organization_name: "O" },
        credentials: { api_key: `${SECRET}-wrong`, extra: SECRET },
      }),
    ]) {
      bodies.push(await response.text());
    }
    for (const body of bodies) expect(body).not.toContain(SECRET);

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(apiKey);
      expect(JSON.parse(line).request_id ?? JSON.parse(line).msg).toBeTruthy();
    }
    const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    expect(requestLines.every((l) => typeof l.request_id === "string")).toBe(true);

    await server.ctx.db.destroy().catch(() => {});
    for (const file of readdirSync(dir)) {
      const raw = readFileSync(join(dir, file));
      expect(raw.includes(Buffer.from(SECRET)), file).toBe(false);
      expect(raw.includes(Buffer.from(apiKey)), file).toBe(false);
    }
  });
});

describe("SecretBox", () => {
  it("seals with a key id, opens with previous keys, and refuses tampering or another row", () => {
    const oldKey = generateEncryptionKey();
    const newKey = generateEncryptionKey();
    const before = new SecretBox(oldKey);
    const sealed = before.seal("s3cret", "int_1");
    expect(sealed).not.toContain("s3cret");
    const after = new SecretBox(newKey, [oldKey]);
    expect(after.open(sealed, "int_1")).toBe("s3cret");
    expect(after.isStale(sealed)).toBe(true);
    expect(after.isStale(after.seal("x"))).toBe(false);
    expect(() => after.open(sealed, "int_2")).toThrow(/tampered/);
    expect(() => new SecretBox(newKey).open(sealed, "int_1")).toThrow(/unknown key/);
    // One bit of the tag flipped (a change of the text's last characters could leave it as it was).
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[body.length - 1]! ^= 1;
    parts[3] = body.toString("base64url");
    expect(parts.join(".")).not.toBe(sealed);
    expect(() => after.open(parts.join("."), "int_1")).toThrow(/tampered/);
  });

  it("refuses a malformed sealed value with a SecretBoxError: wrong version, missing or extra parts, a short tag", () => {
    const box = new SecretBox(generateEncryptionKey());
    const sealed = box.seal("s3cret", "row");
    const [, kid, iv, body] = sealed.split(".") as [string, string, string, string];
    const tagOnly = Buffer.from(body, "base64url").subarray(-16);
    for (const bad of [
      "",
      "v1",
      `v2.${kid}.${iv}.${body}`,
      `v1.${kid}.${iv}`,
      `v1.${kid}.${iv}.`,
      `v1..${iv}.${body}`,
      `v1.${kid}..${body}`,
      `v1.${kid}.${iv}.${body}.x`,
      `v1.${kid}.${iv}.${tagOnly.subarray(1).toString("base64url")}`,
      `xv1.${kid}.${iv}.${body}`,
    ]) {
      expect(() => box.open(bad, "row"), bad).toThrow(SecretBoxError);
    }
    // The tag alone (an empty plaintext) is a sealed value: it opens only if it is the right one.
    expect(box.open(box.seal("", "row"), "row")).toBe("");
    expect(() => box.open(`v1.${kid}.${iv}.${tagOnly.toString("base64url")}`, "row")).toThrow(/tampered/);
    expect(box.open(sealed, "row")).toBe("s3cret");
  });

  it("draws a fresh random IV for every seal, across refills of its IV pool, and every value opens", () => {
    const box = new SecretBox(generateEncryptionKey());
    const n = 3 * 1024 + 7; // more than two pools of IVs
    const sealed = Array.from({ length: n }, (_, i) => box.seal(`value ${i}`, `row ${i}`));
    const ivs = sealed.map((s) => s.split(".")[2]);
    expect(new Set(ivs).size).toBe(n);
    expect(ivs.every((iv) => Buffer.from(iv ?? "", "base64url").length === 12)).toBe(true);
    sealed.forEach((s, i) => {
      expect(box.open(s, `row ${i}`)).toBe(`value ${i}`);
    });
  });
});
