import type { RelinkLink } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: Array<{ path: string; message: string }> } };
}

describe.each(availableDialects())("relink links on %s", (dialect) => {
  let t: TestRelink;
  let integrationId: string;
  const tool = scriptedConnector();
  tool.setKey("A", { permissions: ["employees:read"] });

  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    const imported = await t.request("POST", "/v1/integrations", {
      body: {
        tool: "scripted",
        end_user: { origin_id: "acme-1", organization_name: "Acme" },
        credentials: { api_key: "A" },
      },
    });
    expect(imported.status, await imported.clone().text()).toBe(201);
    integrationId = ((await imported.json()) as { id: string }).id;
  });
  afterAll(() => t?.close());

  const makeLink = (body: Record<string, unknown>) =>
    t.request("POST", `/v1/integrations/${integrationId}/relink`, { body });
  const links = async () =>
    (
      (await (await t.request("GET", `/v1/integrations/${integrationId}/relink-links`)).json()) as {
        data: RelinkLink[];
      }
    ).data;

  describe("an EMBEDDED link lives at most one hour", () => {
    it.each([["2h"], [7200], ["61m"], [3601]])(
      "refuses expires_in %j with 400 naming the one-hour limit, and makes no link",
      async (expiresIn) => {
        const before = (await links()).length;
        const r = await makeLink({ link_type: "EMBEDDED", expires_in: expiresIn });
        expect(r.status).toBe(400);
        const body = (await r.json()) as ErrorBody;
        expect(body.error.code).toBe("INVALID_REQUEST");
        expect(body.error.message).toContain("EMBEDDED links live at most 1 hour");
        expect(body.error.details?.issues?.[0]?.path).toBe("body.expires_in");
        expect((await links()).length).toBe(before);
      },
    );

    it("refuses an over-long expires_in when link_type is left out (EMBEDDED is the default)", async () => {
      const r = await makeLink({ expires_in: "2h" });
      expect(r.status).toBe(400);
      expect(((await r.json()) as ErrorBody).error.message).toContain("at most 1 hour");
    });

    it("accepts an EMBEDDED link of exactly one hour or less, and a MAGIC_LINK of 2 hours", async () => {
      for (const [body, seconds] of [
        [{ link_type: "EMBEDDED", expires_in: "1h" }, 3600],
        [{ link_type: "EMBEDDED", expires_in: 600 }, 600],
        [{ link_type: "MAGIC_LINK", expires_in: "2h" }, 7200],
      ] as const) {
        const r = await makeLink(body);
        expect(r.status, await r.clone().text()).toBe(201);
        const made = (await r.json()) as { expires_at: string };
        const lifetime = (Date.parse(made.expires_at) - t.clock.now().getTime()) / 1000;
        expect(lifetime).toBe(seconds);
      }
    });
  });
});
