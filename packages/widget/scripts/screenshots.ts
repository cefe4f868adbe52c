/**
 * `pnpm --filter @relink/widget screenshots`: builds the widget, opens it in the system Chromium
 * against a scripted connect API (Playwright routes, so every state is reproducible) and writes a
 * PNG of each step and error state, light and dark, at its usual width and 375 px wide (a phone,
 * `*-375.png`), to `docs/screenshots/widget/`; also the superseded and hand-off views, and German
 * (the longest of the ten languages) at both widths.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { chromium, type Page, type Route } from "playwright-core";
import { buildAndMeasure, packageDir } from "./bundle-size.ts";
import { chromiumArgs, chromiumPath } from "./chromium.ts";

const outDir = join(packageDir, "../../docs/screenshots/widget");
const SERVER = "https://relink.example";

const logo = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="9" fill="#0f766e"/><text x="20" y="26" font-family="sans-serif" font-size="15" font-weight="700" fill="#fff" text-anchor="middle">HR</text></svg>`,
)}`;

const permission = (id: string, label: string, description: string, where: string, newly = false) => ({
  id,
  label,
  description,
  where_to_grant: `Demo HR → Settings → API keys → ${where}`,
  newly_required: newly,
  optional: id === "compensation:read",
});

const apiKeyTool = {
  id: "demo-hris",
  name: "Demo HR",
  category: "HRIS",
  logo_url: logo,
  auth: {
    method: "API_KEY",
    fields: [
      {
        id: "api_key",
        label: "API key",
        type: "secret",
        required: true,
        help: "Create one in Demo HR under Settings → API keys.",
        placeholder: "dhr_…",
      },
    ],
  },
};
const oauthTool = {
  ...apiKeyTool,
  id: "demo-hris-oauth",
  name: "Demo HR Cloud",
  auth: { method: "OAUTH2", fields: [] },
};

const flow = (overrides: Record<string, unknown> = {}) => ({
  flow: "relink",
  integration_id: "int_01",
  tool: apiKeyTool,
  end_user: { origin_id: "acme", organization_name: "Acme Corp", email: null },
  current_scope_config: { id: "sc_basic", name: "Directory" },
  target_scope_config: { id: "sc_ext", name: "Directory and payroll" },
  required_permissions: [
    permission(
      "employees:read",
      "Employees (read)",
      "Employees' work details: name, work email, job title and team",
      "“Employees: read”",
    ),
    permission("teams:read", "Teams (read)", "Teams and their members", "“Teams: read”"),
    permission("time_off:read", "Time off (read)", "Time off requests", "“Time off: read”", true),
    permission(
      "compensation:read",
      "Compensation (read)",
      "Salaries and compensation history",
      "“Compensation: read”",
      true,
    ),
  ],
  newly_required_permissions: ["time_off:read", "compensation:read"],
  optional_parts: [{ id: "compensations", label: "Compensations", permission: "compensation:read" }],
  locale: null,
  expires_at: "2026-12-01T17:00:00Z",
  ...overrides,
});

const error = (status: number, code: string, details?: unknown) => ({
  status,
  body: { error: { code, message: code, ...(details ? { details } : {}), request_id: "req_1" } },
});

const missing = {
  missing: [
    {
      permission: "compensation:read",
      label: "Compensation (read)",
      description: "Salaries and compensation history",
      where_to_grant: "Demo HR → Settings → API keys → “Compensation: read”",
      models: ["compensations"],
      fields: ["employees.salary"],
    },
  ],
};

type Answer = { status?: number; body?: unknown } | "hang";
interface Shot {
  name: string;
  routes: Record<string, Answer>;
  /** Drives the widget to the state to capture. */
  steps?: (page: Page) => Promise<void>;
  mode?: "inline" | "modal";
  /** On the relink server's own page (`/link`, opened from a magic link) instead of a product's. */
  hosted?: boolean;
  /** The page's own CSS for the element (theming). */
  css?: string;
  /** The widget's language (default English). */
  locale?: string;
}

const click = (page: Page, name: string | RegExp) =>
  page
    .locator("relink-connect")
    .getByRole("button", { name, exact: typeof name === "string" })
    .click();
const toCredentials = async (page: Page) => {
  await click(page, "Get started");
  await click(page, "Continue");
};
const HANDOFF = "I’m not an admin — send this to my admin";
const handoffLink = {
  status: 201,
  body: {
    url: "https://relink.example/link#token=eyJhbGciOiJIUzI1NiJ9.eyJoYW5kb2ZmIjp0cnVlfQ.c2lnbmVk",
    expires_at: "2026-12-08T09:00:00Z",
  },
};
/** German, the longest of the ten languages: its credentials step and the hand-off link. */
const toCredentialsDe = async (page: Page) => {
  await click(page, "Los geht’s");
  await click(page, "Weiter");
};
const submit = async (page: Page, key = "dhr_live_3f9a2c") => {
  await toCredentials(page);
  await page.locator("relink-connect").getByLabel("API key", { exact: true }).fill(key);
  await click(page, "Connect");
};

