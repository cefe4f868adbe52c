import { afterEach, describe, expect, it, vi } from "vitest";
import { page } from "vitest/browser";
import en, { type Translation } from "../src/locales/en.ts";
import { loadTranslation, pickLocale } from "../src/relink-connect/localize.ts";
import type { Locale } from "../src/relink-connect/types.ts";
import { type Mounted, mount } from "./support/harness.ts";
import { completed, errorBody, oauthTool, STUB_SERVER, stubFlow, stubServer } from "./support/stub-server.ts";

/** Every locale file but English's parts: `src/locales/<lang>.ts`. */
const files = import.meta.glob<{ default: Translation }>("../src/locales/*.ts", { eager: true });
const LOCALES = Object.fromEntries(
  Object.entries(files)
    .map(([path, module]) => [/\/([\w-]+)\.ts$/.exec(path)![1]!, module.default] as const)
    .filter(([lang]) => /^[a-z]{2}$/.test(lang)),
) as Record<Locale, Translation>;

const TEN = ["en", "de", "fr", "it", "es", "nl", "pl", "sv", "da", "ja"] as const;

/** Every term rendered with sample arguments (functions too). */
function rendered(term: unknown): string[] {
  if (typeof term === "string") return [term];
  if (term && typeof term === "object") return Object.values(term).flatMap(rendered);
  if (typeof term !== "function") return [String(term)];
  const samples: unknown[][] = [
    ["Acme Corporation International", "Demo HR Cloud Suite", 1],
    ["Acme Corporation International", "Demo HR Cloud Suite", 2],
    ["Acme Corporation International", "Demo HR Cloud Suite", 5],
    ["Acme Corporation International", "Demo HR Cloud Suite", 22],
    [3, 4],
    [null, null],
  ];
  return samples.map((args) => String((term as (...a: unknown[]) => unknown)(...args)));
}

const weight = (t: Translation) => rendered(t).reduce((sum, text) => sum + text.length, 0);

