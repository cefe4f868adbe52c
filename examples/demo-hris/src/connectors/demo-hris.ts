import type { Locale, Tool } from "@relink/sdk/contract";
import {
  type AccountIdentity,
  type AuthCheckResult,
  type ConnectorContext,
  ConnectorError,
  type Credentials,
  callTool,
  type SyncContext,
  type SyncingConnector,
  type SyncRecord,
  type SyncResult,
  type ToolTranslation,
} from "@relink/server/connectors";

const WHERE = "Demo HR → Settings → API access → Edit the key → Permissions";

export const DEMO_HRIS_PERMISSIONS: Tool["permissions"] = [
  {
    id: "employees:read",
    label: "Employees (read)",
    description: "Names, work email, job title and team of every employee.",
    where_to_grant: `${WHERE} → “Employees: read”`,
  },
  {
    id: "employees.personal:read",
    label: "Employees' personal data (read)",
    description: "Date of birth and home address of every employee.",
    where_to_grant: `${WHERE} → “Employees: personal data”`,
  },
  {
    id: "compensation:read",
    label: "Compensation (read)",
    description: "Salaries and compensation history.",
    where_to_grant: `${WHERE} → “Compensation: read”`,
  },
  {
    id: "time_off:read",
    label: "Time off (read)",
    description: "Time-off requests with their dates and status.",
    where_to_grant: `${WHERE} → “Time off: read”`,
  },
  {
    id: "teams:read",
    label: "Teams (read)",
    description: "Team names and structure.",
    where_to_grant: `${WHERE} → “Teams: read”`,
  },
];

/**
 * The demo HR system's labels in relink's other languages. Where to grant a permission stays in
 * English: it names the demo HR system's own (English) screens.
 */
export const DEMO_HRIS_TRANSLATIONS: Partial<Record<Locale, ToolTranslation>> = {
  de: {
    permissions: {
      "employees:read": {
        label: "Mitarbeitende (lesen)",
        description: "Name, geschäftliche E-Mail, Stelle und Team aller Mitarbeitenden.",
      },
      "employees.personal:read": {
        label: "Persönliche Daten der Mitarbeitenden (lesen)",
        description: "Geburtsdatum und Privatadresse aller Mitarbeitenden.",
      },
      "compensation:read": { label: "Vergütung (lesen)", description: "Gehälter und Gehaltsverlauf." },
      "time_off:read": {
        label: "Abwesenheiten (lesen)",
        description: "Abwesenheitsanträge mit Zeitraum und Status.",
      },
      "teams:read": { label: "Teams (lesen)", description: "Namen und Aufbau der Teams." },
    },
    authFields: { api_key: { label: "API-Schlüssel" } },
    models: {
      employees: {
        label: "Mitarbeitende",
        fields: {
          first_name: "Vorname",
          last_name: "Nachname",
          work_email: "Geschäftliche E-Mail",
          job_title: "Stelle",
          team_id: "Team",
          date_of_birth: "Geburtsdatum",
          home_address: "Privatadresse",
          salary: "Gehalt",
        },
      },
      teams: { label: "Teams", fields: { name: "Name" } },
      time_off_requests: {
        label: "Abwesenheitsanträge",
        fields: { employee_id: "Mitarbeiter:in", start_date: "Beginn", end_date: "Ende", status: "Status" },
      },
      compensations: {
        label: "Vergütungen",
        fields: {
          employee_id: "Mitarbeiter:in",
          amount: "Betrag",
          currency: "Währung",
          effective_date: "Gültig ab",
        },
      },
    },
  },
  fr: {
    permissions: {
      "employees:read": {
        label: "Employés (lecture)",
        description: "Nom, e-mail professionnel, poste et équipe de chaque employé.",
      },
      "employees.personal:read": {
        label: "Données personnelles des employés (lecture)",
        description: "Date de naissance et adresse personnelle de chaque employé.",
      },
      "compensation:read": {
        label: "Rémunération (lecture)",
        description: "Salaires et historique de rémunération.",
      },
      "time_off:read": {
        label: "Absences (lecture)",
        description: "Demandes d’absence avec leurs dates et leur statut.",
      },
      "teams:read": { label: "Équipes (lecture)", description: "Noms et structure des équipes." },
    },
    authFields: { api_key: { label: "Clé d’API" } },
    models: {
      employees: { label: "Employés" },
      teams: { label: "Équipes" },
      time_off_requests: { label: "Demandes d’absence" },
      compensations: { label: "Rémunérations" },
    },
  },
  it: {
    permissions: {
      "employees:read": {
        label: "Dipendenti (lettura)",
        description: "Nome, e-mail di lavoro, ruolo e team di ogni dipendente.",
      },
      "employees.personal:read": {
        label: "Dati personali dei dipendenti (lettura)",
        description: "Data di nascita e indirizzo di casa di ogni dipendente.",
      },
      "compensation:read": {
        label: "Retribuzione (lettura)",
        description: "Stipendi e storico delle retribuzioni.",
      },
      "time_off:read": {
        label: "Assenze (lettura)",
        description: "Richieste di assenza con date e stato.",
      },
      "teams:read": { label: "Team (lettura)", description: "Nomi e struttura dei team." },
    },
    authFields: { api_key: { label: "Chiave API" } },
    models: {
      employees: { label: "Dipendenti" },
      teams: { label: "Team" },
      time_off_requests: { label: "Richieste di assenza" },
      compensations: { label: "Retribuzioni" },
    },
  },
  es: {
    permissions: {
      "employees:read": {
        label: "Empleados (lectura)",
        description: "Nombre, correo de trabajo, puesto y equipo de cada empleado.",
      },
      "employees.personal:read": {
        label: "Datos personales de los empleados (lectura)",
        description: "Fecha de nacimiento y dirección particular de cada empleado.",
      },
      "compensation:read": {
        label: "Retribución (lectura)",
        description: "Salarios e historial de retribución.",
      },
      "time_off:read": {
        label: "Ausencias (lectura)",
        description: "Solicitudes de ausencia con sus fechas y estado.",
      },
      "teams:read": { label: "Equipos (lectura)", description: "Nombres y estructura de los equipos." },
    },
    authFields: { api_key: { label: "Clave de API" } },
    models: {
      employees: { label: "Empleados" },
      teams: { label: "Equipos" },
      time_off_requests: { label: "Solicitudes de ausencia" },
      compensations: { label: "Retribuciones" },
    },
  },
};

