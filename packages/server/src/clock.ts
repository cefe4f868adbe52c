/** Where time comes from. Domain code never calls `Date.now()`: tests inject a clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: what makes a three-day rule testable in milliseconds. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string | number = "2026-01-05T09:00:00.000Z") {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): Date {
    this.#ms += ms;
    return this.now();
  }
  set(to: Date | string | number): void {
    this.#ms = new Date(to).getTime();
  }
}

export const iso = (date: Date): string => date.toISOString();
