import { html, LitElement, type PropertyValues } from "lit";
import { type Api, errorText, routeMissing } from "./api.ts";
import { shared, tokens } from "./styles.ts";

/** Base of every page: holds the API client, and moves focus to its heading when shown. */
export class Page extends LitElement {
  static override styles = [tokens, shared];
  static override properties = { api: { attribute: false } };

  declare api: Api;

  #focusedHeading: HTMLElement | null = null;

  /**
   * Called by the shell after navigation: screen-reader and keyboard users land on the new heading.
   * Pages that render a loading heading first keep the focus on the heading that replaces it.
   */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.#focusFirstHeading();
  }

  #focusFirstHeading(): void {
    const heading = this.renderRoot.querySelector<HTMLElement>("h1");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
    this.#focusedHeading = heading;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // The focused heading was replaced (loading → loaded) and focus went nowhere else: follow it.
    const previous = this.#focusedHeading;
    if (previous && !previous.isConnected && !this.shadowRoot?.activeElement) this.#focusFirstHeading();
  }

  /** Tells the shell to announce a result in its live region. */
  protected announce(message: string): void {
    this.dispatchEvent(
      new CustomEvent("dashboard-announce", { detail: message, bubbles: true, composed: true }),
    );
  }
}

/** A clear error box with the API's message. */
export function errorBox(error: unknown, what = "") {
  const missing = routeMissing(error);
  return html`<div class="notice error" role="alert">
    ${missing ? html`<strong>${what || "This part"} is not available on this server.</strong> It needs a newer relink server.` : html`<strong>${what ? `${what}: ` : ""}</strong>${errorText(error)}`}
  </div>`;
}

export const loading = (what: string) =>
  html`<p class="muted" role="status" aria-live="polite"><span aria-hidden="true">⏳</span> Loading ${what}…</p>`;
