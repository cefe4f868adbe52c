// #region connector
import {
  type AuthCheckResult,
  ConnectorError,
  type Credentials,
  callTool,
  type SyncingConnector,
  type SyncRecord,
} from "@relink/server";

export interface StaffbookOptions {
  /** Where the self-hosted Staffbook runs, e.g. `https://staffbook.internal.example`. */
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface Me {
  org: { id: string; name: string };
  scopes: string[];
}

/**
 * relink's connector for Staffbook, an in-house HR tool: API tokens (`Authorization: Token …`)
 * with scopes `people` and `absences`, mapped onto relink's HRIS models so the same scope
 * configs work for every HR tool.
 */
export function staffbookConnector(options: StaffbookOptions): SyncingConnector {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;

  const get = async <T>(path: string, credentials: Credentials, signal: AbortSignal): Promise<T> => {
    const token = credentials.api_token;
    if (!token) throw new ConnectorError("AUTH_FAILED", "no API token given");
    // callTool makes timeouts, connection errors, 5xx, 429 and non-JSON answers INCONCLUSIVE.
    const response = await callTool<T>({
      url: `${baseUrl}${path}`,
      headers: { authorization: `Token ${token}` },
      signal,
      timeoutMs,
      fetch: options.fetch,
    });
    // Only the tool saying "these credentials are not valid" may count towards a pause.
    if (response.status === 401)
      throw new ConnectorError("AUTH_FAILED", "Staffbook rejected the token (401)");
    if (response.status !== 200 || response.body === null) {
      throw new ConnectorError("INCONCLUSIVE", `unexpected answer from Staffbook (HTTP ${response.status})`);
    }
    return response.body;
  };

  const me = async (credentials: Credentials, signal: AbortSignal): Promise<Me> => {
    const body = await get<Me>("/api/me", credentials, signal);
    if (typeof body.org?.id !== "string" || !Array.isArray(body.scopes)) {
      throw new ConnectorError("INCONCLUSIVE", "Staffbook's /api/me answered something unexpected");
    }
    return body;
  };

  return {
    tool: {
      id: "staffbook",
      name: "Staffbook",
      category: "HRIS",
      logo_url: null,
      auth: {
        method: "API_KEY",
        fields: [
          {
            id: "api_token",
            label: "API token",
            type: "secret",
            required: true,
            help: "Staffbook → Admin → Integrations → New token. It starts with sbt_.",
            placeholder: "sbt_…",
          },
        ],
      },
      models: [
        {
          id: "employees",
          label: "Employees",
          permission: "people",
          fields: [
            { id: "first_name", label: "First name", permission: "people" },
            { id: "last_name", label: "Last name", permission: "people" },
            { id: "work_email", label: "Work email", permission: "people" },
            { id: "date_of_birth", label: "Date of birth", permission: "people" },
          ],
        },
        {
          id: "time_off_requests",
          label: "Time-off requests",
          permission: "absences",
          fields: [
            { id: "employee_id", label: "Employee", permission: "absences" },
            { id: "start_date", label: "Start date", permission: "absences" },
            { id: "end_date", label: "End date", permission: "absences" },
            { id: "status", label: "Status", permission: "absences" },
          ],
        },
      ],
      permissions: [
        {
          id: "people",
          label: "People",
          description: "Names, work email and birthday of everyone in Staffbook.",
          where_to_grant: "Staffbook → Admin → Integrations → the token → Scopes → “People”",
        },
        {
          id: "absences",
          label: "Absences",
          description: "Absences with their dates and approval.",
          where_to_grant: "Staffbook → Admin → Integrations → the token → Scopes → “Absences”",
        },
      ],
    },

    async checkAuth({ credentials, signal }): Promise<AuthCheckResult> {
      try {
        await me(credentials, signal);
        return { outcome: "OK" };
      } catch (error) {
        if (error instanceof ConnectorError) {
          return { outcome: error.outcome, detail: error.message, retryAfterMs: error.retryAfterMs };
        }
        throw error; // anything else is a bug; relink records it as INCONCLUSIVE
      }
    },

    async grantedPermissions({ credentials, signal }) {
      return (await me(credentials, signal)).scopes;
    },

    async accountIdentity({ credentials, signal }) {
      const { org } = await me(credentials, signal);
      return { id: org.id, name: org.name };
    },

    async sync({ credentials, signal, models }) {
      const records: Record<string, SyncRecord[]> = {};
      for (const { model, fields } of models) {
        const keep = (data: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(data).filter(([key]) => fields.includes(key)));
        if (model === "employees") {
          const { items } = await get<{ items: StaffbookPerson[] }>("/api/people", credentials, signal);
          records.employees = items.map((p) => ({
            id: p.id,
            data: keep({
              first_name: p.given_name,
              last_name: p.family_name,
              work_email: p.email,
              date_of_birth: p.birthday,
            }),
          }));
        } else if (model === "time_off_requests") {
          const { items } = await get<{ items: StaffbookAbsence[] }>("/api/absences", credentials, signal);
          records.time_off_requests = items.map((a) => ({
            id: a.id,
            data: keep({
              employee_id: a.person_id,
              start_date: a.from,
              end_date: a.to,
              status: a.approved ? "APPROVED" : "REQUESTED",
            }),
          }));
        }
      }
      return { records };
    },
  };
}

interface StaffbookPerson {
  id: string;
  given_name: string;
  family_name: string;
  email: string;
  birthday: string;
}

interface StaffbookAbsence {
  id: string;
  person_id: string;
  from: string;
  to: string;
  approved: boolean;
}
// #endregion connector
