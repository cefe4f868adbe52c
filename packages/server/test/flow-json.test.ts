import type { ConnectFlow, Tool } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFlow, FLOW_TEXT_CACHE_SIZE, type FlowSubject, flowJson } from "../src/domain/flow-view.ts";
import { handoffOf } from "../src/domain/handoff.ts";
import { resolveFlow } from "../src/domain/relink.ts";
import { signFlowToken } from "../src/flow-tokens/sign.ts";
import { verifyFlowToken } from "../src/flow-tokens/verify.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { importIntegration, okJson } from "./beyond-support.ts";

/**
 * `GET /connect/v1/flow` answers `flowJson`: the description's text with its tool and permissions
 * kept as text per connector. It must be, byte for byte, what `JSON.stringify` of the description
 * gives, whatever the flow, and follow every change of what the kept text was made from.
 */
describe.each(availableDialects())("the flow's JSON text on %s", (dialect) => {
  let t: TestRelink;
  const tool = scriptedConnector();
  tool.setKey("few", { permissions: ["employees:read"] });
  tool.setKey("more", { permissions: ["employees:read", "teams:read", "time_off:read"] });
  let narrow: string;
  let wide: string;
  const integrations: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestRelink({ dialect, connectors: [tool.connector] });
    const scope = async (name: string, models: Record<string, unknown>) =>
      (
        await okJson<{ id: string }>(
          t.request("POST", "/v1/scope-configs", { body: { name, category: "HRIS", models } }),
          201,
        )
      ).id;
    narrow = await scope("Directory", { employees: { setting: "ENABLED" }, teams: { setting: "ENABLED" } });
    wide = await scope("Directory, time off and pay", {
      employees: { setting: "ENABLED", fields: { date_of_birth: "OPTIONAL" } },
      teams: { setting: "ENABLED" },
      time_off_requests: { setting: "ENABLED" },
      compensations: { setting: "OPTIONAL" },
    });
    for (const key of ["few", "more"]) {
      integrations[key] = (await importIntegration(t, key, `org-${key}`, narrow)).id;
    }
    await okJson(
      t.request("PUT", "/v1/settings/branding", {
        body: { product_name: "Acme Payroll", logo_url: null, accent_color: "#112233" },
      }),
    );
  });
  afterAll(() => t?.close());

  const relinkToken = async (integration: string, scopeConfigId?: string) =>
    (
      await okJson<{ token: string }>(
        t.request("POST", `/v1/integrations/${integration}/relink`, {
          body: scopeConfigId ? { scope_config_id: scopeConfigId } : {},
        }),
        201,
      )
    ).token;
  const connectToken = async (claims: { tool?: string; locale?: "de" }) =>
    (
      await signFlowToken(t.server.ctx, {
        workspaceId: t.workspaceId,
        claims: {
          flow: "connect",
          scope_config_id: wide,
          end_user: { origin_id: "new-1", organization_name: "New \u2028 GmbH", email: "a@new.example" },
          ...claims,
        },
        lifetime: 600,
      })
    ).token;

  /** The route's answer, and `JSON.stringify` of the description and handoff of the same token. */
  const both = async (token: string, query = "") => {
    const r = await t.request("GET", `/connect/v1/flow${query}`, { key: token });
    const text = await r.text();
    expect(r.status, text).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    const ctx = t.server.ctx;
    const verified = await verifyFlowToken(ctx, token);
    const tool = new URLSearchParams(query).get("tool") ?? undefined;
    const subject = await resolveFlow(ctx, verified, tool);
    const locale = (new URLSearchParams(query).get("locale") as "de" | null) ?? verified.claims.locale;
    const expected = JSON.stringify({
      ...describeFlow(subject, locale, verified.branding),
      handoff: await handoffOf(ctx.db, verified),
    });
    return { text, expected, flow: JSON.parse(text) as ConnectFlow, subject };
  };

  it("is the text JSON.stringify gives, for relinks and connects, with and without a tool", async () => {
    const cases = [
      await relinkToken(integrations.few as string, wide),
      await relinkToken(integrations.more as string, wide),
      await relinkToken(integrations.few as string),
      await connectToken({ tool: "scripted" }),
      await connectToken({ tool: "scripted", locale: "de" }),
      await connectToken({}),
    ];
    for (const token of cases) {
      // Twice: the text made, then the text kept.
      for (let i = 0; i < 2; i++) {
        const { text, expected } = await both(token);
        expect(text).toBe(expected);
      }
    }
    const { text, expected } = await both(await connectToken({}), "?tool=scripted&locale=de");
    expect(text).toBe(expected);
  });

  it("tells two integrations of the same tool and scope their own newly required permissions", async () => {
    const few = (await both(await relinkToken(integrations.few as string, wide))).flow;
    const more = (await both(await relinkToken(integrations.more as string, wide))).flow;
    expect(few.newly_required_permissions).toEqual(
      expect.arrayContaining(["teams:read", "time_off:read", "compensation:read"]),
    );
    expect(more.newly_required_permissions).not.toContain("teams:read");
    expect(more.newly_required_permissions).not.toContain("time_off:read");
    expect(more.newly_required_permissions).toContain("compensation:read");
    expect(few.end_user.origin_id).toBe("org-few");
    expect(more.end_user.origin_id).toBe("org-more");
  });

  it("follows a change of the target scope config's models", async () => {
    const token = await relinkToken(integrations.more as string, wide);
    const before = await both(token);
    expect(before.text).toBe(before.expected);
    expect(before.flow.optional_parts.map((p) => p.id).sort()).toEqual([
      "compensations",
      "employees.date_of_birth",
    ]);
    const r = await t.request("PATCH", `/v1/scope-configs/${wide}`, {
      body: {
        models: {
          employees: { setting: "ENABLED" },
          teams: { setting: "ENABLED" },
          time_off_requests: { setting: "ENABLED" },
          compensations: { setting: "ENABLED" },
        },
      },
    });
    expect(r.status, await r.clone().text()).toBe(200);
    const after = await both(token);
    expect(after.text).toBe(after.expected);
    expect(after.flow.optional_parts).toEqual([]);
    expect(after.flow.newly_required_permissions).toContain("compensation:read");
  });

  it("stays right past the texts it keeps, and when a connector's tool changes", async () => {
    const token = await relinkToken(integrations.few as string, narrow);
    const { subject } = await both(token);
    const integration = subject.integration as NonNullable<FlowSubject["integration"]>;
    // Each grant set is a text of its own: more of them than are kept.
    const withGrant = (i: number): FlowSubject => ({
      ...subject,
      integration: { ...integration, granted_permissions: [`grant-${i}`] },
    });
    const text = (s: FlowSubject) => flowJson(s, undefined, undefined, null);
    const stringified = (s: FlowSubject) => JSON.stringify({ ...describeFlow(s), handoff: null });
    for (let i = 0; i < FLOW_TEXT_CACHE_SIZE + 2; i++)
      expect(text(withGrant(i))).toBe(stringified(withGrant(i)));
    expect(text(withGrant(0))).toBe(stringified(withGrant(0)));

    const connector = subject.connector as { tool: Tool };
    const original = connector.tool;
    try {
      connector.tool = {
        ...original,
        permissions: original.permissions.map((p) => ({ ...p, label: `${p.label}, renamed` })),
      };
      const renamed = text(subject);
      expect(renamed).toBe(stringified(subject));
      expect(renamed).toContain("Employees (read), renamed");
    } finally {
      connector.tool = original;
    }
    expect(text(subject)).not.toContain("renamed");
  });
});
