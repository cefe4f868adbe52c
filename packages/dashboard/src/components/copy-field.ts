import { css, html, LitElement } from "lit";
import { shared, tokens } from "../styles.ts";

/** A read-only value with a Copy button that says when it copied. */
export class CopyField extends LitElement {
  static override styles = [
    tokens,
    shared,
    css`
      :host {
        display: block;
      }
      label {
        margin-bottom: 0.25rem;
      }
      .copied {
        font-size: 0.8rem;
        color: var(--ok);
        min-width: 4rem;
      }
    `,
  ];
  static override properties = { value: {}, label: {}, copied: { state: true } };

  declare value: string;
  declare label: string;
  declare copied: boolean;

  constructor() {
    super();
    this.value = "";
    this.label = "Value";
    this.copied = false;
  }

  async copy(): Promise<void> {
    const input = this.renderRoot.querySelector("input");
    try {
      await navigator.clipboard.writeText(this.value);
    } catch {
      // No clipboard permission (e.g. plain http): select the text so that Ctrl+C copies it.
      input?.select();
      document.execCommand?.("copy");
    }
    this.copied = true;
    setTimeout(() => {
      this.copied = false;
    }, 2500);
  }

  override render() {
    return html`<label for="value">${this.label}</label>
      <span class="copy-field">
        <input id="value" readonly .value=${this.value} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
        <button type="button" @click=${this.copy} aria-label="Copy ${this.label}">Copy</button>
        <span class="copied" role="status">${this.copied ? "Copied" : ""}</span>
      </span>`;
  }
}

customElements.define("relink-copy-field", CopyField);
