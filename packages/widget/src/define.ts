import { RelinkConnect } from "./relink-connect.ts";

if (!customElements.get("relink-connect")) customElements.define("relink-connect", RelinkConnect);

declare global {
  interface HTMLElementTagNameMap {
    "relink-connect": RelinkConnect;
  }
}

export { RelinkConnect };