describe("ten languages", () => {
  it("are the ten the widget loads, each a chunk of its own", async () => {
    expect(Object.keys(LOCALES).sort()).toEqual([...TEN].sort());
    for (const lang of TEN) {
      expect(pickLocale([`${lang}-XX`])).toBe(lang);
      const terms = await loadTranslation(lang);
      // English comes with the module (the frame's terms) and the views' chunk (the rest).
      if (lang === "en") expect(terms.lang).toBe("en");
      else expect(terms).toBe(LOCALES[lang]);
    }
  });

  for (const lang of TEN) {
    it(`${lang} has every key of English, of the same kind, none empty or untranslated`, () => {
      const terms = LOCALES[lang];
      expect(Object.keys(terms).sort()).toEqual(Object.keys(en).sort());
      expect(Object.keys(terms.embedded).sort()).toEqual(Object.keys(en.embedded).sort());
      for (const [key, value] of Object.entries(en)) {
        const term = terms[key as keyof Translation];
        expect(typeof term, key).toBe(typeof value);
        if (typeof value === "function") expect((term as () => string).length, key).toBe(value.length);
        for (const text of rendered(term)) {
          expect(text.trim(), key).not.toBe("");
          expect(text, key).not.toMatch(/undefined|NaN|\[object/);
        }
      }
      expect(terms.lang).toBe(lang);
      // Translated, not copied: most sentences differ from English.
      if (lang !== "en") {
        const same = Object.keys(en).filter(
          (key) =>
            key !== "lang" &&
            rendered(en[key as keyof Translation]).join() ===
              rendered(terms[key as keyof Translation]).join(),
        );
        expect(same.length, `same as English: ${same}`).toBeLessThanOrEqual(3);
      }
    });
  }

  it("pluralises Polish the Polish way", () => {
    const pl = LOCALES.pl;
    expect(pl.introNewPermissions(1)).toContain("o 1 uprawnienie więcej");
    expect(pl.introNewPermissions(3)).toContain("o 3 uprawnienia więcej");
    expect(pl.introNewPermissions(5)).toContain("o 5 uprawnień więcej");
    expect(pl.introNewPermissions(12)).toContain("o 12 uprawnień więcej");
    expect(pl.introNewPermissions(22)).toContain("o 22 uprawnienia więcej");
    expect(pl.missingTitle(1)).toBe("Brakuje 1 uprawnienia");
    expect(pl.missingTitle(4)).toBe("Brakuje 4 uprawnień");
  });
});

/**
 * The layout holds for the longest strings: every view of a flow, in every language, in a phone's
 * 375 px and at desktop width, with no button, heading, label or paragraph clipped or overflowing
 * the panel, and the panel within the viewport.
 */
describe("layout with the longest strings", () => {
  let m: Mounted | undefined;
  let restore: (() => void) | undefined;
  afterEach(async () => {
    m?.remove();
    restore?.();
    vi.restoreAllMocks();
    m = restore = undefined;
    await page.viewport(414, 896);
  });

  const longest = [...TEN].sort((a, b) => weight(LOCALES[b]) - weight(LOCALES[a]));

  it("knows which language is the longest", () => {
    console.info(`languages by length: ${longest.map((l) => `${l} ${weight(LOCALES[l])}`).join(", ")}`);
    expect(longest).toHaveLength(10);
  });

  /** What is clipped or overflows in the panel, by a readable name. */
  function overflows(root: ShadowRoot): string[] {
    const panel = root.querySelector<HTMLElement>("[part~=panel]")!;
    const box = panel.getBoundingClientRect();
    const style = getComputedStyle(panel);
    const left = box.left + Number.parseFloat(style.paddingLeft) - 1;
    const right = box.right - Number.parseFloat(style.paddingRight) + 1;
    const bad: string[] = [];
    if (box.left < -0.5 || box.right > document.documentElement.clientWidth + 0.5) {
      bad.push(`panel ${box.left}–${box.right} outside the viewport ${document.documentElement.clientWidth}`);
    }
    const texts = root.querySelectorAll<HTMLElement>(
      "button, h2, p, label, legend, strong, li, [part~=badge], [part~=help], [part~=field-error], [part~=alert]",
    );
    for (const el of texts) {
      if (el.closest(".sr-only, [hidden]")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const name = `${el.tagName.toLowerCase()}${el.getAttribute("part") ? `[${el.getAttribute("part")}]` : ""} “${(el.textContent ?? "").trim().slice(0, 40)}”`;
      if (r.left < left || r.right > right)
        bad.push(`${name} outside the panel (${r.left}–${r.right} in ${left}–${right})`);
      if (getComputedStyle(el).display !== "inline" && el.scrollWidth > el.clientWidth + 1) {
        bad.push(`${name} clipped (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    return bad;
  }

  const WIDTHS = [375, 1280] as const;

  for (const lang of TEN) {
    it(`every view in ${lang} fits at 375 px and at desktop width`, async () => {
      const t = LOCALES[lang];
      let credentials: () => { status?: number; body?: unknown } | Promise<never> = () => ({});
      let handoff: () => { status?: number; body?: unknown } = () => ({});
      let flowAnswer: () => { status?: number; body?: unknown } = () => ({});
      const stub = stubServer({
        "GET /connect/v1/flow": () => flowAnswer(),
        "POST /connect/v1/credentials": () => credentials(),
        "POST /connect/v1/flow/handoff": () => handoff(),
      });
      restore = stub.restore;
      const longFlow = stubFlow({
        end_user: { origin_id: "o", organization_name: "Initech Global Holdings", email: null },
        required_permissions: [
          {
            id: "employees:read",
            label: "Employees (read)",
            description: "Names and work emails",
            where_to_grant: "Settings → API → Permissions → Employees",
            newly_required: true,
            optional: false,
          },
          {
            id: "compensation:read",
            label: "Compensation (read)",
            description: "Salaries",
            where_to_grant: "Settings → API → Permissions → Compensation",
            newly_required: true,
            optional: true,
          },
        ],
        newly_required_permissions: ["employees:read", "compensation:read"],
        optional_parts: [{ id: "compensations", label: "Compensations", permission: "compensation:read" }],
      });
      const handoffFlow = {
        ...longFlow,
        handoff: {
          requested_by: "Maximiliane Oberhuber-Schwarzenberg",
          requested_at: "2026-12-01T08:00:00Z",
        },
      };
      const seen = new Map<string, number>();
      const check = async (view: string) => {
        await m!.el.updateComplete;
        for (const width of WIDTHS) {
          await page.viewport(width, 900);
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          expect(overflows(m!.root), `${lang} ${view} at ${width} px`).toEqual([]);
        }
        seen.set(view, (seen.get(view) ?? 0) + 1);
      };

      flowAnswer = () => ({ body: handoffFlow });
      m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", open: true, locale: lang });
      await m.step("intro");
      expect(m.$("[part~=panel]").getAttribute("lang")).toBe(lang);
      await check("intro");
      await m.click(t.start);
      await m.step("permissions");
      await check("permissions");
      await m.click(t.continue);
      await m.step("credentials");
      await m.click(t.submit);
      await check("credentials, fields required");
      await m.type("Subdomain", "initech");
      await m.type("API key", "k");
      credentials = () => ({ status: 422, body: errorBody("CREDENTIALS_INVALID") });
      await m.click(t.submit);
      await m.step("credentials");
      await check("credentials, refused");
      await m.click(t.close);
      await check("confirm");
      await m.click(t.keepEditing);
      credentials = () => new Promise<never>(() => {});
      await m.click(t.submit);
      await m.step("checking");
      await check("checking");
      await m.click(t.cancel);
      await m.step("credentials");
      credentials = () => ({
        status: 422,
        body: errorBody("PERMISSIONS_MISSING", "missing", {
          missing: longFlow.required_permissions.map((p) => ({
            ...p,
            permission: p.id,
            models: [],
            fields: [],
          })),
        }),
      });
      await m.click(t.submit);
      await m.step("error");
      await check("error, permissions missing");
      await m.click(t.otherCredentials);
      await m.type("Subdomain", "initech");
      await m.type("API key", "k");
      credentials = () => ({ status: 503, body: errorBody("TOOL_UNREACHABLE") });
      await m.click(t.submit);
      await m.step("error");
      await check("error, tool unreachable");
      credentials = () => ({
        body: {
          ...completed,
          remote_account: { id: "acme", name: "Acme Corporation International" },
          warnings: [{ code: "ACCOUNT_ALREADY_CONNECTED", message: "shared" }],
        },
      });
      await m.click(t.tryAgain);
      await m.step("success");
      await check("success, shared account");
      m.remove();

      flowAnswer = () => ({ body: longFlow });
      m = await mount({ token: "t", server: STUB_SERVER, mode: "inline", locale: lang });
      await m.step("intro");
      await m.click(t.start);
      await m.click(t.continue);
      await m.step("credentials");
      await m.click(t.handoffButton);
      await m.step("handoff");
      await check("hand-off form");
      handoff = () => ({
        status: 201,
        body: {
          url: "https://relink.example.com/link#token=eyJhbGciOiJIUzI1NiJ9.eyJmbG93IjoicmVsaW5rIn0.c2lnbmF0dXJl",
          expires_at: "2026-12-08T09:00:00Z",
        },
      });
      await m.click(t.handoffCreate);
      await m.step("handoff");
      await check("hand-off link");
      m.remove();

      flowAnswer = () => ({ body: stubFlow({ tool: oauthTool }) });
      m = await mount({ token: "t", server: STUB_SERVER, mode: "inline", locale: lang });
      await m.step("intro");
      await m.click(t.start);
      await m.click(t.continue);
      await m.step("credentials");
      await check("OAuth");
      m.remove();

      flowAnswer = () => ({
        status: 409,
        body: errorBody("FLOW_SUPERSEDED", "superseded", { superseded_at: "2026-11-30T14:05:00Z" }),
      });
      m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", open: true, locale: lang });
      await m.step("superseded");
      await check("superseded");
      m.remove();

      flowAnswer = () => ({ status: 401, body: errorBody("TOKEN_EXPIRED") });
      m = await mount({ token: "t", server: STUB_SERVER, mode: "modal", open: true, locale: lang });
      await m.step("error");
      await check("error, expired");
      expect([...seen.keys()]).toHaveLength(14);
    });
  }
});
