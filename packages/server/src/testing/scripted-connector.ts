import type { AuthOutcome } from "@relink/sdk/contract";
import { type Connector, ConnectorError, type SyncRecord } from "../connectors/types.ts";
import { SCRIPTED_HR_MODELS, SCRIPTED_HR_PERMISSIONS } from "./scripted-tool.ts";

export interface ScriptedAccount {
  /** What the tool answers for this API key. */
  outcome: AuthOutcome;
  permissions: string[];
  accountId: string;
  /** What checks report as the credentials' expiry (`credentialsExpireAt`), if anything. */
  expiresAt?: string;
}

/**
 * An in-process tool for tests: each API key's answer is set by the test, and every call is
 * counted. An HR tool's usual models and permissions (`scripted-tool.ts`).
 */
export function scriptedConnector(toolId = "scripted") {
  const keys = new Map<string, ScriptedAccount>();
  const calls = { checkAuth: 0, sync: 0, syncedWith: [] as string[] };
  let outage: Exclude<AuthOutcome, "OK"> | null = null;
  const refreshes = new Map<string, string>();
  let gate: Promise<void> | null = null;
  let gated: "all" | "sync" = "all";
  /** While blocked, calls wait (or fail when their signal aborts). */
  const passGate = (signal: AbortSignal, call: "checkAuth" | "sync") =>
    gate === null || (gated === "sync" && call !== "sync")
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new ConnectorError("INCONCLUSIVE", "the call was cancelled"));
          signal.addEventListener("abort", onAbort, { once: true });
          gate?.then(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          });
        });

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
      models: SCRIPTED_HR_MODELS,
      permissions: SCRIPTED_HR_PERMISSIONS,
    },
    async checkAuth({ credentials, signal }) {
      calls.checkAuth++;
      await passGate(signal, "checkAuth");
      try {
        const entry = account(credentials.api_key);
        const expiry = entry.expiresAt === undefined ? {} : { credentialsExpireAt: entry.expiresAt };
        const refreshed = refreshes.get(credentials.api_key ?? "");
        if (refreshed) return { outcome: "OK", refreshedCredentials: { api_key: refreshed }, ...expiry };
        return { outcome: "OK", ...expiry };
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
    async sync({ credentials, models, signal }) {
      calls.sync++;
      await passGate(signal, "sync");
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
        permissions: SCRIPTED_HR_PERMISSIONS.map((p) => p.id),
        accountId: "acme",
        ...entry,
      });
    },
    revoke(key: string) {
      const entry = keys.get(key);
      if (entry) entry.outcome = "AUTH_FAILED";
    },
    /** Checks of `from` answer OK with refreshed credentials `{ api_key: to }`, as an OAuth refresh would. */
    refreshOnCheck(from: string, to: string) {
      refreshes.set(from, to);
    },
    /** Holds later calls (all, or only syncs) until the returned function is called or their signal aborts. */
    block(which: "all" | "sync" = "all"): () => void {
      gated = which;
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return release;
    },
    /** Every call fails with this outcome until `null`. */
    setOutage(outcome: Exclude<AuthOutcome, "OK"> | null) {
      outage = outcome;
    },
  };
}
