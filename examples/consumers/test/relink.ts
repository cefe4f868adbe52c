import { startDemoHris } from "@relink/demo-hris";
import { demoHrisServerEnv } from "@relink/demo-hris/connectors";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, type PackedServer, startPackedServer, until } from "./support.ts";

/** Work fields and teams: the demo HR permissions `employees:read` and `teams:read`. */
const SCOPE = {
  name: "Basic",
  category: "HRIS",
  models: {
    employees: {
      setting: "ENABLED",
      fields: {
        first_name: "ENABLED",
        last_name: "ENABLED",
        work_email: "ENABLED",
        job_title: "ENABLED",
        team_id: "ENABLED",
        date_of_birth: "DISABLED",
        home_address: "DISABLED",
        salary: "DISABLED",
      },
    },
    teams: { setting: "ENABLED" },
  },
};
const PERMISSIONS = ["employees:read", "teams:read"];

export interface RelinkStack {
  server: PackedServer;
  browser: Browser;
  /** An integration on the demo HR tool and an embedded flow token to relink it. */
  relinkable(origin: string): Promise<{ integrationId: string; token: string; newKey: string }>;
  /** Drives `<relink-connect>` on the page through a relink with `newKey`, to its success view. */
  completeRelink(page: Page, newKey: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The demo HR tool (from the workspace), the packed server registering its connectors from the
 * packed `@relink/demo-hris/connectors` (`RELINK_CONNECTOR_MODULES`), and Chromium.
 */
export async function startRelinkStack(): Promise<RelinkStack> {
  const hris = await startDemoHris({ port: 0 });
  let server: PackedServer | undefined;
  let browser: Browser | undefined;
  let scope: { id: string };
  try {
    server = await startPackedServer(demoHrisServerEnv(hris.url));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    scope = await server.api<{ id: string }>("POST", "/v1/scope-configs", SCOPE);
  } catch (error) {
    await browser?.close();
    await server?.stop();
    await hris.close();
    throw error;
  }
  const [relink, chromiumBrowser] = [server, browser];
  const hrisKey = async () => {
    const response = await fetch(`${hris.url}/admin/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ company_id: "acme", permissions: PERMISSIONS }),
    });
    if (!response.ok) throw new Error(`demo HR: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { key: string }).key;
  };
  return {
    server: relink,
    browser: chromiumBrowser,
    async relinkable(origin) {
      const server = relink;
      await server.api("PUT", "/v1/settings/allowed-origins", { allowed_origins: [origin] });
      const { id: integrationId } = await server.api<{ id: string }>("POST", "/v1/integrations", {
        tool: "demo-hris",
        end_user: { origin_id: `org-${Date.now()}`, organization_name: "Acme Corp" },
        credentials: { api_key: await hrisKey() },
        scope_config_id: scope.id,
      });
      const { token } = await server.api<{ token: string }>(
        "POST",
        `/v1/integrations/${integrationId}/relink`,
        {
          link_type: "EMBEDDED",
        },
      );
      return { integrationId, token, newKey: await hrisKey() };
    },
    async completeRelink(page, newKey) {
      const widget = page.locator("relink-connect");
      await widget.getByRole("heading", { name: "Reconnect Demo HR" }).waitFor({ timeout: 60_000 });
      await widget.getByRole("button", { name: "Get started" }).click();
      await widget.getByRole("heading", { name: "Permissions to grant" }).waitFor();
      await widget.getByRole("button", { name: "Continue" }).click();
      await widget.getByRole("textbox", { name: "API key" }).fill(newKey);
      await widget.getByRole("button", { name: "Connect", exact: true }).click();
      await widget.getByRole("heading", { name: "Connected" }).waitFor({ timeout: 60_000 });
    },
    async stop() {
      await chromiumBrowser.close();
      await relink.stop();
      await hris.close();
    },
  };
}

/** The relink the page did, as the server recorded it: the link's token completed a relink. */
export async function completedLink(
  server: PackedServer,
  integrationId: string,
): Promise<{ status: string }> {
  return until("the relink link to be completed", async () => {
    const { data } = await server.api<{ data: Array<{ status: string; completed_at: string | null }> }>(
      "GET",
      `/v1/integrations/${integrationId}/relink-links`,
    );
    return data.find((link) => link.completed_at !== null);
  });
}
