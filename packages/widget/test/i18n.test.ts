import { afterEach, describe, expect, it } from "vitest";
import de from "../src/locales/de.ts";
import en, { type Translation } from "../src/locales/en.ts";
import es from "../src/locales/es.ts";
import fr from "../src/locales/fr.ts";
import it_ from "../src/locales/it.ts";
import { pickLocale } from "../src/relink-connect/localize.ts";
import { ALL_BASIC, ctx, hrisKey, type Mounted, mount, scenario } from "./support/harness.ts";

const LOCALES: Record<string, Translation> = { en, de, fr, it: it_, es };

let m: Mounted | undefined;
afterEach(() => {
  m?.remove();
  m = undefined;
});

/** Calls every term with sample arguments, so that functions are checked too. */
function render(term: unknown): string[] {
  if (typeof term === "string") return [term];
  if (term && typeof term === "object") return Object.values(term).flatMap(render);
  if (typeof term !== "function") return [String(term)];
  const samples: unknown[][] = [
    ["Acme", "Demo HR", 0],
    ["Acme", "Demo HR", 1],
    ["Acme", "Demo HR", 2],
    [1, 3],
    [3, 1],
    [2, 4],
    ["Acme", null],
  ];
  return samples.map((args) => String((term as (...a: unknown[]) => unknown)(...args)));
}

describe("translations", () => {
  for (const [lang, terms] of Object.entries(LOCALES)) {
    it(`${lang} has every key of English, of the same kind, none empty`, () => {
      expect(Object.keys(terms).sort()).toEqual(Object.keys(en).sort());
      expect(Object.keys(terms.embedded).sort()).toEqual(Object.keys(en.embedded).sort());
      for (const [key, value] of Object.entries(en)) {
        const term = terms[key as keyof Translation];
        expect(typeof term, key).toBe(typeof value);
        for (const text of render(term)) {
          expect(text.trim(), key).not.toBe("");
          expect(text, key).not.toMatch(/undefined|NaN|\[object/);
        }
      }
      expect(terms.lang).toBe(lang);
    });
  }

  it("pluralises and interpolates", () => {
    expect(en.missingTitle(1)).toBe("1 permission is missing");
    expect(en.missingTitle(3)).toBe("3 permissions are missing");
    expect(de.missingTitle(1)).toBe("1 Berechtigung fehlt");
    expect(de.missingTitle(2)).toBe("2 Berechtigungen fehlen");
    expect(fr.missingTitle(1)).toBe("1 autorisation manquante");
    expect(it_.missingTitle(2)).toBe("Mancano 2 autorizzazioni");
    expect(es.missingTitle(1)).toBe("Falta 1 permiso");
    expect(en.stepOf(2, 4)).toBe("Step 2 of 4");
  });

  it("picks the first supported locale, region subtags ignored, English last", () => {
    expect(pickLocale(["de-CH", "fr"])).toBe("de");
    expect(pickLocale([null, "", "pt-BR", "es_ES"])).toBe("es");
    expect(pickLocale(["zh"])).toBe("en");
    expect(pickLocale([])).toBe("en");
  });
});

describe("locale of the rendered flow", () => {
  it("uses the locale attribute first, then the token's, then the browser's", async () => {
    const withDe = await scenario({ flow: "relink", locale: "de" });
    m = await mount({ token: withDe.token, server: ctx.server, mode: "inline" });
    await m.step("intro");
    expect(m.$("[part~=title]").textContent).toBe("Demo HR erneut verbinden");
    expect(m.$("[part~=panel]").getAttribute("lang")).toBe("de");
    m.remove();

    const again = await scenario({ flow: "relink", locale: "de" });
    m = await mount({ token: again.token, server: ctx.server, mode: "inline", locale: "fr" });
    await m.step("intro");
    expect(m.$("[part~=title]").textContent).toBe("Reconnecter Demo HR");
    // Changing the attribute switches the language in place.
    const switching = m;
    switching.el.locale = "es";
    await expect
      .poll(() => switching.$("[part~=title]").textContent, { timeout: 30_000 })
      .toBe("Vuelve a conectar Demo HR");
    m.remove();

    const none = await scenario({ flow: "relink" });
    m = await mount({ token: none.token, server: ctx.server, mode: "inline", locale: "pt" });
    await m.step("intro");
    expect(navigator.languages[0]).toMatch(/^en/);
    expect(m.$("[part~=title]").textContent).toBe("Reconnect Demo HR");
  });

  for (const lang of ["en", "de", "fr", "it", "es"]) {
    it(`renders every step in ${lang} with no missing term`, async () => {
      const t = LOCALES[lang]!;
      // The demo HR connector translates its field's label too.
      const apiKey = {
        en: "API key",
        de: "API-Schlüssel",
        fr: "Clé d’API",
        it: "Chiave API",
        es: "Clave de API",
      }[lang]!;
      const seen: string[] = [];
      const check = async (step: string) => {
        await m!.step(step);
        const text = m!.text();
        expect(text, step).not.toMatch(/undefined|NaN|\[object|\bnull\b/);
        expect(m!.$("[part~=panel]").getAttribute("lang")).toBe(lang);
        seen.push(text);
      };
      const s = await scenario({ flow: "relink", scope: "extended", locale: lang });
      m = await mount({ token: s.token, server: ctx.server, mode: "inline" });
      await check("intro");
      expect(m.$("[part~=title]").textContent).toBe(t.introTitleRelink("Demo HR"));
      await m.click(t.start);
      await check("permissions");
      expect(m.text()).toContain(t.newBadge);
      await m.click(t.continue);
      await check("credentials");
      await m.click(t.submit);
      expect(m.$("[part~=field-error]").textContent).toBe(t.required(apiKey));
      await m.type(apiKey, "not-a-key");
      await m.click(t.submit);
      await check("credentials");
      expect(m.text()).toContain(t.invalidTitle);
      await m.type(apiKey, await hrisKey(ALL_BASIC));
      await m.click(t.submit);
      await check("error");
      expect(m.$("[part~=title]").textContent).toBe(t.missingTitle(2));
      await m.click(t.otherCredentials);
      await check("credentials");
      await m.type(
        apiKey,
        await hrisKey(["employees:read", "teams:read", "time_off:read", "compensation:read"]),
      );
      await m.click(t.submit);
      await check("success");
      expect(m.$("[part~=title]").textContent).toBe(t.successTitle);
      m.remove();

      // A refused token has no readable locale: the page's locale attribute decides.
      const expired = await scenario({ flow: "connect", locale: lang, expired: true });
      m = await mount({ token: expired.token, server: ctx.server, mode: "modal", open: true, locale: lang });
      await check("error");
      // Embedded in a product's page: no link was received.
      expect(m.$("[part~=title]").textContent).toBe(t.embedded.expiredTitle);
      expect(m.$("[part~=close-button]").getAttribute("aria-label")).toBe(t.close);
      if (lang !== "en") for (const text of seen) expect(text).not.toContain("Get started");
    });
  }
});
