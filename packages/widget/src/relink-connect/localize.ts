import type { ReactiveControllerHost } from "lit";
import type { Translation } from "../locales/en.ts";
import enFirst from "../locales/en-first.ts";
import type { RestTerms } from "../locales/en-rest.ts";
import type { Locale } from "./types.ts";

/**
 * English as the drop-in module has it: the terms of the first paint. The later views' chunk
 * completes it (`completeEnglish`) before any of them renders, so the views always find a whole
 * `Translation`.
 */
const en = enFirst as Translation;

/** Called by the later views' chunk with the rest of English. */
export function completeEnglish(rest: RestTerms): void {
  Object.assign(en.embedded, rest.embedded);
  Object.assign(en, { ...rest, embedded: en.embedded });
}

/** Other locales are separate chunks, loaded when first used. */
const loaders: Record<Exclude<Locale, "en">, () => Promise<{ default: Translation }>> = {
  de: () => import("../locales/de.ts"),
  fr: () => import("../locales/fr.ts"),
  it: () => import("../locales/it.ts"),
  es: () => import("../locales/es.ts"),
  nl: () => import("../locales/nl.ts"),
  pl: () => import("../locales/pl.ts"),
  sv: () => import("../locales/sv.ts"),
  da: () => import("../locales/da.ts"),
  ja: () => import("../locales/ja.ts"),
};
const loaded = new Map<string, Promise<Translation>>([["en", Promise.resolve(en)]]);

/** The supported locale a language tag names (`de-CH` counts as `de`), if any. */
export function supportedLocale(candidate: string | null | undefined): Locale | undefined {
  const lang = candidate?.toLowerCase().split(/[-_]/)[0];
  return lang && (lang === "en" || lang in loaders) ? (lang as Locale) : undefined;
}

/** The first supported locale among the candidates, else English. */
export function pickLocale(candidates: readonly (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    const locale = supportedLocale(candidate);
    if (locale) return locale;
  }
  return "en";
}

/** Loads the terms of a locale (cached; falls back to English when a chunk cannot load). */
export function loadTranslation(locale: Locale): Promise<Translation> {
  let terms = loaded.get(locale);
  if (!terms) {
    terms = loaders[locale as Exclude<Locale, "en">]()
      .then((m) => m.default)
      .catch(() => {
        loaded.delete(locale);
        return en;
      });
    loaded.set(locale, terms);
  }
  return terms;
}

/** Holds the element's terms; `use()` switches them and re-renders the host. */
export class LocaleController {
  terms: Translation = en;
  #wanted: Locale = "en";
  #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  /** Chooses among the candidates, then the browser's languages; resolves once the terms are in. */
  async use(candidates: readonly (string | null | undefined)[]): Promise<void> {
    const locale = pickLocale([...candidates, ...navigator.languages]);
    this.#wanted = locale;
    const terms = await loadTranslation(locale);
    if (this.#wanted === locale && this.terms !== terms) {
      this.terms = terms;
      this.#host.requestUpdate();
    }
  }
}
