import type { PropertyValues, ReactiveController } from "lit";
import type { FlowController } from "./flow-controller.ts";
import type { RelinkConnect } from "./relink-connect.ts";

function deepActiveElement(): HTMLElement | undefined {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : undefined;
}

/**
 * The modal's focus: moves it into the dialog when it opens and back to what had it when it
 * closes, keeps it inside (Tab wraps at the ends, focus moved out by script is pulled back) and
 * closes on Escape (asking first when credentials were typed).
 */
export class FocusController implements ReactiveController {
  #host: RelinkConnect;
  #flow: FlowController;
  #opener?: HTMLElement;

  constructor(host: RelinkConnect, flow: FlowController) {
    this.#host = host;
    this.#flow = flow;
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener("focusin", this.#keepFocus);
  }

  hostDisconnected(): void {
    document.removeEventListener("focusin", this.#keepFocus);
  }

  /** Called from the host's `updated()`: focus follows `open`. */
  updated(changed: PropertyValues<RelinkConnect>): void {
    if (!changed.has("open") || !this.#flow.modal) return;
    if (this.#host.open) {
      this.#opener ??= deepActiveElement();
      this.#panel()?.focus();
    } else if (changed.get("open") === true) {
      const opener = this.#opener;
      this.#opener = undefined;
      if (opener?.isConnected) opener.focus();
    }
  }

  #panel(): HTMLElement | null {
    return this.#host.renderRoot.querySelector<HTMLElement>("[part~=panel]");
  }

  #keepFocus = (event: FocusEvent): void => {
    if (!this.#flow.modal || !this.#host.open || event.composedPath().includes(this.#host)) return;
    this.#panel()?.focus();
  };

  /** The panel's keydown listener. */
  onKeydown = (event: KeyboardEvent): void => {
    const flow = this.#flow;
    if (!flow.modal) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (flow.confirming) flow.steps?.keepEditing(flow);
      else flow.requestClose();
      return;
    }
    if (event.key !== "Tab") return;
    const root = this.#host.renderRoot as ShadowRoot;
    const items = [
      ...root.querySelectorAll<HTMLElement>(
        "button:not([disabled]),input:not([disabled]),a[href],[tabindex='0']",
      ),
    ].filter((el) => el.getClientRects().length > 0);
    const first = items[0];
    const last = items[items.length - 1];
    const active = root.activeElement;
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    // Between the ends the browser's own order stays inside the shadow root; wrap at the ends.
    if (event.shiftKey ? active === first || active === this.#panel() : active === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  };
}
