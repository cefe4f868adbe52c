import { type GrantRevocation, GrantRevocationSchema } from "@relink/sdk/contract";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { revokeReplacedGrant } from "../src/connectors/oauth.ts";
import { type Connector, ConnectorError } from "../src/connectors/types.ts";
import { pruneHistory } from "../src/domain/retention.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import {
  availableDialects,
  createTestRelink,
  scriptedConnector,
  type TestRelink,
} from "../src/testing/index.ts";
import { importIntegration } from "./beyond-support.ts";

const DAY = 86_400_000;
const RETENTION = 7 * DAY;
const REPLACED = { access_token: "old-access-secret", refresh_token: "old-refresh-secret" };
const CURRENT = { access_token: "new-access-secret", refresh_token: "new-refresh-secret" };

/**
 * Ids carry their creation time and are monotonic per prefix in a process: each relink starts a
 * year after the previous one (a clock going back would stamp ids with the later time).
 */
let nextStart = Date.parse("2031-01-01T00:00:00Z");

let t: TestRelink | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The scripted tool with an OAuth revocation endpoint that answers as `revoke` does. */
function withRevoke(connector: Connector, revoke: () => Promise<void>): Connector {
  return { ...connector, oauth: { ...(connector.oauth as NonNullable<Connector["oauth"]>), revoke } };
}

describe.each(availableDialects())("revocation of a replaced grant (%s)", (dialect) => {
  const setUp = async () => {
    const tool = scriptedConnector();
    tool.setKey("good");
    const clock = new ManualClock(nextStart);
    nextStart += 365 * DAY;
    t = await createTestRelink({
      dialect,
      clock,
      connectors: [tool.connector],
      config: { retentionMs: RETENTION },
    });
    const { id } = await importIntegration(t, "good", "org-1");
    return { relink: t, connector: tool.connector, integrationId: id };
  };

  it("records a revocation the tool refused, and warns the operator with what the tool said, never a token", async () => {
    const { relink, connector, integrationId } = await setUp();
    const refused = withRevoke(connector, async () => {
      throw new ConnectorError("INCONCLUSIVE", "the tool's revocation endpoint answered 503");
    });
    const outcome = await revokeReplacedGrant(relink.server.ctx, {
      workspaceId: relink.workspaceId,
      integrationId,
      connector: refused,
      replaced: REPLACED,
      current: CURRENT,
    });
    expect(outcome).toBe("FAILED");
    const rows = await relink.database.db.selectFrom("grant_revocations").selectAll().execute();
    expect(rows).toMatchObject([
      {
        integration_id: integrationId,
        tool: "scripted",
        outcome: "FAILED",
        detail: "the tool's revocation endpoint answered 503",
      },
    ]);
    const warning = relink.logs.find(
      (l) => l.msg === "replaced OAuth grant not revoked: revoke it at the tool",
    );
    expect(warning).toMatchObject({
      level: "warn",
      integration_id: integrationId,
      outcome: "FAILED",
      detail: "the tool's revocation endpoint answered 503",
    });
    expect(JSON.stringify(relink.logs)).not.toMatch(
      /old-(access|refresh)-secret|new-(access|refresh)-secret/,
    );

    // A confirmed one is an info line.
    const confirmed = withRevoke(connector, async () => {});
    expect(
      await revokeReplacedGrant(relink.server.ctx, {
        workspaceId: relink.workspaceId,
        integrationId,
        connector: confirmed,
        replaced: REPLACED,
        current: CURRENT,
      }),
    ).toBe("REVOKED");
    expect(relink.logs.find((l) => l.msg === "replaced OAuth grant revoked")).toMatchObject({
      level: "info",
      outcome: "REVOKED",
    });
  });

  it("lists them through the API, newest first, a page at a time, to the integration's own workspace only", async () => {
    const { relink, connector, integrationId } = await setUp();
    const answers = [
      async () => {},
      async () => {
        throw new ConnectorError("INCONCLUSIVE", "the tool's revocation endpoint answered 503");
      },
    ];
    for (const answer of answers) {
      await revokeReplacedGrant(relink.server.ctx, {
        workspaceId: relink.workspaceId,
        integrationId,
        connector: withRevoke(connector, answer),
        replaced: REPLACED,
        current: CURRENT,
      });
      relink.clock.advance(1000);
    }
    const list = async (query: string, key?: string) => {
      const res = await relink.request("GET", `/v1/integrations/${integrationId}/grant-revocations${query}`, {
        ...(key ? { key } : {}),
      });
      return {
        status: res.status,
        body: (await res.json()) as { data: GrantRevocation[]; next_cursor: string | null },
      };
    };
    const first = await list("?limit=1");
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      {
        id: expect.stringMatching(/^rev_/),
        integration_id: integrationId,
        tool: "scripted",
        outcome: "FAILED",
        detail: "the tool's revocation endpoint answered 503",
        created_at: new Date(relink.clock.now().getTime() - 1000).toISOString(),
      },
    ]);
    const second = await list(`?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((r) => [r.outcome, r.detail])).toEqual([["REVOKED", null]]);
    expect(second.body.next_cursor).toBeNull();
    expect(JSON.stringify([first.body, second.body])).not.toMatch(/secret/);
    // The SDK's schema reads what the server answers.
    expect(GrantRevocationSchema.array().parse([...first.body.data, ...second.body.data])).toHaveLength(2);

    // Another workspace's key gets the integration's 404, as for its other history.
    const other = await createWorkspace(relink.server.ctx);
    expect((await list("", other.apiKey.key)).status).toBe(404);
    expect((await list("?cursor=chk_0000000000")).status).toBe(400);
  });

  it("keeps the records for RELINK_RETENTION, then removes them", async () => {
    const { relink, connector, integrationId } = await setUp();
    const confirmed = withRevoke(connector, async () => {});
    const revoke = () =>
      revokeReplacedGrant(relink.server.ctx, {
        workspaceId: relink.workspaceId,
        integrationId,
        connector: confirmed,
        replaced: REPLACED,
        current: CURRENT,
      });
    await revoke();
    relink.clock.advance(RETENTION - DAY);
    await revoke();
    expect((await pruneHistory(relink.server.ctx)).grantRevocations).toBe(0);
    relink.clock.advance(2 * DAY);
    expect((await pruneHistory(relink.server.ctx)).grantRevocations).toBe(1);
    const left = await relink.database.db.selectFrom("grant_revocations").select("created_at").execute();
    expect(left.map((r) => r.created_at)).toEqual([
      new Date(relink.clock.now().getTime() - 2 * DAY).toISOString(),
    ]);
  });
});
