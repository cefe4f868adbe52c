/** The scope configs the widget tests use, by name (DESIGN section 8 shape). */
const workFields = {
  first_name: "ENABLED",
  last_name: "ENABLED",
  work_email: "ENABLED",
  job_title: "ENABLED",
  team_id: "ENABLED",
  date_of_birth: "DISABLED",
  home_address: "DISABLED",
  salary: "DISABLED",
} as const;

export const SCOPES = {
  /** employees (work fields) + teams: `employees:read`, `teams:read`. */
  basic: {
    name: "Basic",
    category: "HRIS",
    models: { employees: { setting: "ENABLED", fields: workFields }, teams: { setting: "ENABLED" } },
  },
  /** basic + time off + compensations: adds `time_off:read` and `compensation:read`. */
  extended: {
    name: "Extended",
    category: "HRIS",
    models: {
      employees: { setting: "ENABLED", fields: workFields },
      teams: { setting: "ENABLED" },
      time_off_requests: { setting: "ENABLED" },
      compensations: { setting: "ENABLED" },
    },
  },
  /** basic + time off, with compensations OPTIONAL. */
  optional: {
    name: "With optional pay data",
    category: "HRIS",
    models: {
      employees: { setting: "ENABLED", fields: workFields },
      teams: { setting: "ENABLED" },
      time_off_requests: { setting: "ENABLED" },
      compensations: { setting: "OPTIONAL" },
    },
  },
} as const;

export type ScopeName = keyof typeof SCOPES;

/** What the browser tests ask the control server to set up: one flow token and what it points at. */
export interface Scenario {
  flow: "relink" | "connect";
  /** relink: the integration's tool; connect: the preselected tool, or null to let the user pick. */
  tool?: string | null;
  /** relink: the company of the integration's account (default acme). */
  company?: "acme" | "globex";
  /** relink: the permissions of the integration's current API key (default employees:read, teams:read). */
  current?: string[];
  /** The target scope config (default basic). */
  scope?: ScopeName;
  locale?: string;
  /** An already expired token. */
  expired?: boolean;
  /** Fake backend only: what its OAuth page does (default complete). */
  oauth?: "complete" | "error" | "close";
}

export interface ScenarioAnswer {
  token: string;
  integration_id: string | null;
  scope_config_id: string;
  organization_name: string;
}

/** What the global setup hands the browser tests (`inject("widget")`). */
export interface WidgetTestContext {
  /** The relink server the widget talks to (`server` attribute). */
  server: string;
  /** The test control server (scenarios, demo HR admin). */
  control: string;
  /** Whether `server` is the real relink server or the contract-faithful fake. */
  backend: "real" | "fake";
}

declare module "vitest" {
  export interface ProvidedContext {
    widget: WidgetTestContext;
  }
}
