import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { signWebhook } from "@relink/sdk/server";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, loadConfig } from "../../packages/server/src/config.ts";
import { fencedBlocks, ROOT, region } from "../../scripts/doc-snippets.ts";
import { SELF_HOSTING_DOC, withConfigReference } from "../../scripts/gen-config-docs.ts";
import { relinkRoutes } from "../snippets/backend.ts";
import { isValidRelinkWebhook } from "../snippets/webhooks-node.ts";

const DOCS = join(ROOT, "docs");
const docs = readdirSync(DOCS)
  .filter((f) => f.endsWith(".md"))
  .map((f) => ({ file: `docs/${f}`, text: readFileSync(join(DOCS, f), "utf8") }));
const blocks = docs.flatMap(({ file, text }) => fencedBlocks(file, text));
const TYPED = new Set(["ts", "typescript", "tsx"]);

describe("docs", () => {
  it("has docs to check", () => {
    expect(docs.map((d) => d.file)).toEqual(expect.arrayContaining(["docs/concepts.md", "docs/sdk.md"]));
    expect(blocks.filter((b) => b.snippet !== null).length).toBeGreaterThan(10);
  });

  it.each(blocks.filter((b) => TYPED.has(b.lang)).map((b) => [`${b.file}:${b.line}`, b] as const))(
    "%s: a TypeScript block names the type-checked snippet it shows",
    (_where, block) => {
      expect(
        block.snippet,
        "add <!-- snippet: docs/snippets/<file>.ts#<region> --> before the block",
      ).not.toBeNull();
    },
  );

  it.each(
    blocks.filter((b) => b.snippet !== null).map((b) => [`${b.file}:${b.line} ← ${b.snippet}`, b] as const),
  )("%s: the block equals its snippet region", (_where, block) => {
    const [path, name] = block.snippet!.split("#");
    expect(block.code).toBe(region(path!, name!));
  });

  it("links only to files that exist", () => {
    for (const { file, text } of docs) {
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const path = join(DOCS, target!);
        expect(() => readFileSync(path), `${file} links to ${target}`).not.toThrow();
      }
    }
  });
});

describe("configuration reference", () => {
  it("is generated from CONFIG_VARIABLES and up to date (pnpm docs:config)", () => {
    const doc = readFileSync(SELF_HOSTING_DOC, "utf8");
    expect(withConfigReference(doc), "run `pnpm docs:config`").toBe(doc);
  });

  it("lists every variable loadConfig reads", () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_target, name) => {
        if (typeof name === "string") read.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    // `RELINK_TOOL_<ID>_…` names a family of variables, read by pattern rather than by name.
    const named = CONFIG_VARIABLES.map((v) => v.name).filter((name) => !name.includes("<"));
    expect([...read].sort()).toEqual(named.sort());
  });

  it("reads every documented family of variables by its pattern", () => {
    const families = CONFIG_VARIABLES.map((v) => v.name).filter((name) => name.includes("<"));
    expect(families).toEqual(["RELINK_TOOL_<ID>_CLIENT_ID", "RELINK_TOOL_<ID>_CLIENT_SECRET"]);
    const env = Object.fromEntries(
      families.map((name, i) => [name.replace("<ID>", "GOOGLE_WORKSPACE"), `value-${i}`]),
    );
    expect(loadConfig(env).toolSettings).toEqual({
      GOOGLE_WORKSPACE: { clientId: "value-0", clientSecret: "value-1" },
    });
  });
});

describe("verifying webhooks in Node without the SDK (docs/webhooks.md)", () => {
  const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
  const body = JSON.stringify({ id: "evt_01test", type: "integration-relinked", data: {} });

  it("accepts what relink signs, also with two signatures during a rotation", async () => {
    const headers = await signWebhook({ id: "evt_01test", timestamp: new Date(), body, secret });
    expect(isValidRelinkWebhook(body, headers, secret)).toBe(true);
    const other = `whsec_${Buffer.from("another secret of 32 bytes.....!").toString("base64")}`;
    const rotating = await signWebhook({
      id: "evt_01test",
      timestamp: new Date(),
      body,
      secret: [other, secret],
    });
    expect(isValidRelinkWebhook(body, rotating, secret)).toBe(true);
  });

  it("refuses a changed body, another secret, a stale timestamp and missing headers", async () => {
    const headers = await signWebhook({ id: "evt_01test", timestamp: new Date(), body, secret });
    expect(isValidRelinkWebhook(`${body} `, headers, secret)).toBe(false);
    const other = `whsec_${Buffer.from("another secret of 32 bytes.....!").toString("base64")}`;
    expect(isValidRelinkWebhook(body, headers, other)).toBe(false);
    const old = await signWebhook({
      id: "evt_01test",
      timestamp: new Date(Date.now() - 600_000),
      body,
      secret,
    });
    expect(isValidRelinkWebhook(body, old, secret)).toBe(false);
    expect(isValidRelinkWebhook(body, {}, secret)).toBe(false);
  });
});

describe("the quick start's backend (docs/snippets/backend.ts)", () => {
  const secret = `whsec_${Buffer.from("quick start secret, 32 bytes....").toString("base64")}`;
  const env = {
    RELINK_WEBHOOK_SECRET: secret,
    RELINK_WORKSPACE_ID: "ws_01jd5x3m9k2q8r7t6y5w4v3u2s",
    RELINK_SIGNING_KEY_ID: "sk_01jd5x3m9k2q8r7t6y5w4v3u2s",
    RELINK_SIGNING_SECRET: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",
  };

  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it("mints for the signed-in customer's integration and acts on verified webhooks only", async () => {
    Object.assign(process.env, env);
    const marks: Array<[string, boolean]> = [];
    const app = relinkRoutes(
      {
        integrationOf: async (customer) => (customer === "acme" ? "int_01jd5x3m9k2q8r7t6y5w4v3u2s" : null),
        markNeedsReconnect: async (id, needed) => {
          marks.push([id, needed]);
        },
      },
      async (request) => (request.headers.get("cookie") === "session=acme" ? "acme" : null),
    );

    expect((await app.request("/api/relink-token", { method: "POST" })).status).toBe(401);
    const minted = await app.request("/api/relink-token", {
      method: "POST",
      headers: { cookie: "session=acme" },
    });
    const { token } = (await minted.json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ sub: "int_01jd5x3m9k2q8r7t6y5w4v3u2s", flow: "relink", aud: "relink" });

    const event = {
      id: "evt_01jd5x3m9k2q8r7t6y5w4v3u2s",
      type: "integration-state-changed",
      created_at: new Date().toISOString(),
      data: {
        integration_id: "int_01jd5x3m9k2q8r7t6y5w4v3u2s",
        integration_tool: "demo-hris",
        integration_category: "HRIS",
        end_user: { origin_id: "acme", organization_name: "Acme Corp" },
        state: "INVALID",
        previous_state: "ACTIVE",
        reason: "AUTHENTICATION_FAILED",
        updated_at: new Date().toISOString(),
      },
    };
    const body = JSON.stringify(event);
    const headers = await signWebhook({ id: event.id, timestamp: new Date(), body, secret });
    const ok = await app.request("/webhooks/relink", { method: "POST", body, headers });
    expect(ok.status).toBe(204);
    const forged = await app.request("/webhooks/relink", {
      method: "POST",
      body: body.replace("INVALID", "ACTIVE"),
      headers,
    });
    expect(forged.status).toBe(400);
    expect(marks).toEqual([["int_01jd5x3m9k2q8r7t6y5w4v3u2s", true]]);
  });
});
