import type { Translation } from "./en.ts";

/** The keys of the first paint (the frame, the loading state); the rest of English comes with the views. */
export type FirstKey = "lang" | "close" | "loading" | "networkLead";

export type FirstTerms = Pick<Translation, FirstKey> & { embedded: Partial<Translation["embedded"]> };

/** English for the drop-in module: what the frame and the loading state say. */
const enFirst: FirstTerms = {
  lang: "en",
  close: "Close",
  loading: "Loading…",
  networkLead: "The relink server could not be reached. Check your connection and try again.",
  embedded: {},
};

export default enFirst;
