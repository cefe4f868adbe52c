import { Hono } from "hono";
import { createMiddleware } from "hono/factory";

/**
 * Staffbook: a stand-in for the self-hoster's own HR tool, so the example and its tests have
 * something real to talk to. Tokens carry scopes; `outage` makes every call answer 503.
 */
export interface StaffbookState {
  org: { id: string; name: string };
  tokens: Map<string, { scopes: string[] }>;
  people: Array<{ id: string; given_name: string; family_name: string; email: string; birthday: string }>;
  absences: Array<{ id: string; person_id: string; from: string; to: string; approved: boolean }>;
  outage: boolean;
}

export function createStaffbookState(): StaffbookState {
  return {
    org: { id: "org_initech", name: "Initech" },
    tokens: new Map(),
    people: [
      {
        id: "p1",
        given_name: "Peter",
        family_name: "Gibbons",
        email: "peter@initech.example",
        birthday: "1970-02-01",
      },
      {
        id: "p2",
        given_name: "Joanna",
        family_name: "Smith",
        email: "joanna@initech.example",
        birthday: "1972-05-03",
      },
      {
        id: "p3",
        given_name: "Milton",
        family_name: "Waddams",
        email: "milton@initech.example",
        birthday: "1958-11-12",
      },
    ],
    absences: [
      { id: "a1", person_id: "p1", from: "2026-12-20", to: "2026-12-31", approved: true },
      { id: "a2", person_id: "p3", from: "2027-01-05", to: "2027-01-06", approved: false },
    ],
    outage: false,
  };
}

export function createStaffbook(state = createStaffbookState()) {
  const app = new Hono<{ Variables: { scopes: string[] } }>();
  app.use("*", async (c, next) => {
    if (state.outage) return c.json({ message: "maintenance" }, 503);
    const token = /^Token (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const grant = token ? state.tokens.get(token) : undefined;
    if (!grant) return c.json({ message: "invalid token" }, 401);
    c.set("scopes", grant.scopes);
    await next();
  });
  const needs = (scope: string) =>
    createMiddleware<{ Variables: { scopes: string[] } }>(async (c, next) => {
      if (!c.get("scopes").includes(scope)) return c.json({ message: `missing scope ${scope}` }, 403);
      await next();
    });
  app.get("/api/me", (c) => c.json({ org: state.org, scopes: c.get("scopes") }));
  app.get("/api/people", needs("people"), (c) => c.json({ items: state.people }));
  app.get("/api/absences", needs("absences"), (c) => c.json({ items: state.absences }));
  return {
    app,
    state,
    /** Issues a token with these scopes (`people`, `absences`). */
    issueToken(scopes: string[]): string {
      const token = `sbt_${crypto.randomUUID().replaceAll("-", "")}`;
      state.tokens.set(token, { scopes });
      return token;
    },
    revokeToken(token: string): void {
      state.tokens.delete(token);
    },
  };
}
