import type { ConnectFlow, FlowCompleted, Integration, RelinkLinkCreated } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signFlowToken } from "../src/flow-tokens/verify.ts";
import { availableDialects } from "../src/testing/index.ts";
import { type FlowWorld, S1_MODELS, startFlowWorld } from "./flows-support.ts";

/**
 * The remote account actually connected (issue 15, item 20): Globex's user who signs in to Acme's
 * account in the tool must see "Acme Corp" when the flow completes, the operator must see it on the
 * integration, and connecting an account already connected in the workspace warns.
 */
describe.each(availableDialects())("the remote account of a connection on %s", (dialect) => {
  let w: FlowWorld;
  let scope: string;
  beforeAll(async () => {
    w = await startFlowWorld({ dialect });
    scope = await w.scopeConfig("Employees", S1_MODELS);
  });
  afterAll(() => w?.close());

  const connectToken = async (originId: string, organization: string) =>
    (
      await signFlowToken(w.relink.relink.ctx, {
        workspaceId: w.workspaceId,
        claims: {
          flow: "connect",
          tool: "demo-hris",
          scope_config_id: scope,
          end_user: { origin_id: originId, organization_name: organization },
        },
        lifetime: 3600,
      })
    ).token;

  const connectWith = async (originId: string, organization: string, company: string) => {
    const key = await w.issueKey(company, ["employees:read"]);
    const response = await w.connect(
      "POST",
      "/connect/v1/credentials",
      await connectToken(originId, organization),
      {
        values: { api_key: key },
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as FlowCompleted;
  };

  it("names the remote account in the completion, the integration and the relink flow", async () => {
    const done = await connectWith("acme-own", "Acme Corp", "acme");
    expect(done.remote_account).toEqual({ id: "acme", name: "Acme Corp" });
    expect(done.warnings).toEqual([]);

    const integration = await w.integration(done.integration_id);
    expect(integration.remote_account).toEqual({ id: "acme", name: "Acme Corp" });

    const made = await w.api("POST", `/v1/integrations/${done.integration_id}/relink`, {});
    const link = (await made.json()) as RelinkLinkCreated;
    const flow = (await (await w.connect("GET", "/connect/v1/flow", link.token)).json()) as ConnectFlow;
    expect(flow.remote_account).toEqual({ id: "acme", name: "Acme Corp" });
  });

  it("warns, without naming the other integration, when the account is already connected in the workspace", async () => {
    const first = await connectWith("acme-first", "Acme Corp", "acme");
    // Globex's user signs in to Acme's account: it completes (a warning, not a refusal), says so.
    const wrong = await connectWith("globex-1", "Globex Inc", "acme");
    expect(wrong.remote_account).toEqual({ id: "acme", name: "Acme Corp" });
    expect(wrong.warnings).toEqual([
      { code: "ACCOUNT_ALREADY_CONNECTED", message: expect.stringContaining('"Acme Corp"') },
    ]);
    const said = JSON.stringify(wrong);
    expect(said).not.toContain(first.integration_id);
    expect(said).not.toContain("acme-first");

    // The operator finds every integration on that account.
    const listed = await w.api("GET", "/v1/integrations?tool=demo-hris&remote_account_id=acme");
    expect(listed.status).toBe(200);
    const ids = ((await listed.json()) as { data: Integration[] }).data.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([first.integration_id, wrong.integration_id]));

    // Globex's own account: no warning.
    const right = await connectWith("globex-2", "Globex Inc", "globex");
    expect(right).toMatchObject({ remote_account: { id: "globex", name: "Globex Inc" }, warnings: [] });
    const globexOnly = await w.api("GET", "/v1/integrations?remote_account_id=globex");
    expect(((await globexOnly.json()) as { data: Integration[] }).data.map((i) => i.id)).toEqual([
      right.integration_id,
    ]);
  });
});
