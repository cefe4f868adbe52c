import { createSeedData, type SeedData } from "./data.ts";
import type { Permission } from "./permissions.ts";

/** A simulated failure mode of `/api/*` and `/oauth/token`. */
export const OUTAGE_STATUSES = [500, 502, 503, 429, "timeout", "malformed", "reset"] as const;
export type OutageStatus = (typeof OUTAGE_STATUSES)[number];

export interface Outage {
  status: OutageStatus;
  duration_ms: number;
  /** Epoch milliseconds, from the injected clock. */
  started_at: number;
  ends_at: number;
}

export interface ApiKey {
  key: string;
  company_id: string;
  permissions: Permission[];
  label: string | null;
  created_at: string;
}

export interface OAuthClient {
  client_id: string;
  client_secret: string;
  name: string;
  /** Exact redirect URIs this client may use. */
  redirect_uris: string[];
  /** Also accept any `http://localhost:*` or `http://127.0.0.1:*` redirect URI (the seeded client). */
  allow_loopback_redirects: boolean;
  created_at: string;
}

export interface AuthorizationCode {
  code: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  company_id: string;
  scopes: Permission[];
  /** Epoch milliseconds. */
  expires_at: number;
  used: boolean;
}

/** An access token; `grant_id` ties together every token issued from one authorization. */
export interface AccessToken {
  token: string;
  client_id: string;
  company_id: string;
  scopes: Permission[];
  grant_id: string;
  /** Epoch milliseconds. */
  expires_at: number;
}

export interface RefreshToken {
  token: string;
  client_id: string;
  company_id: string;
  scopes: Permission[];
  grant_id: string;
}

/** Everything the demo HR system holds; all in memory, lost on restart. */
export interface DemoHrisState extends SeedData {
  apiKeys: Map<string, ApiKey>;
  oauthClients: Map<string, OAuthClient>;
  authorizationCodes: Map<string, AuthorizationCode>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  outage: Outage | null;
}

/** The OAuth client every demo installation has. */
export const DEMO_OAUTH_CLIENT = {
  client_id: "relink-demo",
  client_secret: "relink-demo-secret",
  name: "relink demo",
} as const;

function seededClients(): Map<string, OAuthClient> {
  return new Map([
    [
      DEMO_OAUTH_CLIENT.client_id,
      {
        ...DEMO_OAUTH_CLIENT,
        redirect_uris: [],
        allow_loopback_redirects: true,
        created_at: "2024-01-01T00:00:00.000Z",
      },
    ],
  ]);
}

export function createState(): DemoHrisState {
  return {
    ...createSeedData(),
    apiKeys: new Map(),
    oauthClients: seededClients(),
    authorizationCodes: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    outage: null,
  };
}

/** Puts the state back to the seed in place, so references held by tests stay valid. */
export function resetState(state: DemoHrisState): void {
  Object.assign(state, createState());
}

export function findCompany(state: DemoHrisState, companyId: string) {
  return state.companies.find((company) => company.id === companyId);
}
