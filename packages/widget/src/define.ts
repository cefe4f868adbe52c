import { RelinkConnect } from "./relink-connect/relink-connect.ts";
import type { RelinkEventMap } from "./relink-connect/types.ts";

// Defined in browsers only: a server render (Next.js, Nuxt, Astro) may import this module in Node,
// where Lit's shims make the class importable but there is no document to upgrade.
if (typeof window !== "undefined" && !customElements.get("relink-connect")) {
  customElements.define("relink-connect", RelinkConnect);
}

declare global {
  interface HTMLElementTagNameMap {
    "relink-connect": RelinkConnect;
  }
  interface GlobalEventHandlersEventMap extends RelinkEventMap {}
}

export { RelinkConnect };
