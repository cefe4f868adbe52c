/**
 * The seed: two companies with employees, teams, time off and compensation.
 * Generated from a fixed PRNG seed so every run (and every test) sees the same records.
 */

export interface Company {
  id: string;
  name: string;
}

export interface Employee {
  id: string;
  company_id: string;
  first_name: string;
  last_name: string;
  work_email: string;
  job_title: string;
  team_id: string;
  date_of_birth: string;
  home_address: string;
  salary: number;
}

export interface Team {
  id: string;
  company_id: string;
  name: string;
}

export type TimeOffStatus = "pending" | "approved" | "rejected";

export interface TimeOffRequest {
  id: string;
  company_id: string;
  employee_id: string;
  start_date: string;
  end_date: string;
  status: TimeOffStatus;
}

export interface Compensation {
  id: string;
  company_id: string;
  employee_id: string;
  amount: number;
  currency: string;
  effective_date: string;
}

export interface SeedData {
  companies: Company[];
  employees: Employee[];
  teams: Team[];
  timeOffRequests: TimeOffRequest[];
  compensations: Compensation[];
}

interface CompanyProfile {
  company: Company;
  domain: string;
  currency: string;
  seed: number;
  teams: { name: string; titles: string[] }[];
  cities: string[];
}

const EMPLOYEES_PER_COMPANY = 12;
const TIME_OFF_REQUESTS_PER_COMPANY = 8;

const PROFILES: CompanyProfile[] = [
  {
    company: { id: "acme", name: "Acme Corp" },
    domain: "acme.example",
    currency: "USD",
    seed: 0xac3e,
    teams: [
      {
        name: "Engineering",
        titles: ["Software Engineer", "Senior Software Engineer", "Engineering Manager"],
      },
      { name: "Sales", titles: ["Account Executive", "Sales Development Representative", "Head of Sales"] },
      { name: "People", titles: ["People Partner", "Recruiter", "Head of People"] },
    ],
    cities: ["Springfield, IL 62701, US", "Portland, OR 97205, US", "Austin, TX 78701, US"],
  },
  {
    company: { id: "globex", name: "Globex Inc" },
    domain: "globex.example",
    currency: "EUR",
    seed: 0x6e0b,
    teams: [
      { name: "Research", titles: ["Research Scientist", "Lab Technician", "Research Director"] },
      { name: "Operations", titles: ["Operations Analyst", "Logistics Coordinator", "Operations Manager"] },
      { name: "Finance", titles: ["Accountant", "Financial Analyst", "Chief Financial Officer"] },
    ],
    cities: ["10115 Berlin, DE", "75002 Paris, FR", "1012 Amsterdam, NL"],
  },
];

const FIRST_NAMES = [
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Dennis",
  "Barbara",
  "Ken",
  "Radia",
  "Tim",
  "Frances",
  "Edsger",
  "Hedy",
  "John",
  "Katherine",
  "Donald",
  "Sophie",
  "Niklaus",
  "Anita",
  "Guido",
  "Karen",
  "Bjarne",
  "Shafi",
  "Leslie",
];

const LAST_NAMES = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Torvalds",
  "Hamilton",
  "Ritchie",
  "Liskov",
  "Thompson",
  "Perlman",
  "Berners-Lee",
  "Allen",
  "Dijkstra",
  "Lamarr",
  "McCarthy",
  "Johnson",
  "Knuth",
  "Wilson",
  "Wirth",
  "Borg",
  "van Rossum",
  "Jones",
  "Stroustrup",
  "Goldwasser",
  "Lamport",
];

const STREETS = ["Elm Street", "Oak Avenue", "Maple Road", "Cedar Lane", "Pine Street", "Birch Way"];

