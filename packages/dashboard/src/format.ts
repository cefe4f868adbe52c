import type { Integration } from "@relink/sdk/contract";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A span of time in words, at most two units: "3 days 4 h", "5 min", "12 s". */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return `${Math.max(0, Math.round(abs / 1000))} s`;
  // Round to the smaller unit first, so that 2 h 59.7 min reads "3 h", never "2 h 60 min".
  const minutes = Math.round(abs / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const hours = Math.round(abs / HOUR);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return `${d} ${d === 1 ? "day" : "days"}${h ? ` ${h} h` : ""}`;
}

/** "in 5 min" / "5 min ago". */
export function relative(at: string | Date, now: number = Date.now()): string {
  const t = typeof at === "string" ? Date.parse(at) : at.getTime();
  const diff = t - now;
  if (Math.abs(diff) < 1000) return "now";
  return diff > 0 ? `in ${duration(diff)}` : `${duration(diff)} ago`;
}

/** An absolute time in the operator's locale, e.g. "28 Nov 2026, 09:30:12". */
export function dateTime(at: string | Date | null | undefined): string {
  if (!at) return "—";
  const date = typeof at === "string" ? new Date(at) : at;
  return date.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

export type HealthTone = "ok" | "warn" | "bad" | "muted";

/** What the auth health of an integration means for the operator, in a few words. */
export function authHealth(
  integration: Pick<Integration, "state" | "auth">,
  now: number = Date.now(),
  pausedAt: string | null = null,
): { text: string; tone: HealthTone } {
  const { state, auth } = integration;
  if (state === "INACTIVE") return { text: "Inactive: disabled by an operator", tone: "muted" };
  if (state === "INVALID") {
    if (pausedAt)
      return { text: `Paused since ${dateTime(pausedAt)} (${relative(pausedAt, now)})`, tone: "bad" };
    return {
      text: auth.failing_since
        ? `Paused: auth failing since ${dateTime(auth.failing_since)}`
        : "Paused: waiting for a relink",
      tone: "bad",
    };
  }
  if (auth.status === "FAILING" && auth.failing_since) {
    const since = `Failing since ${dateTime(auth.failing_since)}`;
    if (!auth.pauses_at) return { text: since, tone: "warn" };
    const left = Date.parse(auth.pauses_at) - now;
    return {
      text:
        left > 0 ? `${since} · pauses in ${duration(left)}` : `${since} · pauses at the next failed check`,
      tone: "warn",
    };
  }
  if (auth.status === "OK") {
    return {
      text: auth.last_checked_at ? `Healthy · checked ${relative(auth.last_checked_at, now)}` : "Healthy",
      tone: "ok",
    };
  }
  return { text: "Not checked yet", tone: "muted" };
}

export const STATE_LABELS: Record<Integration["state"], string> = {
  ACTIVE: "Active",
  INVALID: "Paused",
  INACTIVE: "Inactive",
};

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