export const DEMO_HRIS_MODELS: Tool["models"] = [
  {
    id: "employees",
    label: "Employees",
    permission: "employees:read",
    fields: [
      { id: "first_name", label: "First name", permission: "employees:read" },
      { id: "last_name", label: "Last name", permission: "employees:read" },
      { id: "work_email", label: "Work email", permission: "employees:read" },
      { id: "job_title", label: "Job title", permission: "employees:read" },
      { id: "team_id", label: "Team", permission: "employees:read" },
      { id: "date_of_birth", label: "Date of birth", permission: "employees.personal:read" },
      { id: "home_address", label: "Home address", permission: "employees.personal:read" },
      { id: "salary", label: "Salary", permission: "compensation:read" },
    ],
  },
  {
    id: "teams",
    label: "Teams",
    permission: "teams:read",
    fields: [{ id: "name", label: "Name", permission: "teams:read" }],
  },
  {
    id: "time_off_requests",
    label: "Time-off requests",
    permission: "time_off:read",
    fields: [
      { id: "employee_id", label: "Employee", permission: "time_off:read" },
      { id: "start_date", label: "Start date", permission: "time_off:read" },
      { id: "end_date", label: "End date", permission: "time_off:read" },
      { id: "status", label: "Status", permission: "time_off:read" },
    ],
  },
  {
    id: "compensations",
    label: "Compensations",
    permission: "compensation:read",
    fields: [
      { id: "employee_id", label: "Employee", permission: "compensation:read" },
      { id: "amount", label: "Amount", permission: "compensation:read" },
      { id: "currency", label: "Currency", permission: "compensation:read" },
      { id: "effective_date", label: "Effective date", permission: "compensation:read" },
    ],
  },
];

const MODEL_PATHS: Record<string, string> = {
  employees: "/api/employees",
  teams: "/api/teams",
  time_off_requests: "/api/time-off-requests",
  compensations: "/api/compensations",
};

export interface DemoHrisOptions {
  /** Base URL of the demo HR system, e.g. `http://127.0.0.1:8790`. */
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface MeAnswer {
  company: { id: string; name: string };
  permissions: string[];
}

/** Reads the demo HR system with a bearer credential; shared by the API-key and OAuth connectors. */
export class DemoHrisApi {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: DemoHrisOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch;
  }

