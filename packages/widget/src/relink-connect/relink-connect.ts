import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import { FlowController } from "./flow-controller.ts";
import { FocusController } from "./focus-controller.ts";
import { styles } from "./relink-connect.styles.ts";
import { introView } from "./views/intro.ts";

/**
 * `<relink-connect>`: the end user's flow to reconnect (relink) or connect a tool with a flow
 * token: intro → tool → permissions → credentials or OAuth → checking → success, with a clear
 * state for every error the server can answer.
 *
 * This file is the element: its properties, lifecycle and frame (panel, header, live region). The
 * flow's state machine is `FlowController`, the modal's focus `FocusController`, the terms
 * `LocaleController`; the views are functions in `views/`. The intro is in the drop-in module;
 * every later view comes in one chunk fetched once the intro has rendered (`steps-loader.ts`).
 *
 * Credential values live only in this element's private state and are sent only to
 * `${server}/connect/v1/credentials`.
 *
 * @fires relink-step - A step was shown: `detail: { step }`.
 * @fires relink-success - The flow completed: `detail: { integration_id, flow, scope_config_id }`.
 * @fires relink-exit - The end user left before completing: `detail: { step, reason }`.
 * @fires relink-error - A request failed: `detail: { code, message }` (never credentials).
 * @fires relink-superseded - Someone else already reconnected this integration (`FLOW_SUPERSEDED`): `detail: { superseded_at }`. Not an error.
 * @fires relink-handed-off - The end user created a link for their admin: `detail: { url, expires_at }`.
 *
 * @csspart backdrop - The modal overlay (modal mode).
 * @csspart panel - The dialog or inline card.
 * @csspart header - Tool logo, names and close button.
 * @csspart logo - The tool's logo.
 * @csspart close-button - The × button (modal mode).
 * @csspart body - The current step.
 * @csspart progress - "Step n of m".
 * @csspart title - The step's heading.
 * @csspart tool-option - A tool to choose (connect flows without a preselected tool).
 * @csspart permission - One permission to grant.
 * @csspart badge - The "New" mark of a newly required permission.
 * @csspart field - One credential field: label, input, help and error.
 * @csspart label - A field's label.
 * @csspart input - A field's input.
 * @csspart reveal-button - Shows or masks a secret field.
 * @csspart help - A field's help text.
 * @csspart field-error - A field's error message.
 * @csspart alert - An error shown above the form.
 * @csspart spinner - Progress while checking.
 * @csspart status-icon - The success or error mark.
 * @csspart actions - The step's buttons.
 *
 * @cssproperty --relink-accent - Accent colour of primary buttons, badges and focus rings.
 * @cssproperty --relink-accent-text - Text colour on the accent colour (default: black or white, whichever is readable on the accent).
 * @cssproperty --relink-surface - Background of the panel.
 * @cssproperty --relink-surface-alt - Background of cards (permissions, tools).
 * @cssproperty --relink-text - Text colour.
 * @cssproperty --relink-text-muted - Secondary text colour.
 * @cssproperty --relink-border - Border colour.
 * @cssproperty --relink-danger - Colour of errors.
 * @cssproperty --relink-success - Colour of the success mark.
 * @cssproperty --relink-backdrop - The modal overlay's colour.
 * @cssproperty --relink-focus-ring - Colour of the focus outline (default: the accent).
 * @cssproperty --relink-radius - Corner radius of the panel (controls scale from it).
 * @cssproperty --relink-spacing - Base spacing unit (default 1rem).
 * @cssproperty --relink-font - Font family.
 * @cssproperty --relink-font-size - Base font size.
 * @cssproperty --relink-width - Largest width of the panel (default 30rem).
 * @cssproperty --relink-z-index - Stacking order of the modal overlay.
 *
 * @slot - Nothing is slotted: everything shown comes from the flow.
 */
export class RelinkConnect extends LitElement {
  static override styles = styles;

