import axe from "axe-core";
import { expect, inject } from "vitest";
import { waitFor } from "./wait.ts";
import "../../src/define.ts";
import type { RelinkConnect } from "../../src/relink-connect/relink-connect.ts";
import type { Scenario, ScenarioAnswer } from "./scopes.ts";

export const ctx = inject("widget");

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(ctx.control + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Mints a flow token (and, for relink, an integration) on the test backend. */
export const scenario = (s: Scenario) => control<ScenarioAnswer>("POST", "/scenario", s);
/** A demo HR API key of a company with these permissions. */
export const hrisKey = async (permissions: string[], company = "acme") =>
  (await control<{ key: string }>("POST", "/hris/key", { company, permissions })).key;
export const outage = (status: 503 | 429 | "timeout", duration_ms = 60_000) =>
  control("POST", "/hris/outage", { status, duration_ms });
export const endOutage = () => control("DELETE", "/hris/outage");

export const ALL_BASIC = ["employees:read", "teams:read"];
export const ALL_EXTENDED = ["employees:read", "teams:read", "time_off:read", "compensation:read"];

export interface Mounted {
  el: RelinkConnect;
  events: Array<{ type: string; detail: unknown }>;
  root: ShadowRoot;
  /** The first element matching in the shadow root (throws if none). */
  $<T extends HTMLElement = HTMLElement>(selector: string): T;
  $$<T extends HTMLElement = HTMLElement>(selector: string): T[];
  /** Resolves once `relink-step` announced this step (after the last one awaited) and it rendered. */
  step(step: string): Promise<void>;
  text(): string;
  /** Clicks the button whose text is `label`. */
  click(label: string | RegExp): Promise<void>;
  type(label: string, value: string): Promise<void>;
  remove(): void;
}

/** An element's text as a screen reader reads it: without `aria-hidden` parts. */
export function spokenText(el: Element): string {
  const copy = el.cloneNode(true) as Element;
  for (const hidden of copy.querySelectorAll("[aria-hidden=true]")) hidden.remove();
  return (copy.textContent ?? "").replace(/\s+/g, " ").trim();
}

const EVENTS = ["relink-step", "relink-success", "relink-exit", "relink-error"] as const;

/** Puts a `<relink-connect>` on the page with the given attributes and records its events. */
export async function mount(
  attributes: Record<string, string | boolean>,
  parent: HTMLElement = document.body,
) {
  const el = document.createElement("relink-connect");
  const events: Mounted["events"] = [];
  for (const type of EVENTS) {
    el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail }));
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) el.setAttribute(name, "");
    else if (value !== false) el.setAttribute(name, value);
  }
  parent.append(el);
  await el.updateComplete;
  const root = el.shadowRoot!;
  let consumed = 0;
  const m: Mounted = {
    el,
    events,
    root,
    $(selector) {
      const found = root.querySelector(selector);
      if (!found) throw new Error(`no ${selector} in ${root.innerHTML.slice(0, 2000)}`);
      return found as never;
    },
    $$: (selector) => [...root.querySelectorAll(selector)] as never,
    async step(step) {
      await waitFor(
        () => {
          const index = events.findIndex(
            (e, i) =>
              i >= consumed && e.type === "relink-step" && (e.detail as { step: string }).step === step,
          );
          expect(
            index,
            `step ${step} after ${JSON.stringify(events.slice(consumed))}`,
          ).toBeGreaterThanOrEqual(0);
          consumed = index + 1;
        },
        { timeout: 30_000, interval: 20 },
      );
      await el.updateComplete;
    },
    text: () => (root.querySelector("[part~=panel]")?.textContent ?? "").replace(/\s+/g, " ").trim(),
    async click(label) {
      // The button may be on a view still to come (after the intro, the later views' chunk may be
      // on its way): wait for it, with the harness's generous deadline.
      const button = await waitFor(() => {
        const found = [...root.querySelectorAll("button")].find((b) =>
          typeof label === "string"
            ? spokenText(b) === label || b.getAttribute("aria-label") === label
            : label.test(spokenText(b)),
        );
        if (!found) throw new Error(`no button ${label} in: ${m.text()}`);
        return found;
      });
      // As a pointer click does in Chromium, focus the button first.
      button.focus();
      button.click();
      await el.updateComplete;
    },
    async type(label, value) {
      const input = m
        .$$<HTMLInputElement>("input")
        .find((i) => root.querySelector(`label[for="${i.id}"]`)?.textContent?.trim().startsWith(label));
      if (!input) throw new Error(`no field ${label}`);
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
      await el.updateComplete;
    },
    remove: () => el.remove(),
  };
  return m;
}

/** Runs axe-core on the element (its shadow DOM included) and fails on any violation. */
export async function expectAccessible(el: HTMLElement): Promise<void> {
  // The modal fades in: judge the colours once the entrance animations ended.
  const animations = el.shadowRoot?.getAnimations() ?? [];
  await Promise.all(
    animations.filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished),
  );
  const results = await axe.run(el, { resultTypes: ["violations"] });
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(summary).toEqual([]);
}
