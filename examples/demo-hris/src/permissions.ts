/** Every permission an API key or an OAuth grant can carry, in display order. */
export const PERMISSIONS = [
  "employees:read",
  "employees.personal:read",
  "compensation:read",
  "time_off:read",
  "teams:read",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What each permission lets a client read, as shown on the OAuth consent page. */
export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, string>> = {
  "employees:read": "Employees' work details: name, work email, job title and team",
  "employees.personal:read": "Employees' personal details: date of birth and home address",
  "compensation:read": "Salaries and compensation history",
  "time_off:read": "Time off requests",
  "teams:read": "Teams",
};

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && (PERMISSIONS as readonly string[]).includes(value);
}

/** Deduplicates and puts permissions in the canonical order, so lists compare and print the same. */
export function normalizePermissions(permissions: Iterable<Permission>): Permission[] {
  const set = new Set(permissions);
  return PERMISSIONS.filter((permission) => set.has(permission));
}
