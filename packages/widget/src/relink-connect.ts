import { css, html, LitElement } from "lit";

/**
 * `<relink-connect>`: the credential flow for one relink or connect flow token.
 *
 * @fires relink-step - A step was shown: `detail: { step }`.
 * @csspart panel - The flow's panel.
 * @cssproperty --relink-accent - Accent colour of buttons and highlights.
 */
export class RelinkConnect extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-family: var(--relink-font, system-ui, sans-serif);
      color: var(--relink-text, #1a1a1a);
    }
    [part="panel"] {
      border-radius: var(--relink-radius, 12px);
      padding: var(--relink-spacing, 16px);
      background: var(--relink-surface, #fff);
    }
  `;

  static override properties = { token: {}, server: {} };

  /** The flow token (a signed JWT) from the product's backend. */
  declare token: string;
  /** Base URL of the relink server. */
  declare server: string;

  constructor() {
    super();
    this.token = "";
    this.server = "";
  }

  override render() {
    return html`<section part="panel" aria-live="polite">
      ${this.token ? "Loading…" : "This link is missing its token. Ask for a new link."}
    </section>`;
  }
}