const shots: Shot[] = [
  { name: "01-intro", routes: { "GET /connect/v1/flow": { body: flow() } } },
  {
    name: "02-tool",
    routes: {
      "GET /connect/v1/flow": {
        body: flow({ flow: "connect", tool: null, integration_id: null, current_scope_config: null }),
      },
      "GET /connect/v1/tools": { body: { data: [apiKeyTool, { ...oauthTool, logo_url: null }] } },
    },
    steps: (page) => click(page, "Get started"),
  },
  {
    name: "03-permissions",
    routes: { "GET /connect/v1/flow": { body: flow() } },
    steps: (page) => click(page, "Get started"),
  },
  { name: "04-credentials", routes: { "GET /connect/v1/flow": { body: flow() } }, steps: toCredentials },
  {
    name: "05-credentials-invalid",
    routes: {
      "GET /connect/v1/flow": { body: flow() },
      "POST /connect/v1/credentials": error(422, "CREDENTIALS_INVALID"),
    },
    steps: (page) => submit(page),
  },
  {
    name: "06-checking",
    routes: { "GET /connect/v1/flow": { body: flow() }, "POST /connect/v1/credentials": "hang" },
    steps: (page) => submit(page),
  },
  {
    name: "07-success",
    routes: {
      "GET /connect/v1/flow": { body: flow() },
      "POST /connect/v1/credentials": {
        body: { status: "COMPLETED", flow: "relink", integration_id: "int_01", scope_config_id: "sc_ext" },
      },
    },
    steps: (page) => submit(page),
  },
  {
    name: "08-error-permissions-missing",
    routes: {
      "GET /connect/v1/flow": { body: flow() },
      "POST /connect/v1/credentials": error(422, "PERMISSIONS_MISSING", missing),
    },
    steps: (page) => submit(page),
  },
  {
    name: "09-error-another-account",
    routes: {
      "GET /connect/v1/flow": { body: flow() },
      "POST /connect/v1/credentials": error(409, "ACCOUNT_MISMATCH"),
    },
    steps: (page) => submit(page),
  },
  {
    name: "10-error-tool-unreachable",
    routes: {
      "GET /connect/v1/flow": { body: flow() },
      "POST /connect/v1/credentials": error(503, "TOOL_UNREACHABLE"),
    },
    steps: (page) => submit(page),
  },
  { name: "11-error-link-expired", routes: { "GET /connect/v1/flow": error(401, "TOKEN_EXPIRED") } },
  { name: "12-error-link-used", routes: { "GET /connect/v1/flow": error(409, "TOKEN_ALREADY_USED") } },
  {
    name: "13-oauth",
    routes: { "GET /connect/v1/flow": { body: flow({ tool: oauthTool }) } },
    steps: toCredentials,
  },
  { name: "14-modal", mode: "modal", routes: { "GET /connect/v1/flow": { body: flow() } } },
  {
    name: "15-oauth-permissions",
    routes: { "GET /connect/v1/flow": { body: flow({ tool: oauthTool }) } },
    steps: (page) => click(page, "Get started"),
  },
  {
    name: "16-hosted-link-expired",
    hosted: true,
    routes: { "GET /connect/v1/flow": error(401, "TOKEN_EXPIRED") },
  },
  {
    // The docs' theming example: one accent for both schemes, the text on it derived.
    name: "17-custom-accent",
    css: "relink-connect { --relink-accent: #0f766e; --relink-radius: 10px; }",
    routes: { "GET /connect/v1/flow": { body: flow() } },
    steps: (page) => click(page, "Get started"),
  },
  {
    // FLOW_SUPERSEDED: someone else reconnected; a calm ending, not an error.
    name: "18-superseded",
    routes: {
      "GET /connect/v1/flow": error(409, "FLOW_SUPERSEDED", { superseded_at: "2026-11-30T14:05:00Z" }),
    },
  },
  {
    name: "19-handoff-asked",
    routes: {
      "GET /connect/v1/flow": {
        body: { ...flow(), handoff: { requested_by: "Jane Doe", requested_at: "2026-12-01T08:00:00Z" } },
      },
    },
  },
  {
    name: "20-handoff-form",
    routes: { "GET /connect/v1/flow": { body: flow() } },
    steps: async (page) => {
      await toCredentials(page);
      await click(page, HANDOFF);
    },
  },
  {
    name: "21-handoff-link",
    routes: { "GET /connect/v1/flow": { body: flow() }, "POST /connect/v1/flow/handoff": handoffLink },
    steps: async (page) => {
      await toCredentials(page);
      await click(page, HANDOFF);
      await page
        .locator("relink-connect")
        .getByLabel(/Your name or email/)
        .fill("Jane Doe");
      await click(page, "Create link");
      await page.locator("relink-connect #handoff-url").waitFor();
    },
  },
  {
    name: "22-longest-locale-de-credentials",
    locale: "de",
    mode: "modal",
    routes: { "GET /connect/v1/flow": { body: flow() } },
    steps: toCredentialsDe,
  },
  {
    name: "23-longest-locale-de-handoff-link",
    locale: "de",
    routes: { "GET /connect/v1/flow": { body: flow() }, "POST /connect/v1/flow/handoff": handoffLink },
    steps: async (page) => {
      await toCredentialsDe(page);
      await click(page, "Ich bin kein Admin – an meinen Admin senden");
      await click(page, "Link erstellen");
      await page.locator("relink-connect #handoff-url").waitFor();
    },
  },
];

