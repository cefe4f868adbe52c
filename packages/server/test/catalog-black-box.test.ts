import type { FlowCompleted, OAuthCallbackMessage } from "@relink/sdk/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.ts";
import { defineConfig } from "../src/config.ts";
import { catalogDocuments } from "../src/connectors/catalog.ts";
import { declaredConnector } from "../src/connectors/declared/connector.ts";
import type { DeclaredConnector } from "../src/connectors/declared/schema.ts";
import { createWorkspace } from "../src/domain/workspaces.ts";
import { signFlowToken } from "../src/flow-tokens/verify.ts";
import { createLogger } from "../src/logging.ts";
import { generateEncryptionKey } from "../src/secrets.ts";
import { type RunningServer, startServer } from "../src/serve.ts";
import { availableDialects, createTestDatabase } from "../src/testing/index.ts";
import { waitFor } from "../src/testing/wait.ts";
import { freePort } from "./flows-support.ts";
import { type Account, type StandIn, startStandIn, type ToolFixture } from "./tool-stand-in.ts";

/** What each tool's documentation says it answers to rejected and to under-privileged credentials. */
const FIXTURES: Record<string, ToolFixture> = {
  bamboohr: { unauthorized: { status: 401, body: null }, forbidden: { status: 403, body: null } },
  personio: {
    unauthorized: { status: 401, body: { success: false, error: { code: 0, message: "Unauthorized" } } },
    forbidden: { status: 403, body: { success: false, error: { code: 0, message: "Forbidden" } } },
  },
  hibob: {
    unauthorized: { status: 401, body: { error: "Unauthorized" } },
    forbidden: { status: 403, body: { error: "Forbidden" } },
  },
  factorial: {
    unauthorized: { status: 401, body: { error: "unauthorized" } },
    forbidden: { status: 403, body: { error: "forbidden" } },
  },
  deel: {
    unauthorized: { status: 401, body: { errors: [{ message: "Unauthorized" }] } },
    forbidden: { status: 403, body: { errors: [{ message: "Forbidden: missing scope" }] } },
  },
  rippling: {
    unauthorized: { status: 401, body: { detail: "Invalid token." } },
    forbidden: { status: 403, body: { detail: "You do not have permission to perform this action." } },
  },
  gusto: {
    unauthorized: { status: 401, body: { errors: [{ category: "invalid_token" }] } },
    forbidden: { status: 403, body: { errors: [{ category: "forbidden" }] } },
  },
  "google-workspace": {
    unauthorized: { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } },
    forbidden: { status: 403, body: { error: { code: 403, status: "PERMISSION_DENIED" } } },
  },
  "microsoft-entra": {
    unauthorized: { status: 401, body: { error: { code: "InvalidAuthenticationToken" } } },
    forbidden: { status: 403, body: { error: { code: "Authorization_RequestDenied" } } },
  },
};

const CATALOG = catalogDocuments();

/**
 * Every catalog tool through the black-box flow, against its stand-in, on both databases: connect,
 * check, an outage (INCONCLUSIVE, never a pause), a partial grant refused as missing permissions,
 * a relink to another account refused, revoked credentials (AUTH_FAILED).
 */
