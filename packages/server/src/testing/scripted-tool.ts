import type { Tool } from "@relink/sdk/contract";

/*
 * The scripted test tool's permissions and models: an HR system's usual ones (employees with work
 * and personal fields, teams, time off, compensation), shaped as most HR tools are.
 */

const WHERE = "Scripted HR → Settings → API access → Edit the key → Permissions";

export const SCRIPTED_HR_PERMISSIONS: Tool["permissions"] = [
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

export const SCRIPTED_HR_MODELS: Tool["models"] = [
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
