import { Hono } from "hono";
import type { Compensation, Employee, Team, TimeOffRequest } from "../data.ts";
import type { DemoHrisEnv } from "../env.ts";
import { authenticate, requirePermission } from "../middleware/authenticate.ts";
import { paginate } from "../pagination.ts";
import type { Permission } from "../permissions.ts";
import { type DemoHrisState, findCompany } from "../state.ts";

type WorkFields = "id" | "first_name" | "last_name" | "work_email" | "job_title" | "team_id";

/** An employee as the API shows it: fields the credential may not read are left out, not nulled. */
export type EmployeeView = Pick<Employee, WorkFields> &
  Partial<Pick<Employee, "date_of_birth" | "home_address" | "salary">>;

export function presentEmployee(employee: Employee, permissions: readonly Permission[]): EmployeeView {
  const view: EmployeeView = {
    id: employee.id,
    first_name: employee.first_name,
    last_name: employee.last_name,
    work_email: employee.work_email,
    job_title: employee.job_title,
    team_id: employee.team_id,
  };
  if (permissions.includes("employees.personal:read")) {
    view.date_of_birth = employee.date_of_birth;
    view.home_address = employee.home_address;
  }
  if (permissions.includes("compensation:read")) view.salary = employee.salary;
  return view;
}

function presentTeam({ id, name }: Team) {
  return { id, name };
}

function presentTimeOffRequest({ id, employee_id, start_date, end_date, status }: TimeOffRequest) {
  return { id, employee_id, start_date, end_date, status };
}

function presentCompensation({ id, employee_id, amount, currency, effective_date }: Compensation) {
  return { id, employee_id, amount, currency, effective_date };
}

/** `/api/*`: what a connector reads. Every list holds only the caller's company's records. */
export function apiRoutes(state: DemoHrisState, now: () => number) {
  const ofCompany = <T extends { company_id: string }>(items: T[], companyId: string) =>
    items.filter((item) => item.company_id === companyId);

  return new Hono<DemoHrisEnv>()
    .use("*", authenticate(state, now))
    .get("/me", (c) => {
      const { company_id, permissions, type } = c.var.credential;
      const company = findCompany(state, company_id);
      return c.json({
        company: { id: company_id, name: company?.name ?? company_id },
        permissions,
        credential_type: type,
      });
    })
    .get("/employees", requirePermission("employees:read"), (c) => {
      const { company_id, permissions } = c.var.credential;
      const page = paginate(ofCompany(state.employees, company_id), c.req.query());
      return c.json({ ...page, data: page.data.map((employee) => presentEmployee(employee, permissions)) });
    })
    .get("/teams", requirePermission("teams:read"), (c) => {
      const page = paginate(ofCompany(state.teams, c.var.credential.company_id), c.req.query());
      return c.json({ ...page, data: page.data.map(presentTeam) });
    })
    .get("/time-off-requests", requirePermission("time_off:read"), (c) => {
      const page = paginate(ofCompany(state.timeOffRequests, c.var.credential.company_id), c.req.query());
      return c.json({ ...page, data: page.data.map(presentTimeOffRequest) });
    })
    .get("/compensations", requirePermission("compensation:read"), (c) => {
      const page = paginate(ofCompany(state.compensations, c.var.credential.company_id), c.req.query());
      return c.json({ ...page, data: page.data.map(presentCompensation) });
    });
}
