import { mintConnectToken } from "@relink/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, okJson } from "./beyond-support.ts";
import { S1_MODELS, S2_MODELS } from "./flows-support.ts";

interface Flow {
  flow: string;
  integration_id: string | null;
  target_scope_config: { id: string } | null;
  end_user: { origin_id: string };
  tool: { id: string } | null;
  handoff: { requested_by: string | null; requested_at: string } | null;
}

describe.each(availableDialects())(
  "hand-off to an admin (POST /connect/v1/flow/handoff) on %s",
  (dialect) => {
    let t: TestRelink;
    const tool = scriptedConnector();
    tool.setKey("A", { permissions: ["employees:read"] });
    tool.setKey("ADMIN");
    let s2: string;

    beforeAll(async () => {
      t = await createTestRelink({ dialect, connectors: [tool.connector] });
      await okJson(
        t.request("POST", "/v1/scope-configs", {
          body: { name: "S1", category: "HRIS", is_default: true, models: S1_MODELS },
        }),
        201,
      );
      s2 = (
        await okJson<{ id: string }>(
          t.request("POST", "/v1/scope-configs", {
            body: { name: "S2", category: "HRIS", models: S2_MODELS },
          }),
          201,
        )
      ).id;
    });
    afterAll(() => t?.close());

    const handoff = (token: string, body: unknown = {}) =>
      t.request("POST", "/connect/v1/flow/handoff", { key: token, body });
    const flow = (token: string) => t.request("GET", "/connect/v1/flow", { key: token });
    const tokenOf = (url: string) => new URL(url).hash.replace(/^#token=/, "");

    it("makes a magic link for the same flow and target scope that says who asked; announces it; the admin's relink supersedes the end user's link", async () => {
      const made = await importIntegration(t, "A", "acme");
      const mine = await okJson<{ id: string; token: string }>(
        t.request("POST", `/v1/integrations/${made.id}/relink`, { body: { scope_config_id: s2 } }),
        201,
      );
      const answer = await handoff(mine.token, { requested_by: "Jane Doe <jane@acme.example>" });
      expect(answer.status, await answer.clone().text()).toBe(201);
      const created = (await answer.json()) as { url: string; expires_at: string };
      expect(Object.keys(created).sort()).toEqual(["expires_at", "url"]);
      expect(created.url.startsWith(`${t.server.ctx.config.publicUrl}/link#token=`)).toBe(true);
      expect(Date.parse(created.expires_at) - t.clock.now().getTime()).toBe(3 * 86_400_000);

      const adminToken = tokenOf(created.url);
      const admin = await okJson<Flow>(flow(adminToken));
      expect(admin).toMatchObject({
        flow: "relink",
        integration_id: made.id,
        target_scope_config: { id: s2 },
        handoff: { requested_by: "Jane Doe <jane@acme.example>", requested_at: t.clock.now().toISOString() },
      });
      expect((await okJson<Flow>(flow(mine.token))).handoff).toBeNull();

      const events = await apiEvents(t, { integration_id: made.id, type: "relink-link-handed-off" });
      expect(events).toHaveLength(1);
      expect(events[0]?.data).toMatchObject({
        flow: "relink",
        integration_id: made.id,
        tool: "scripted",
        scope_config_id: s2,
        requested_by: "Jane Doe <jane@acme.example>",
        expires_at: created.expires_at,
        end_user: { origin_id: "acme" },
      });
      const links = await okJson<{ data: Array<{ id: string; handoff_requested_by: string | null }> }>(
        t.request("GET", `/v1/integrations/${made.id}/relink-links`),
      );
      expect(links.data.find((l) => l.id === events[0]?.data.link_id)?.handoff_requested_by).toBe(
        "Jane Doe <jane@acme.example>",
      );

      t.clock.advance(1_000);
      await okJson(
        t.request("POST", "/connect/v1/credentials", {
          key: adminToken,
          body: { values: { api_key: "ADMIN" } },
        }),
      );
      const after = await flow(mine.token);
      expect(after.status).toBe(409);
      expect(((await after.json()) as { error: { code: string } }).error.code).toBe("FLOW_SUPERSEDED");
    });

    it("hands off a connect flow with its end user and tool; requested_by may be left out", async () => {
      const key = await okJson<{ id: string; secret: string }>(
        t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } }),
        201,
      );
      const token = await mintConnectToken({
        workspaceId: t.workspaceId,
        key,
        endUser: { originId: "initech", organizationName: "Initech" },
        tool: "scripted",
        now: t.clock.now(),
      });
      const created = await okJson<{ url: string }>(handoff(token), 201);
      const admin = await okJson<Flow>(flow(tokenOf(created.url)));
      expect(admin).toMatchObject({
        flow: "connect",
        integration_id: null,
        tool: { id: "scripted" },
        end_user: { origin_id: "initech" },
        handoff: { requested_by: null },
      });
    });

    it("refuses bad input in the error envelope, no token with 401, and over 5 hand-offs per flow an hour with 429", async () => {
      const made = await importIntegration(t, "A", "limits");
      const mine = await okJson<{ token: string }>(
        t.request("POST", `/v1/integrations/${made.id}/relink`, { body: {} }),
        201,
      );
      for (const body of [{ requested_by: "x".repeat(201) }, { requested_by: 3 }, { other: true }]) {
        const r = await handoff(mine.token, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("INVALID_REQUEST");
      }
      const anonymous = await t.request("POST", "/connect/v1/flow/handoff", { key: null, body: {} });
      expect(anonymous.status).toBe(401);
      for (let i = 0; i < 5; i++) expect((await handoff(mine.token)).status).toBe(201);
      const limited = await handoff(mine.token);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBeTruthy();
      t.clock.advance(3_600_000);
      expect((await handoff(mine.token)).status).toBe(201);
    });
  },
);