  async me(token: string, signal: AbortSignal): Promise<MeAnswer> {
    const response = await callTool<MeAnswer>({
      url: `${this.baseUrl}/api/me`,
      headers: { authorization: `Bearer ${token}` },
      signal,
      timeoutMs: this.#timeoutMs,
      fetch: this.#fetch,
    });
    if (response.status === 401 || response.status === 403) {
      throw new ConnectorError("AUTH_FAILED", `the tool rejected the credentials (HTTP ${response.status})`);
    }
    const body = response.body;
    if (
      response.status !== 200 ||
      !body ||
      typeof body.company?.id !== "string" ||
      !Array.isArray(body.permissions) ||
      !body.permissions.every((p) => typeof p === "string")
    ) {
      throw new ConnectorError("INCONCLUSIVE", `unexpected answer from the tool (HTTP ${response.status})`);
    }
    return body;
  }

  async list(token: string, model: string, signal: AbortSignal): Promise<SyncRecord[]> {
    const path = MODEL_PATHS[model];
    if (!path) throw new TypeError(`unknown model ${model}`);
    const records: SyncRecord[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const url = new URL(`${this.baseUrl}${path}`);
      url.searchParams.set("limit", "500");
      if (cursor) url.searchParams.set("cursor", cursor);
      const response = await callTool<{ data: Array<Record<string, unknown>>; next_cursor: string | null }>({
        url: url.toString(),
        headers: { authorization: `Bearer ${token}` },
        signal,
        timeoutMs: this.#timeoutMs,
        fetch: this.#fetch,
      });
      if (response.status === 401)
        throw new ConnectorError("AUTH_FAILED", "the tool rejected the credentials (HTTP 401)");
      if (response.status !== 200 || !Array.isArray(response.body?.data)) {
        throw new ConnectorError(
          "INCONCLUSIVE",
          `unexpected answer from the tool for ${model} (HTTP ${response.status})`,
        );
      }
      for (const item of response.body.data) {
        const { id, ...data } = item;
        records.push({ id: String(id), data });
      }
      cursor = response.body.next_cursor ?? null;
      if (!cursor) break;
    }
    return records;
  }
}

/** The checks every connector of the demo HR system shares, given a way to get a bearer token. */
export async function checkWithMe(
  api: DemoHrisApi,
  token: string,
  signal: AbortSignal,
): Promise<AuthCheckResult> {
  try {
    await api.me(token, signal);
    return { outcome: "OK" };
  } catch (error) {
    if (error instanceof ConnectorError)
      return { outcome: error.outcome, detail: error.message, retryAfterMs: error.retryAfterMs };
    throw error;
  }
}

export async function syncModels(api: DemoHrisApi, token: string, ctx: SyncContext): Promise<SyncResult> {
  const records: Record<string, SyncRecord[]> = {};
  for (const { model, fields } of ctx.models) {
    const keep = new Set(fields);
    records[model] = (await api.list(token, model, ctx.signal)).map((record) => ({
      id: record.id,
      data: Object.fromEntries(Object.entries(record.data).filter(([key]) => keep.has(key))),
    }));
  }
  return { records };
}

/** The demo HR system with an API key (`{ "api_key" }`). */
export function demoHrisConnector(options: DemoHrisOptions): SyncingConnector {
  const api = new DemoHrisApi(options);
  const apiKey = (credentials: Credentials) => {
    const key = credentials.api_key;
    if (!key) throw new ConnectorError("AUTH_FAILED", "no API key given");
    return key;
  };
  return {
    tool: {
      id: "demo-hris",
      name: "Demo HR",
      category: "HRIS",
      logo_url: null,
      auth: {
        method: "API_KEY",
        fields: [
          {
            id: "api_key",
            label: "API key",
            type: "secret",
            required: true,
            help: "Demo HR → Settings → API access → Create key. Copy the key that starts with dhk_.",
            placeholder: "dhk_…",
          },
        ],
      },
      models: DEMO_HRIS_MODELS,
      permissions: DEMO_HRIS_PERMISSIONS,
    },
    translations: DEMO_HRIS_TRANSLATIONS,
    async checkAuth({ credentials, signal }: ConnectorContext) {
      if (!credentials.api_key) return { outcome: "AUTH_FAILED", detail: "no API key given" };
      return checkWithMe(api, credentials.api_key, signal);
    },
    async grantedPermissions({ credentials, signal }: ConnectorContext) {
      return (await api.me(apiKey(credentials), signal)).permissions;
    },
    async accountIdentity({ credentials, signal }: ConnectorContext): Promise<AccountIdentity> {
      const me = await api.me(apiKey(credentials), signal);
      return { id: me.company.id, name: me.company.name };
    },
    async sync(ctx: SyncContext) {
      return syncModels(api, apiKey(ctx.credentials), ctx);
    },
  };
}