describe.each(availableDialects())("the catalog's tools against their stand-ins on %s", (dialect) => {
  const standIns = new Map<string, StandIn>();
  let relink: RunningServer;
  let url: string;
  let apiKey: string;
  let workspaceId: string;
  let scopeId: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(CATALOG.map((d) => d.id).sort());
    for (const doc of CATALOG) standIns.set(doc.id, await startStandIn(doc, FIXTURES[doc.id]!));
    const database = await createTestDatabase(dialect);
    const clock = new ManualClock(Date.now());
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    relink = await startServer({
      db: database,
      clock,
      logger: createLogger({ level: "silent" }),
      connectors: [...standIns.values()].map((s) =>
        declaredConnector(s.doc, {
          clientId: "relink-client",
          clientSecret: "relink-secret",
          now: () => clock.now().getTime(),
        }),
      ),
      config: defineConfig({
        port,
        publicUrl: url,
        databaseUrl: database.url,
        encryptionKey: generateEncryptionKey(),
        runWorkers: false,
      }),
    });
    const created = await createWorkspace(relink.relink.ctx);
    apiKey = created.apiKey.key;
    workspaceId = created.workspaceId;
    const scope = await api("POST", "/v1/scope-configs", {
      name: "Employees",
      category: "HRIS",
      models: { employees: { setting: "ENABLED" } },
    });
    expect(scope.status).toBe(201);
    scopeId = ((await scope.json()) as { id: string }).id;
    close = async () => {
      await relink.close();
      await database.close();
      for (const s of standIns.values()) await s.close();
    };
  });
  afterAll(() => close?.());

  const send = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (method: string, path: string, body?: unknown) => send(method, path, apiKey, body);
  const connectToken = async (tool: string, originId: string) =>
    (
      await signFlowToken(relink.relink.ctx, {
        workspaceId,
        claims: {
          flow: "connect",
          tool,
          scope_config_id: scopeId,
          end_user: { origin_id: originId, organization_name: originId },
        },
        lifetime: 3600,
      })
    ).token;
  const checkNow = async (id: string) => {
    const r = await api("POST", `/v1/integrations/${id}/check-auth`);
    expect(r.status, await r.clone().text()).toBe(200);
    return ((await r.json()) as { outcome: string }).outcome;
  };

  /** Completes a flow: the credential form, or the OAuth sign-in and consent of `scopes`. */
  const complete = async (
    doc: DeclaredConnector,
    token: string,
    account: Account,
    permissions: string[],
  ): Promise<{
    status: number;
    body: FlowCompleted | { error: { code: string; details?: unknown } };
    values?: Record<string, string>;
  }> => {
    const standIn = standIns.get(doc.id)!;
    if (doc.auth.type !== "oauth2_authorization_code") {
      const values = standIn.issue(account, permissions);
      const r = await send("POST", "/connect/v1/credentials", token, { values });
      return { status: r.status, body: await r.json(), values };
    }
    const started = await send("POST", "/connect/v1/oauth/start", token, { origin: url });
    expect(started.status, await started.clone().text()).toBe(200);
    const authorizeUrl = ((await started.json()) as { authorize_url: string }).authorize_url;
    const scopes = [
      ...doc.auth.base_scopes,
      ...permissions.flatMap((id) => doc.permissions.find((p) => p.id === id)?.scopes ?? [id]),
    ];
    const page = await (await standIn.consent(authorizeUrl, account, scopes)).text();
    const message = JSON.parse(
      /const message = (.*);\n/.exec(page)?.[1] ?? "null",
    ) as OAuthCallbackMessage & {
      code?: string;
      details?: unknown;
    };
    if (message.status === "ERROR") {
      return {
        status: 0,
        body: { error: { code: message.code ?? "", details: message.details } },
      };
    }
    return { status: 200, body: message as unknown as FlowCompleted };
  };

  it.each(CATALOG.map((doc) => [doc.id, doc] as const))(
    "%s: connects, checks, rides out an outage, refuses a partial grant and another account, fails revoked credentials",
    async (id, doc) => {
      const standIn = standIns.get(id)!;
      const employees = doc.models.find((m) => m.id === "employees")!.permission;
      const all = doc.permissions.map((p) => p.id);
      const acme: Account = { id: `acme-${id}`, name: "Acme Corp" };
      const globex: Account = { id: `globex-${id}`, name: "Globex Inc" };

      // Connect with every permission.
      const connected = await complete(doc, await connectToken(id, `acme-${id}`), acme, all);
      expect(connected.status, JSON.stringify(connected.body)).toBe(200);
      const done = connected.body as FlowCompleted;
      // The account: as the tool names it, or (tools without such an answer) the entered parameter or credential.
      const identity = doc.identity.id;
      expect(done.remote_account?.id).toBe(
        "credential" in identity ? connected.values?.[identity.credential] : acme.id,
      );
      const integrationId = done.integration_id;

      // Check: OK.
      expect(await checkNow(integrationId)).toBe("OK");

      // An outage is never a verdict on the credentials.
      standIn.state.outage = true;
      expect(await checkNow(integrationId)).toBe("INCONCLUSIVE");
      standIn.state.outage = false;
      standIn.state.rateLimited = true;
      expect(await checkNow(integrationId)).toBe("INCONCLUSIVE");
      standIn.state.rateLimited = false;

      // A partial grant (everything but what the scope needs) is refused, naming what is missing.
      const partial = await complete(
        doc,
        await connectToken(id, `partial-${id}`),
        { id: `partial-${id}`, name: "Partial" },
        all.filter((p) => p !== employees),
      );
      const refusal = partial.body as {
        error: { code: string; details?: { missing?: Array<{ permission: string }> } };
      };
      expect(refusal.error.code).toBe("PERMISSIONS_MISSING");
      expect(refusal.error.details?.missing?.map((m) => m.permission)).toEqual([employees]);

      // A relink with another account's credentials is refused.
      const link = await api("POST", `/v1/integrations/${integrationId}/relink`, {});
      expect(link.status).toBe(201);
      const relinkToken = ((await link.json()) as { token: string }).token;
      const other = await complete(doc, relinkToken, globex, all);
      expect((other.body as { error: { code: string } }).error.code).toBe("ACCOUNT_MISMATCH");

      // Revoked at the tool: the check says AUTH_FAILED.
      standIn.revokeAccount(acme.id);
      expect(await checkNow(integrationId)).toBe("AUTH_FAILED");
    },
  );

  it.each([
    ["gusto", "REVOKED"],
    ["google-workspace", "REVOKED"],
    ["microsoft-entra", null],
  ] as const)(
    "%s: a relink revokes the grant it replaced where the tool can (RFC 7009), and records it",
    async (id, expected) => {
      const doc = CATALOG.find((d) => d.id === id)!;
      const standIn = standIns.get(id)!;
      const acme: Account = { id: `acme-relinked-${id}`, name: "Acme Corp" };
      const all = doc.permissions.map((p) => p.id);
      const connected = await complete(doc, await connectToken(id, acme.id), acme, all);
      expect(connected.status).toBe(200);
      const integrationId = (connected.body as FlowCompleted).integration_id;
      const revokedBefore = standIn.revocations.length;

      const link = await api("POST", `/v1/integrations/${integrationId}/relink`, {});
      const relinked = await complete(doc, ((await link.json()) as { token: string }).token, acme, all);
      expect(relinked.status, JSON.stringify(relinked.body)).toBe(200);

      const recorded = () =>
        relink.relink.ctx.db
          .selectFrom("grant_revocations")
          .selectAll()
          .where("integration_id", "=", integrationId)
          .execute();
      if (expected === null) {
        // No revocation endpoint: nothing to call, nothing recorded (decided before the flow answered).
        expect(await recorded()).toEqual([]);
        expect(standIn.revocations).toHaveLength(revokedBefore);
        return;
      }
      const [row] = await waitFor("the revocation recorded", async () => {
        const rows = await recorded();
        return rows.length > 0 ? rows : undefined;
      });
      expect(row).toMatchObject({ tool: id, outcome: expected, detail: null });
      expect(standIn.revocations).toHaveLength(revokedBefore + 1);
      // The grant in use still works; the replaced one is gone.
      expect(await checkNow(integrationId)).toBe("OK");
    },
  );
});
