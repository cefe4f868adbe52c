/**
 * The product's own sync of a customer's HR system, with relink in front of it: every run opens a
 * sync session (relink checks the credentials first, through the same pause engine as its own
 * syncs), fetches the employees from the demo HR system with the credentials handed out, keeps the
 * fields the customer's scope enables in the product's own storage, and reports what it synced. A
 * refusal (paused, credentials rejected, the HR system unreachable) leaves the stored data as it
 * was and says what to do about it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { RelinkAuthError, type RelinkClient, type SyncSessionRefusal } from "@relink/sdk";

/** An employee as the product keeps it: the HR system's id and the fields it may keep. */
export interface StoredEmployee {
  remote_id: string;
  fields: Record<string, unknown>;
}

/** What the product holds of one integration's HR data. */
export interface StoredEmployees {
  integration_id: string;
  synced_at: string;
  /** The relink sync session it ran in (`ss_…`). */
  session_id: string;
  granted_permissions: string[];
  employees: StoredEmployee[];
}

/** The product's own storage of synced employees, per integration (memory, optionally a JSON file). */
export class EmployeeStore {
  readonly #byIntegration = new Map<string, StoredEmployees>();
  readonly #file: string | undefined;

  /** `file`: keep the data in this JSON file (read at start when it exists, written on change). */
  constructor(options: { file?: string } = {}) {
    this.#file = options.file;
    if (this.#file && existsSync(this.#file)) {
      for (const saved of JSON.parse(readFileSync(this.#file, "utf8")) as StoredEmployees[]) {
        this.#byIntegration.set(saved.integration_id, saved);
      }
    }
  }

  get(integrationId: string): StoredEmployees | undefined {
    return this.#byIntegration.get(integrationId);
  }

  /** Replaces what is kept of the integration: a sync brings the whole list. */
  replace(data: StoredEmployees): void {
    this.#byIntegration.set(data.integration_id, data);
    if (this.#file)
      writeFileSync(this.#file, `${JSON.stringify([...this.#byIntegration.values()], null, 2)}\n`);
  }
}

export type OwnSyncOutcome =
  | { status: "SYNCED"; employees: number; syncId: string; syncedAt: string }
  | {
      status: "REFUSED";
      refusal: SyncSessionRefusal;
      /** What the product tells its customer (or its operator). */
      message: string;
      /** When the integration pauses unless the customer reconnects (the streak is open). */
      pausesAt: string | null;
    };

export interface OwnSyncOptions {
  relink: RelinkClient;
  integrationId: string;
  /** Base URL of the demo HR system's API. */
  hrisUrl: string;
  store: EmployeeStore;
  signal?: AbortSignal;
  now?: () => Date;
}

interface HrisPage {
  data: Array<{ id: string } & Record<string, unknown>>;
  next_cursor: string | null;
}

/**
 * Syncs one integration's employees through a relink sync session. Resolves with what happened;
 * rejects only on an unexpected failure (the session is then finished `FAILED`).
 */
export async function syncEmployees(options: OwnSyncOptions): Promise<OwnSyncOutcome> {
  const { relink, integrationId, hrisUrl, store } = options;
  const now = options.now ?? (() => new Date());
  // #region own-sync
  const result = await relink.integrations.withSyncSession(
    integrationId,
    async ({ sessionId, credentials, scopeConfig, grantedPermissions, signal }) => {
      // Only the fields the customer's scope enables are kept; a model outside it is not read.
      const fields = scopeConfig.models.find((m) => m.model === "employees")?.fields;
      const token = credentials.api_key ?? credentials.access_token; // an API key, or OAuth
      const employees: StoredEmployee[] = [];
      let cursor: string | null = null;
      while (fields) {
        const url = new URL("/api/employees", hrisUrl);
        url.searchParams.set("limit", "500");
        if (cursor) url.searchParams.set("cursor", cursor);
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
        // relink then checks the credentials at once; only its own check counts towards a pause.
        if (response.status === 401) throw new RelinkAuthError("the demo HR system refused the credentials");
        if (!response.ok) throw new Error(`the demo HR system answered ${response.status}`);
        const page = (await response.json()) as HrisPage;
        for (const { id, ...rest } of page.data) {
          const kept = Object.entries(rest).filter(([name]) => fields.includes(name));
          employees.push({ remote_id: id, fields: Object.fromEntries(kept) });
        }
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      // The product's own storage; the stored data is replaced only by a sync that got the whole list.
      store.replace({
        integration_id: integrationId,
        synced_at: now().toISOString(),
        session_id: sessionId,
        granted_permissions: grantedPermissions,
        employees,
      });
      return { records: { employees: employees.length } };
    },
    { signal: options.signal },
  );
  if (!result.ok) return refused(result.refusal); // nothing ran: the stored data stays as it was
  // #endregion own-sync
  return {
    status: "SYNCED",
    employees: result.value.records.employees ?? 0,
    syncId: result.sync.id,
    syncedAt: result.sync.ended_at ?? now().toISOString(),
  };
}

/** A refusal as the product shows it: what happened, and what the customer should do. */
export function refused(refusal: SyncSessionRefusal): Extract<OwnSyncOutcome, { status: "REFUSED" }> {
  switch (refusal.code) {
    case "AUTHENTICATION_FAILED": {
      const pausesAt = refusal.auth?.pauses_at ?? null;
      return {
        status: "REFUSED",
        refusal,
        pausesAt,
        message: `The HR system rejects the credentials${
          refusal.auth?.failing_since ? ` since ${refusal.auth.failing_since}` : ""
        }: ask the customer to reconnect${pausesAt ? ` before ${pausesAt}, when syncing pauses` : ""}.`,
      };
    }
    case "INTEGRATION_PAUSED":
      return {
        status: "REFUSED",
        refusal,
        pausesAt: null,
        message: "Syncing is paused: the credentials failed for too long. Ask the customer to reconnect.",
      };
    case "INTEGRATION_INACTIVE":
      return {
        status: "REFUSED",
        refusal,
        pausesAt: null,
        message: "The integration was disabled by an operator.",
      };
    case "TOOL_UNREACHABLE":
      return {
        status: "REFUSED",
        refusal,
        pausesAt: null,
        message:
          "The HR system cannot be reached now; the next run tries again (this never counts against the customer).",
      };
  }
}

/** One line for a log or a terminal. */
export function describeOutcome(outcome: OwnSyncOutcome): string {
  return outcome.status === "SYNCED"
    ? `synced ${outcome.employees} employees (relink sync ${outcome.syncId})`
    : `not synced: ${outcome.refusal.code}. ${outcome.message}`;
}