/** mulberry32: a tiny PRNG, good enough to make varied but reproducible demo data. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function integerBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function isoDate(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

function sequenceId(prefix: string, companyId: string, n: number): string {
  return `${prefix}_${companyId}_${String(n).padStart(3, "0")}`;
}

function emailPart(name: string): string {
  return name.toLowerCase().replace(/[^a-z]/g, "");
}

function seedCompany(profile: CompanyProfile): Omit<SeedData, "companies"> {
  const random = createRandom(profile.seed);
  const companyId = profile.company.id;
  const teams: Team[] = profile.teams.map((team, index) => ({
    id: sequenceId("team", companyId, index + 1),
    company_id: companyId,
    name: team.name,
  }));
  const firstNames = shuffled(random, FIRST_NAMES);
  const lastNames = shuffled(random, LAST_NAMES);

  const employees: Employee[] = [];
  const compensations: Compensation[] = [];
  for (let i = 0; i < EMPLOYEES_PER_COMPANY; i++) {
    const teamIndex = i % teams.length;
    const titles = profile.teams[teamIndex]!.titles;
    // The last title of each team is its lead: one per team, the rest are individual contributors.
    const titleIndex = i < teams.length ? titles.length - 1 : integerBetween(random, 0, titles.length - 2);
    const firstName = firstNames[i]!;
    const lastName = lastNames[i]!;
    const salary = (60_000 + titleIndex * 25_000 + integerBetween(random, 0, 40) * 500) * (i < 3 ? 1.5 : 1);
    const employee: Employee = {
      id: sequenceId("emp", companyId, i + 1),
      company_id: companyId,
      first_name: firstName,
      last_name: lastName,
      work_email: `${emailPart(firstName)}.${emailPart(lastName)}@${profile.domain}`,
      job_title: titles[titleIndex]!,
      team_id: teams[teamIndex]!.id,
      date_of_birth: isoDate(
        integerBetween(random, 1962, 2001),
        integerBetween(random, 1, 12),
        integerBetween(random, 1, 28),
      ),
      home_address: `${integerBetween(random, 1, 250)} ${pick(random, STREETS)}, ${pick(random, profile.cities)}`,
      salary,
    };
    employees.push(employee);

    // Some employees had a raise: their history has two entries, the latest equal to their salary.
    const hadRaise = random() < 0.5;
    if (hadRaise) {
      compensations.push({
        id: "",
        company_id: companyId,
        employee_id: employee.id,
        amount: Math.round((salary * 0.92) / 500) * 500,
        currency: profile.currency,
        effective_date: isoDate(2023, integerBetween(random, 1, 12), 1),
      });
    }
    compensations.push({
      id: "",
      company_id: companyId,
      employee_id: employee.id,
      amount: salary,
      currency: profile.currency,
      effective_date: isoDate(2024, integerBetween(random, 1, 12), 1),
    });
  }
  compensations.forEach((compensation, index) => {
    compensation.id = sequenceId("comp", companyId, index + 1);
  });

  const statuses: TimeOffStatus[] = ["approved", "approved", "approved", "pending", "rejected"];
  const timeOffRequests: TimeOffRequest[] = [];
  for (let i = 0; i < TIME_OFF_REQUESTS_PER_COMPANY; i++) {
    const startDate = isoDate(2025, integerBetween(random, 1, 12), integerBetween(random, 1, 28));
    timeOffRequests.push({
      id: sequenceId("tor", companyId, i + 1),
      company_id: companyId,
      employee_id: pick(random, employees).id,
      start_date: startDate,
      end_date: addDays(startDate, integerBetween(random, 0, 9)),
      status: pick(random, statuses),
    });
  }

  return { employees, teams, timeOffRequests, compensations };
}

/** Builds a fresh copy of the seed; the same records on every call. */
export function createSeedData(): SeedData {
  const seed: SeedData = { companies: [], employees: [], teams: [], timeOffRequests: [], compensations: [] };
  for (const profile of PROFILES) {
    const records = seedCompany(profile);
    seed.companies.push({ ...profile.company });
    seed.employees.push(...records.employees);
    seed.teams.push(...records.teams);
    seed.timeOffRequests.push(...records.timeOffRequests);
    seed.compensations.push(...records.compensations);
  }
  return seed;
}
