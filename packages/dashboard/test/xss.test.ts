import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWorkspace, defineConfig, type RunningServer, startServer } from "@relink/server";
import { freePort, scriptedConnector, waitFor } from "@relink/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, signIn } from "./support/browser.ts";

/**
 * Issue 11 item 4 (reliability suite): every string a tool or a user can put in front of the
 * dashboard or the widget carries markup, and each surface is loaded once in Chromium. Proven
 * rendered as text: the markup is visible literally, no element came of it, and the handlers it
 * carries never ran (`window.__xss` stays undefined). The tool itself is hostile too: its name,
 * its permission labels and descriptions, its auth field labels.
 */

const P = {
  org: `Acme <img src=x onerror="window.__xss='org'">`,
  scope: `Scope "><svg onload="window.__xss='scope'">`,
  tool: `Tool <script>window.__xss='tool'</script>`,
  permission: `Employees <img src=x onerror="window.__xss='permission'">`,
  endpoint: `Hooks <img src=x onerror="window.__xss='endpoint'">`,
  key: `Key <iframe srcdoc="<script>parent.__xss='key'</script>">`,
  field: `API key <b onmouseover="window.__xss='field'">`,
};

function hostileTool() {
  const tool = scriptedConnector("hostile");
  const base = tool.connector.tool;
  tool.connector = {
    ...tool.connector,
    tool: {
      ...base,
      name: P.tool,
      auth: { ...base.auth, fields: base.auth.fields.map((f) => ({ ...f, label: P.field, help: P.field })) },
      permissions: base.permissions.map((p) => ({ ...p, label: P.permission, description: P.permission })),
    },
  };
  return tool;
}

describe("markup from tools and users is shown as text", () => {
  let server: RunningServer;
  let browser: Browser;
  let apiKey: string;
  let dir: string;
  let integrationId: string;
  let link: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return JSON.parse(text);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "relink-xss-"));
    const tool = hostileTool();
    tool.setKey("k1", { permissions: ["employees:read", "teams:read"] });
    const port = await freePort();
    [server, browser] = await Promise.all([
      startServer({
        extraConnectors: [tool.connector],
        config: defineConfig({
          port,
          host: "127.0.0.1",
          publicUrl: `http://127.0.0.1:${port}`,
          databaseUrl: `sqlite:${join(dir, "relink.db")}`,
          dataDir: dir,
          encryptionKey: randomBytes(32).toString("base64"),
          logLevel: "silent",
          allowPrivateWebhookUrls: true,
          allowHttpWebhookUrls: true,
        }),
      }),
      launchChromium(),
    ]);
    apiKey = (await createWorkspace(server.relink.ctx, `Workspace <img src=x onerror="window.__xss='ws'">`))
      .apiKey.key;
    const scope = await api("POST", "/v1/scope-configs", {
      name: P.scope,
      category: "HRIS",
      is_default: true,
      models: { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } },
    });
    const integration = await api("POST", "/v1/integrations", {
      tool: "hostile",
      end_user: {
        origin_id: `<svg onload="window.__xss='origin'">`,
        organization_name: P.org,
        email: "a@b.example",
      },
      credentials: { api_key: "k1" },
      scope_config_id: scope.id,
    });
    integrationId = integration.id;
    await api("POST", "/v1/webhook-endpoints", { url: "http://127.0.0.1:9/hooks", description: P.endpoint });
    await api("POST", "/v1/api-keys", { name: P.key });
    await api("POST", `/v1/integrations/${integrationId}/sync`);
    link = (await api("POST", `/v1/integrations/${integrationId}/relink`, { link_type: "MAGIC_LINK" })).link;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let surfaces = 0;
  /** The rendered text of the page, shadow roots included. */
  const deepText = (page: Page) =>
    page.evaluate(() => {
      const parts: string[] = [];
      const walk = (root: Document | ShadowRoot | Element) => {
        for (const node of Array.from(root.childNodes)) {
          if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? "");
          else if (node instanceof Element) {
            if (node.shadowRoot) walk(node.shadowRoot);
            if (node.tagName !== "SCRIPT" && node.tagName !== "STYLE") walk(node);
            if (node instanceof HTMLInputElement && node.value) parts.push(node.value);
          }
        }
      };
      walk(document.body);
      return parts.join(" ").replace(/\s+/g, " ");
    });
  async function expectText(page: Page, text: string) {
    let seen = "";
    await waitFor(
      `"${text}" shown as text on ${page.url()}`,
      async () => {
        seen = await deepText(page);
        return seen.includes(text);
      },
      { intervalMs: 200, describe: () => `the page shows: ${seen.slice(0, 1500)}` },
    );
  }
  async function expectInert(page: Page) {
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    // No element came of the markup, in the document or any shadow root.
    const injected = await page.evaluate(() => {
      const found: string[] = [];
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll(
          "img[src='x'], svg[onload], iframe[srcdoc], b[onmouseover], script:not([src])",
        ))
          found.push(el.outerHTML.slice(0, 80));
        for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
      };
      walk(document);
      return found;
    });
    expect(injected).toEqual([]);
    surfaces++;
  }
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    return context.newPage();
  };

  it("the dashboard: integrations list, integration page (timeline, events), scope configs, webhooks, settings", async () => {
    const page = await open();
    await signIn(page, server.url, apiKey);
    await expectText(page, P.org);
    await expectInert(page);

    await signIn(page, server.url, apiKey, `/dashboard/integrations/${integrationId}`);
    await expectText(page, P.org);
    await expectText(page, P.scope);
    await expectText(page, P.tool);
    await expectInert(page);

    await signIn(page, server.url, apiKey, `/dashboard/scope-configs`);
    await expectText(page, P.scope);
    await expectInert(page);

    await signIn(page, server.url, apiKey, `/dashboard/webhooks`);
    await expectText(page, P.endpoint);
    await expectInert(page);

    await signIn(page, server.url, apiKey, `/dashboard/settings`);
    await expectText(page, P.key);
    await expectInert(page);
    await page.context().close();
  });

  it("the widget on the hosted link page: organisation, tool, permissions, auth fields", async () => {
    const page = await open();
    await page.goto(link);
    await expectText(page, "Acme");
    await expectText(page, P.org);
    await expectInert(page);
    await expectText(page, P.tool);
    await page.getByRole("button", { name: /get started/i }).click();
    await expectText(page, P.permission);
    await expectInert(page);
    await page
      .getByRole("button", { name: /continue/i })
      .first()
      .click();
    await expectText(page, P.field);
    await expectInert(page);
    await page.context().close();
    const file = process.env.RELINK_RELIABILITY_SUMMARY;
    if (file)
      appendFileSync(file, `${JSON.stringify({ section: "hostile/xss-chromium", attacks: surfaces * 7 })}\n`);
  });
});
