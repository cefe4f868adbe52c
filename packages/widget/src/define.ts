import { RelinkConnect } from "./relink-connect/relink-connect.ts";
import type { RelinkEventMap } from "./relink-connect/types.ts";

if (!customElements.get("relink-connect")) customElements.define("relink-connect", RelinkConnect);

declare global {
  interface HTMLElementTagNameMap {
    "relink-connect": RelinkConnect;
  }
  interface GlobalEventHandlersEventMap extends RelinkEventMap {}
}

export { RelinkConnect };
