import type { RelinkLink } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/domain/errors.ts";
import { resolveFlow, submitCredentials } from "../src/domain/relink.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { verifyFlowToken } from "../src/flow-tokens/verify.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { issues?: Array<{ path: string; message: string }>; branding?: unknown };
  };
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

  describe("revoking a relink link", () => {
    tool.setKey("B", { permissions: ["employees:read"] });
    const link = async (body: Record<string, unknown> = { link_type: "MAGIC_LINK" }) => {
      const r = await makeLink(body);
      expect(r.status, await r.clone().text()).toBe(201);
      return (await r.json()) as { id: string; token: string };
    };
    const revoke = (linkId: string, integration = integrationId, key?: string) =>
      t.request("DELETE", `/v1/integrations/${integration}/relink-links/${linkId}`, { key });
    const connect = (method: string, path: string, token: string, body?: unknown) =>
      t.request(method, path, { key: token, body });
    const credentialsSealed = async () =>
      (
        await t.server.ctx.db
          .selectFrom("integrations")
          .select("credentials_sealed")
          .where("id", "=", integrationId)
          .executeTakeFirstOrThrow()
      ).credentials_sealed;

    it("revokes an outstanding link: its token answers 410 LINK_REVOKED everywhere on the connect API", async () => {
      const made = await link();
      const kept = await link();
      expect((await connect("GET", "/connect/v1/flow", made.token)).status).toBe(200);
      const before = await credentialsSealed();

      const r = await revoke(made.id);
      expect(r.status, await r.clone().text()).toBe(200);
      const revoked = (await r.json()) as RelinkLink;
      expect(revoked).toMatchObject({ id: made.id, status: "REVOKED", integration_id: integrationId });
      expect(revoked.revoked_at).toBe(t.clock.now().toISOString());

      for (const [method, path, body] of [
        ["GET", "/connect/v1/flow", undefined],
        ["GET", "/connect/v1/tools", undefined],
        ["POST", "/connect/v1/credentials", { values: { api_key: "B" } }],
      ] as const) {
        const answer = await connect(method, path, made.token, body);
        expect(answer.status, `${method} ${path}`).toBe(410);
        const error = ((await answer.json()) as ErrorBody).error;
        expect(error.code).toBe("LINK_REVOKED");
        expect(error.message).toContain("revoked");
        // Who revoked it, for the hosted page (the token is authentic): the workspace's brand.
        expect(error.details).toEqual({
          branding: { product_name: null, logo_url: null, accent_color: null },
        });
      }
      expect(await credentialsSealed()).toBe(before);
      // Another link of the same integration still works.
      expect((await connect("GET", "/connect/v1/flow", kept.token)).status).toBe(200);

      const listed = await links();
      expect(listed.find((l) => l.id === made.id)?.status).toBe("REVOKED");
      const byStatus = async (status: string) =>
        (
          (await (
            await t.request("GET", `/v1/integrations/${integrationId}/relink-links?status=${status}`)
          ).json()) as { data: RelinkLink[] }
        ).data.map((l) => l.id);
      expect(await byStatus("REVOKED")).toEqual([made.id]);
      expect(await byStatus("OUTSTANDING")).not.toContain(made.id);
      expect(await byStatus("OUTSTANDING")).toContain(kept.id);
    });

    it("is idempotent: revoking a revoked link answers it unchanged", async () => {
      const made = await link();
      const first = (await (await revoke(made.id)).json()) as RelinkLink;
      t.clock.advance(60_000);
      const again = await revoke(made.id);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ ...first });
    });

    it("refuses to revoke a completed link with 409 CONFLICT, and keeps it COMPLETED", async () => {
      const made = await link();
      const done = await connect("POST", "/connect/v1/credentials", made.token, { values: { api_key: "A" } });
      expect(done.status, await done.clone().text()).toBe(200);
      const r = await revoke(made.id);
      expect(r.status).toBe(409);
      expect(((await r.json()) as ErrorBody).error.code).toBe("CONFLICT");
      expect((await links()).find((l) => l.id === made.id)?.status).toBe("COMPLETED");
    });

    it("answers 404 for an unknown link, another integration's link and another workspace's link", async () => {
      const made = await link();
      const unknown = await revoke("lnk_01jd5x3m9k2q8r7t6y5w4v3u2s");
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as ErrorBody).error.code).toBe("NOT_FOUND");
      const other = await t.request("POST", "/v1/integrations", {
        body: {
          tool: "scripted",
          end_user: { origin_id: "globex-1", organization_name: "Globex" },
          credentials: { api_key: "B" },
        },
      });
      const otherId = ((await other.json()) as { id: string }).id;
      expect((await revoke(made.id, otherId)).status).toBe(404);
      const foreign = await createWorkspace(t.server.ctx, "Other");
      expect((await revoke(made.id, integrationId, foreign.apiKey.key)).status).toBe(404);
      // Still usable after the refused attempts.
      expect((await connect("GET", "/connect/v1/flow", made.token)).status).toBe(200);
    });

    it("refuses a completion whose link was revoked after the flow was read, and changes nothing", async () => {
      const made = await link();
      const verified = await verifyFlowToken(t.server.ctx, made.token);
      const subject = await resolveFlow(t.server.ctx, verified);
      const before = await credentialsSealed();
      expect((await revoke(made.id)).status).toBe(200);
      const refused = await submitCredentials(
        t.server.ctx,
        subject,
        { api_key: "A" },
        [],
        new AbortController().signal,
      ).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).code).toBe("LINK_REVOKED");
      expect(await credentialsSealed()).toBe(before);
      expect((await links()).find((l) => l.id === made.id)).toMatchObject({
        status: "REVOKED",
        completed_at: null,
      });
      const spent = await t.server.ctx.db
        .selectFrom("spent_tokens")
        .select("jti")
        .where("jti", "=", verified.claims.jti)
        .executeTakeFirst();
      expect(spent).toBeUndefined();
    });
  });
});
