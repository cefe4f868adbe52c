import { LOCALES } from "@relink/sdk/contract";
import { describe, expect, it } from "vitest";
import { HOSTED_PAGE_SCRIPT } from "../src/connect/pages.ts";

/**
 * The hosted page's own texts (`/link.js`): the ten languages of the widget and of the token's
 * `locale`, each with every key of English, functions taking the same arguments, none empty.
 */
const STRINGS = new Function(
  `${/^const STRINGS = \{[\s\S]*?\n\};\n/m.exec(HOSTED_PAGE_SCRIPT)![0]} return STRINGS;`,
)() as Record<string, Record<string, unknown>>;

const samples: unknown[][] = [
  ["Acme Payroll", "Demo HR", "Acme Corp"],
  [null, "Demo HR", "Acme Corp"],
];

describe("the hosted page's languages", () => {
  it("are the ten locales a token can name", () => {
    expect(Object.keys(STRINGS).sort()).toEqual([...LOCALES].sort());
  });

  for (const lang of LOCALES) {
    it(`${lang} has every key of English, of the same kind, none empty`, () => {
      const en = STRINGS.en!;
      const terms = STRINGS[lang]!;
      expect(Object.keys(terms).sort()).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(en)) {
        const term = terms[key];
        expect(typeof term, key).toBe(typeof value);
        const texts =
          typeof term === "function"
            ? samples.map((args) => String((term as (...a: unknown[]) => unknown)(...args)))
            : [String(term)];
        if (typeof term === "function") expect(term.length, key).toBe((value as () => string).length);
        for (const text of texts) {
          expect(text.trim(), key).not.toBe("");
          expect(text, key).not.toMatch(/undefined|NaN|\[object/);
        }
        if (lang !== "en" && key !== "title")
          expect(texts, `${lang}.${key} is translated`).not.toEqual(
            typeof value === "function"
              ? samples.map((args) => String((value as (...a: unknown[]) => unknown)(...args)))
              : [value],
          );
      }
    });
  }
});
