/**
 * The widget benchmark's floor: a minimal Lit element that does one fetch of the connect API's flow
 * and renders the organisation's name and a button. Bundled the same way as the drop-in module.
 */
import { css, html, LitElement } from "lit";

class FloorConnect extends LitElement {
  static override properties = { server: {}, token: {}, org: { state: true } };
  static override styles = css`
    :host { display: block; font: 14px system-ui, sans-serif; }
  `;
  server = "";
  token = "";
  org: string | null = null;

  override connectedCallback() {
    super.connectedCallback();
    void fetch(`${this.server}/connect/v1/flow`, { headers: { authorization: `Bearer ${this.token}` } })
      .then((r) => r.json())
      .then(async (flow: { end_user: { organization_name: string } }) => {
        this.org = flow.end_user.organization_name;
        await this.updateComplete;
        this.dispatchEvent(new CustomEvent("floor-ready", { bubbles: true, composed: true }));
      });
  }

  override render() {
    return this.org === null ? html`<p>…</p>` : html`<h2>${this.org}</h2><button>Get started</button>`;
  }
}
customElements.define("floor-connect", FloorConnect);
