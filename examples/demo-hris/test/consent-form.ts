/** Just enough HTML scraping to submit the consent form the way a browser would. */

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

function decode(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]!);
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([a-z_-]+)(?:="([^"]*)")?/g))
    found.set(match[1]!, decode(match[2] ?? ""));
  return found;
}

export interface ConsentForm {
  hidden: Record<string, string>;
  /** Values of the scope checkboxes, checked by default. */
  scopes: string[];
  companies: string[];
  selectedCompany: string | undefined;
}

export function readConsentForm(html: string): ConsentForm {
  const hidden: Record<string, string> = {};
  const scopes: string[] = [];
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const attrs = attributes(tag.slice("<input".length, -1));
    if (attrs.get("type") === "hidden") hidden[attrs.get("name")!] = attrs.get("value")!;
    if (attrs.get("type") === "checkbox" && attrs.get("name") === "scope" && attrs.has("checked")) {
      scopes.push(attrs.get("value")!);
    }
  }
  const companies: string[] = [];
  let selectedCompany: string | undefined;
  for (const [tag] of html.matchAll(/<option\b[^>]*>/g)) {
    const attrs = attributes(tag.slice("<option".length, -1));
    // The "Choose your company…" placeholder is not a company.
    if (attrs.get("value") === "") continue;
    companies.push(attrs.get("value")!);
    if (attrs.has("selected")) selectedCompany = attrs.get("value");
  }
  return { hidden, scopes, companies, selectedCompany };
}
