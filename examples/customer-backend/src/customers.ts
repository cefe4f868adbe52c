/**
 * The product's own records of its customers: which tool each one connected, the relink
 * integration id, the scope the product now wants, and whether the customer must reconnect.
 * A real product keeps this in its database; here it is memory (optionally a JSON file).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Why the customer is asked to reconnect. */
export type ReconnectReason =
  /** The tool started rejecting the credentials: the early warning, before any pause. */
  | "AUTH_FAILING"
  /** Auth failed for the whole pause window: syncing is paused. */
  | "PAUSED"
  /** The product now wants data the current credentials were not granted for. */
  | "NEW_PERMISSIONS";

export interface Customer {
  /** The product's id of the organisation: the flow token's `end_user.origin_id`. */
  id: string;
  name: string;
  email: string | null;
  /** The tool this customer connects (`demo-hris`, `demo-hris-oauth`, …). */
  tool: string;
  /** The relink integration (`int_…`), once connected. */
  integrationId: string | null;
  /** The scope config the product wants from this customer; relink tokens carry it. */
  targetScopeConfigId: string | null;
  reconnect: { reasons: ReconnectReason[]; since: string; pausesAt: string | null } | null;
}

export type CustomerInit = Pick<Customer, "id" | "name" | "tool"> &
  Partial<Pick<Customer, "email" | "integrationId" | "targetScopeConfigId">>;

export class CustomerStore {
  readonly #customers = new Map<string, Customer>();
  readonly #file: string | undefined;

  /** `file`: keep the records in this JSON file (read at start when it exists, written on change). */
  constructor(initial: CustomerInit[], options: { file?: string } = {}) {
    this.#file = options.file;
    const saved =
      this.#file && existsSync(this.#file)
        ? (JSON.parse(readFileSync(this.#file, "utf8")) as Customer[])
        : undefined;
    for (const customer of saved ?? initial) {
      this.#customers.set(customer.id, {
        email: null,
        integrationId: null,
        targetScopeConfigId: null,
        reconnect: null,
        ...customer,
      });
    }
  }

  list(): Customer[] {
    return [...this.#customers.values()];
  }

  get(id: string): Customer | undefined {
    return this.#customers.get(id);
  }

  byIntegration(integrationId: string): Customer | undefined {
    return this.list().find((c) => c.integrationId === integrationId);
  }

  update(id: string, change: (customer: Customer) => void): Customer | undefined {
    const customer = this.#customers.get(id);
    if (!customer) return undefined;
    change(customer);
    if (this.#file) writeFileSync(this.#file, `${JSON.stringify(this.list(), null, 2)}\n`);
    return customer;
  }

  /** Adds a reason to reconnect (keeping the first `since`). */
  flag(id: string, reason: ReconnectReason, now: string, pausesAt: string | null = null): void {
    this.update(id, (customer) => {
      const current = customer.reconnect ?? { reasons: [], since: now, pausesAt: null };
      if (!current.reasons.includes(reason)) current.reasons.push(reason);
      if (pausesAt !== null) current.pausesAt = pausesAt;
      customer.reconnect = current;
    });
  }

  /** Removes reasons; with none left the customer no longer needs to reconnect. */
  clear(id: string, reasons: ReconnectReason[]): void {
    this.update(id, (customer) => {
      if (!customer.reconnect) return;
      customer.reconnect.reasons = customer.reconnect.reasons.filter((r) => !reasons.includes(r));
      if (!customer.reconnect.reasons.includes("AUTH_FAILING")) customer.reconnect.pausesAt = null;
      if (customer.reconnect.reasons.length === 0) customer.reconnect = null;
    });
  }
}