  static override properties = {
    token: {},
    server: {},
    mode: {},
    locale: {},
    open: { type: Boolean, reflect: true },
    theme: { reflect: true },
  };

  /** The flow token (a signed JWT) from the product's backend. Never reflected to an attribute. */
  declare token: string;
  /** Base URL of the relink server; default: this page's origin. Credentials are sent only there. */
  declare server: string;
  /** `modal` (default): a dialog over the page while `open`; `inline`: rendered in place. */
  declare mode: "modal" | "inline";
  /** `en`, `de`, `fr`, `it`, `es`, `nl`, `pl`, `sv`, `da` or `ja`; default: the token's locale, then the browser's languages. */
  declare locale: string;
  /** Whether the modal is shown; `show()` and `hide()` set it. */
  declare open: boolean;
  /** `light`, `dark` or `auto` (default: follows `prefers-color-scheme`). */
  declare theme: "light" | "dark" | "auto" | undefined;

  #flow = new FlowController(this);
  #focus = new FocusController(this, this.#flow);

  constructor() {
    super();
    this.token = "";
    this.server = "";
    this.mode = "modal";
    this.locale = "";
    this.open = false;
  }

  /** Opens the flow (modal mode) or restarts it after `hide()` (inline mode). */
  show(): void {
    this.#flow.dismissed = false;
    this.open = true;
    this.requestUpdate();
  }

  /** Closes the flow; before completion this is an exit (`relink-exit` with reason `HOST_CLOSED`). */
  hide(): void {
    this.#flow.close("HOST_CLOSED");
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Disconnecting ended the flow; back in a document, it starts again.
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#flow.reset();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("locale")) void this.#flow.i18n.use([this.locale, this.#flow.flow?.locale]);
    this.#flow.sync();
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#focus.updated(changed);
  }

  override render() {
    const c = this.#flow;
    const modal = c.modal;
    // Inline, nothing shows before the token; a modal that was opened shows its loading state.
    if (!c.visible || (!modal && !this.token)) return nothing;
    const panel = html`<section
      part="panel"
      lang=${c.t.lang}
      role=${modal ? "dialog" : "region"}
      aria-modal=${modal ? "true" : nothing}
      aria-labelledby="title"
      tabindex="-1"
      @keydown=${this.#focus.onKeydown}
    >
      ${this.#header()}
      <div part="body">${c.confirming && c.steps ? c.steps.confirm(c) : this.#body()}</div>
      <div class="sr-only" role="status">${c.announce}</div>
    </section>`;
    if (!modal) return panel;
    return html`<div part="backdrop" @click=${(e: Event) => e.target === e.currentTarget && c.requestClose()}>
      ${panel}
    </div>`;
  }

  #header() {
    const c = this.#flow;
    const tool = c.tool;
    const org = c.flow?.end_user.organization_name;
    if (!tool && !org && !c.modal) return nothing;
    return html`<div part="header">
      ${tool?.logo_url ? html`<img part="logo" src=${tool.logo_url} alt="" />` : nothing}
      <div class="brand">
        ${tool ? html`<strong>${tool.name}</strong>` : nothing}
        ${org ? html`<span class="muted">${org}</span>` : nothing}
      </div>
      ${
        c.modal
          ? html`<button type="button" part="close-button" aria-label=${c.t.close} @click=${c.requestClose}>
              <span aria-hidden="true">×</span>
            </button>`
          : nothing
      }
    </div>`;
  }

  #body(): TemplateResult {
    const c = this.#flow;
    if (c.view === "intro") return introView(c);
    const view = c.view === "loading" ? undefined : c.steps?.render[c.view];
    if (view) return view(c);
    // While the flow loads (or when the views could not load: then the note says so).
    return html`<h2 id="title" part="title" class="sr-only" tabindex="-1">${c.t.loading}</h2>
      ${c.note ? html`<p role="alert">${c.note}</p>` : html`<div part="spinner" aria-hidden="true"></div>`}`;
  }
}
