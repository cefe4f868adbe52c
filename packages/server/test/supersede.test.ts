import { mintRelinkToken } from "@relink/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { apiEvents, importIntegration, integration, okJson } from "./beyond-support.ts";
import { S1_MODELS, S2_MODELS } from "./flows-support.ts";

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

describe.each(availableDialects())(
  "one live repair: other links and tokens are superseded on %s",
  (dialect) => {
    let t: TestRelink;
    const tool = scriptedConnector();
    tool.setKey("A");
    tool.setKey("B");
    tool.setKey("C");
    let key: { id: string; secret: string };
    let s2: string;

    beforeAll(async () => {
      t = await createTestRelink({ dialect, connectors: [tool.connector] });
      key = await okJson(t.request("POST", "/v1/signing-keys", { body: { algorithm: "HS256" } }), 201);
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

    const link = (id: string, body: Record<string, unknown> = {}) =>
      okJson<{ id: string; token: string }>(
        t.request("POST", `/v1/integrations/${id}/relink`, { body: { link_type: "MAGIC_LINK", ...body } }),
        201,
      );
    const flow = (token: string) => t.request("GET", "/connect/v1/flow", { key: token });
    const submit = (token: string, apiKey: string) =>
      t.request("POST", "/connect/v1/credentials", { key: token, body: { values: { api_key: apiKey } } });

    it("answers 409 FLOW_SUPERSEDED with exactly { superseded_at } to the other links and older SDK tokens, and announces each superseded link once", async () => {
      const made = await importIntegration(t, "A", "acme");
      const winner = await link(made.id);
      const other = await link(made.id);
      const otherScope = await link(made.id, { scope_config_id: s2 });
      const sdkToken = await mintRelinkToken({
        workspaceId: t.workspaceId,
        key,
        integrationId: made.id,
        now: t.clock.now(),
      });
      t.clock.advance(2_000);

      await okJson(submit(winner.token, "B"));
      const relinkedAt = (await apiEvents(t, { integration_id: made.id, type: "integration-relinked" }))[0]
        ?.data.relinked_at as string;
      expect(relinkedAt).toBe(t.clock.now().toISOString());

      for (const token of [other.token, sdkToken]) {
        for (const response of [await flow(token), await submit(token, "C")]) {
          expect(response.status).toBe(409);
          const body = (await response.json()) as ErrorBody;
          expect(body.error.code).toBe("FLOW_SUPERSEDED");
          expect(body.error.details).toStrictEqual({ superseded_at: relinkedAt });
        }
      }
      // A link for another scope config than the one now in use is still a repair to do.
      expect((await flow(otherScope.token)).status).toBe(200);
      // The winner's own token is spent, as before.
      expect(((await (await flow(winner.token)).json()) as ErrorBody).error.code).toBe("TOKEN_ALREADY_USED");

      const superseded = await apiEvents(t, { integration_id: made.id, type: "relink-link-superseded" });
      expect(superseded.map((e) => e.data)).toStrictEqual([
        { link_id: other.id, integration_id: made.id, superseded_at: relinkedAt },
      ]);
      const links = await okJson<{
        data: Array<{ id: string; status: string; superseded_at: string | null }>;
      }>(t.request("GET", `/v1/integrations/${made.id}/relink-links`));
      const byId = new Map(links.data.map((l) => [l.id, l]));
      expect(byId.get(other.id)).toMatchObject({ status: "SUPERSEDED", superseded_at: relinkedAt });
      expect(byId.get(winner.id)?.status).toBe("COMPLETED");
      expect(byId.get(otherScope.id)?.status).toBe("OUTSTANDING");
      const outstanding = await okJson<{ data: Array<{ id: string }> }>(
        t.request("GET", `/v1/integrations/${made.id}/relink-links?status=OUTSTANDING`),
      );
      expect(outstanding.data.map((l) => l.id)).toEqual([otherScope.id]);
      const state = await integration(t, made.id);
      expect(state.state).toBe("ACTIVE");
    });

    it("lets links and tokens made after the relink work, and a later relink supersedes only what is then outstanding", async () => {
      const made = await importIntegration(t, "A", "globex");
      const first = await link(made.id);
      await okJson(submit(first.token, "B"));
      t.clock.advance(2_000);
      const fresh = await link(made.id);
      const sdkToken = await mintRelinkToken({
        workspaceId: t.workspaceId,
        key,
        integrationId: made.id,
        now: t.clock.now(),
      });
      expect((await flow(fresh.token)).status).toBe(200);
      expect((await flow(sdkToken)).status).toBe(200);
      await okJson(submit(sdkToken, "C"));
      expect((await flow(fresh.token)).status).toBe(409);
      const superseded = await apiEvents(t, { integration_id: made.id, type: "relink-link-superseded" });
      expect(superseded.map((e) => e.data.link_id)).toEqual([fresh.id]);
    });

    it("shows the hosted page's 'already reconnected' notice data: the page script handles FLOW_SUPERSEDED", async () => {
      const script = await (await t.request("GET", "/link.js", { key: null })).text();
      expect(script).toContain('read.code === "FLOW_SUPERSEDED"');
      // One superseded view (the widget branch's strings), dated with details.superseded_at.
      expect(script).toContain("superseded(read.supersededAt)");
      expect(script).toContain("Someone else reconnected this integration on");
    });
  },
);
