import type { AuthOutcome } from "@relink/sdk/contract";
import { DEMO_HRIS_MODELS, DEMO_HRIS_PERMISSIONS } from "../connectors/demo-hris.ts";
import { type Connector, ConnectorError, type SyncRecord } from "../connectors/types.ts";

export interface ScriptedAccount {
  /** What the tool answers for this API key. */
  outcome: AuthOutcome;
  permissions: string[];
  accountId: string;
}

/**
 * An in-process tool for tests: each API key's answer is set by the test, and every call is
 * counted. Same models and permissions as the demo HR system.
 */
export function scriptedConnector(toolId = "scripted") {
  const keys = new Map<string, ScriptedAccount>();
  const calls = { checkAuth: 0, sync: 0, syncedWith: [] as string[] };
  let outage: Exclude<AuthOutcome, "OK"> | null = null;

  const account = (key: string | undefined) => {
    if (outage)
      throw new ConnectorError(
        outage,
        outage === "INCONCLUSIVE" ? "simulated outage" : "simulated rejection",
      );
    const entry = key ? keys.get(key) : undefined;
    if (!entry || entry.outcome === "AUTH_FAILED")
      throw new ConnectorError("AUTH_FAILED", "the tool rejected the key");
    if (entry.outcome === "INCONCLUSIVE") throw new ConnectorError("INCONCLUSIVE", "the tool did not answer");
    return entry;
  };

  const connector: Connector = {
    tool: {
      id: toolId,
      name: "Scripted HR",
      category: "HRIS",
      logo_url: null,
      auth: {
        method: "API_KEY",
        fields: [
          { id: "api_key", label: "API key", type: "secret", required: true, help: null, placeholder: null },
        ],
      },
      models: DEMO_HRIS_MODELS,
      permissions: DEMO_HRIS_PERMISSIONS,
    },
    async checkAuth({ credentials }) {
      calls.checkAuth++;
      try {
        account(credentials.api_key);
        return { outcome: "OK" };
      } catch (error) {
        if (error instanceof ConnectorError) return { outcome: error.outcome, detail: error.message };
        throw error;
      }
    },
    async grantedPermissions({ credentials }) {
      return account(credentials.api_key).permissions;
    },
    async accountIdentity({ credentials }) {
      return { id: account(credentials.api_key).accountId };
    },
    async sync({ credentials, models }) {
      calls.sync++;
      calls.syncedWith.push(credentials.api_key ?? "");
      account(credentials.api_key);
      const records: Record<string, SyncRecord[]> = {};
      for (const { model, fields } of models) {
        records[model] = [1, 2].map((n) => ({
          id: `${model}_${n}`,
          data: Object.fromEntries(fields.map((f) => [f, `${f} ${n}`])),
        }));
      }
      return { records };
    },
  };

  return {
    connector,
    calls,
    /** Sets what the tool answers for a key. */
    setKey(key: string, entry: Partial<ScriptedAccount> = {}) {
      keys.set(key, {
        outcome: "OK",
        permissions: DEMO_HRIS_PERMISSIONS.map((p) => p.id),
        accountId: "acme",
        ...entry,
      });
    },
    revoke(key: string) {
      const entry = keys.get(key);
      if (entry) entry.outcome = "AUTH_FAILED";
    },
    /** Every call fails with this outcome until `null`. */
    setOutage(outcome: Exclude<AuthOutcome, "OK"> | null) {
      outage = outcome;
    },
  };
}