const page = (mode: string, locale = "en", css = "", server = SERVER) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>relink widget</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; font-family: system-ui, sans-serif; background: #eef0f4; color: #1b1d23; }
  @media (prefers-color-scheme: dark) { body { background: #0b0c0f; color: #ececf1; } }
  main { padding: 32px; }
  .app { max-width: 760px; margin: 0 auto; }
  .app h1 { font-size: 20px; margin: 0 0 8px; } .app p { margin: 0 0 24px; opacity: .7; }
  #frame { padding: 24px; width: 560px; max-width: 100%; }
  @media (max-width: 480px) { main { padding: 12px; } #frame { padding: 0; } }
  ${css}
</style>
<script type="module" src="/dist/relink-widget.js"></script></head>
<body><main>${
  mode === "modal"
    ? `<div class="app"><h1>Acme Payroll · Integrations</h1><p>Demo HR · needs attention</p></div>
       <relink-connect server="${server}" token="t" mode="modal" locale="${locale}" open></relink-connect>`
    : `<div id="frame"><relink-connect server="${server}" token="t" mode="inline" locale="${locale}"></relink-connect></div>`
}</main></body></html>`;

async function main() {
  await buildAndMeasure();
  mkdirSync(outDir, { recursive: true });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/dist/")) {
      try {
        res.writeHead(200, { "content-type": "text/javascript" });
        res.end(readFileSync(join(packageDir, url.pathname)));
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    const shot = shots.find((s) => s.name === url.searchParams.get("shot"));
    res.end(page(url.searchParams.get("mode") ?? "inline", shot?.locale ?? "en", shot?.css));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    for (const [colorScheme, narrow] of [
      ["light", false],
      ["dark", false],
      ["light", true],
      ["dark", true],
    ] as const) {
      for (const shot of shots) {
        const width = narrow ? 375 : shot.mode === "modal" ? 900 : 620;
        const context = await browser.newContext({
          colorScheme,
          viewport: { width, height: shot.mode === "modal" ? 760 : 400 },
          deviceScaleFactor: 1,
          reducedMotion: "reduce",
          locale: "en-US",
          timezoneId: "UTC",
        });
        const p = await context.newPage();
        await p.route(`${SERVER}/**`, async (route: Route) => {
          const request = route.request();
          if (shot.hosted && new URL(request.url()).pathname === "/link") {
            return route.fulfill({ contentType: "text/html", body: page("inline", "en", "", SERVER) });
          }
          if (shot.hosted && new URL(request.url()).pathname.startsWith("/dist/")) {
            const file = join(packageDir, new URL(request.url()).pathname);
            return route.fulfill({ contentType: "text/javascript", body: readFileSync(file) });
          }
          const answer = shot.routes[`${request.method()} ${new URL(request.url()).pathname}`];
          if (answer === "hang") return; // never answered: the checking step stays
          const headers = {
            "access-control-allow-origin": "*",
            "access-control-allow-headers": "*",
            "content-type": "application/json",
          };
          if (request.method() === "OPTIONS") return route.fulfill({ status: 204, headers });
          await route.fulfill({
            status: answer?.status ?? (answer ? 200 : 404),
            headers,
            body: JSON.stringify(answer?.body ?? {}),
          });
        });
        await p.goto(
          shot.hosted
            ? `${SERVER}/link`
            : `http://127.0.0.1:${port}/?mode=${shot.mode ?? "inline"}&shot=${shot.name}`,
        );
        await p.locator("relink-connect [part~=title]").first().waitFor();
        await shot.steps?.(p);
        await p.waitForTimeout(150);
        const file = join(outDir, `${shot.name}-${colorScheme}${narrow ? "-375" : ""}.png`);
        if (shot.mode === "modal") await p.screenshot({ path: file });
        else await p.locator("#frame").screenshot({ path: file });
        console.log(`wrote ${file}`);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
