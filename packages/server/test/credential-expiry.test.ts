import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announceExpiringCredentials } from "../src/domain/credential-expiry.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, integration, okJson } from "./beyond-support.ts";

const DAY = 86_400_000;

describe.each(availableDialects())("warn before it breaks: credentials expiry on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  const at = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
  });
  afterAll(() => t?.close());

  it("stores the expiry a check reports, shows it, and announces it once RELINK_EXPIRY_WARNING (7 days) before", async () => {
    const start = t.clock.now().getTime();
    const expires = at(start + 10 * DAY);
    tool.setKey("expiring", { expiresAt: expires });
    const made = await importIntegration(t, "expiring", "acme");
    expect(made.credentials_expire_at).toBe(expires);

    // More than 7 days ahead: nothing yet.
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(0);
    t.clock.advance(3 * DAY + 1_000);
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(1);
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(0);
    const warned = await apiEvents(t, { integration_id: made.id, type: "integration-credentials-expiring" });
    expect(warned.map((e) => e.data)).toStrictEqual([
      {
        integration_id: made.id,
        integration_tool: "scripted",
        integration_category: "HRIS",
        end_user: { origin_id: "acme", organization_name: "acme Inc", email: null },
        credentials_expire_at: expires,
      },
    ]);
    // Checks that report the same expiry do not announce it again.
    await okJson(t.request("POST", `/v1/integrations/${made.id}/check-auth`));
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(0);

    // The widget can be opened for the ACTIVE integration before anything fails: a relink link works.
    expect((await integration(t, made.id)).state).toBe("ACTIVE");
    const link = await okJson<{ token: string }>(
      t.request("POST", `/v1/integrations/${made.id}/relink`, { body: { link_type: "MAGIC_LINK" } }),
      201,
    );
    expect((await t.request("GET", "/connect/v1/flow", { key: link.token })).status).toBe(200);
    const renewed = at(start + 400 * DAY);
    tool.setKey("renewed", { expiresAt: renewed });
    await okJson(
      t.request("POST", "/connect/v1/credentials", {
        key: link.token,
        body: { values: { api_key: "renewed" } },
      }),
    );
    expect((await integration(t, made.id)).credentials_expire_at).toBe(renewed);
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(0);
  });

  it("announces a new expiry reported by a scheduled check anew; a check reporting none keeps the last", async () => {
    const start = t.clock.now().getTime();
    tool.setKey("k2");
    const made = await importIntegration(t, "k2", "globex");
    expect(made.credentials_expire_at).toBeNull();
    await t.server.scheduler.runDue();
    tool.setKey("k2", { expiresAt: at(start + 2 * DAY) });
    await okJson(t.request("POST", `/v1/integrations/${made.id}/sync`), 202);
    await t.server.scheduler.runDue();
    expect((await integration(t, made.id)).credentials_expire_at).toBe(at(start + 2 * DAY));
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(1);
    tool.setKey("k2", { expiresAt: at(start + 3 * DAY) });
    await okJson(t.request("POST", `/v1/integrations/${made.id}/check-auth`));
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(1);
    tool.setKey("k2");
    await okJson(t.request("POST", `/v1/integrations/${made.id}/check-auth`));
    expect((await integration(t, made.id)).credentials_expire_at).toBe(at(start + 3 * DAY));
    const warned = await apiEvents(t, { integration_id: made.id, type: "integration-credentials-expiring" });
    expect(warned.map((e) => e.data.credentials_expire_at)).toEqual([
      at(start + 2 * DAY),
      at(start + 3 * DAY),
    ]);
  });

  it("never announces for a disabled integration", async () => {
    tool.setKey("k3", { expiresAt: at(t.clock.now().getTime() + DAY) });
    const made = await importIntegration(t, "k3", "initech");
    await okJson(t.request("PUT", `/v1/integrations/${made.id}/enabled`, { body: { value: false } }));
    expect(await announceExpiringCredentials(t.server.ctx)).toBe(0);
  });
});
