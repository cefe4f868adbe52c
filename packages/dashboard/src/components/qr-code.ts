import { css, html, LitElement, nothing } from "lit";
import { encode } from "uqr";

/**
 * A QR code of `value` as an inline SVG (dark modules on white, with the quiet zone, in both colour
 * schemes so that phone cameras read it). One path, built from the module matrix: no markup strings.
 */
export class QrCode extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
    }
    svg {
      display: block;
      width: var(--qr-size, 200px);
      height: var(--qr-size, 200px);
      background: #fff;
      border-radius: 6px;
    }
  `;

  static override properties = { value: {}, label: {} };

  declare value: string;
  declare label: string;

  constructor() {
    super();
    this.value = "";
    this.label = "QR code";
  }

  override render() {
    if (!this.value) return nothing;
    let matrix: boolean[][];
    try {
      matrix = encode(this.value, { ecc: "L", border: 2 }).data;
    } catch {
      return html`<p>This link is too long for a QR code.</p>`;
    }
    const size = matrix.length;
    let d = "";
    matrix.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      });
    });
    return html`<svg viewBox="0 0 ${size} ${size}" role="img" aria-label=${this.label} shape-rendering="crispEdges">
      <path d=${d} fill="#000"></path>
    </svg>`;
  }
}

customElements.define("relink-qr-code", QrCode);
