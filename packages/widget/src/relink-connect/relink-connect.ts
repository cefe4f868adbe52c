import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from "lit";
import type { Translation } from "../locales/en.ts";
import { type ConnectApi, ConnectApiError, connectApi } from "./connect-api.ts";
import { LocaleController, pickLocale } from "./localize.ts";
import { openPopup, PopupClosedError, waitForCallback } from "./oauth-popup.ts";
import { styles } from "./relink-connect.styles.ts";
import { RequestController } from "./requests.ts";
import type {
  ConnectFlow,
  ConnectTool,
  FlowStep,
  FlowWarning,
  MissingPermissionDetail,
  RelinkErrorCode,
  RelinkEventMap,
  RelinkSuccessDetail,
  RemoteAccount,
} from "./types.ts";

type View = FlowStep | "loading";

interface Problem {
  code: RelinkErrorCode;
  details?: unknown;
  /** What "Try again" does; absent when only a new link helps. */
  retry?: () => void;
}

const TOKEN_CODES = /^(TOKEN_|UNAUTHORIZED)/;

const eye = html`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"><path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z"/><circle cx="12" cy="12" r="3"/></svg>`;

/**
 * `<relink-connect>`: the end user's flow to reconnect (relink) or connect a tool with a flow
 * token: intro → tool → permissions → credentials or OAuth → checking → success, with a clear
 * state for every error the server can answer.
 *
 * Credential values live only in this element's private state and are sent only to
 * `${server}/connect/v1/credentials`.
 *
 * @fires relink-step - A step was shown: `detail: { step }`.
 * @fires relink-success - The flow completed: `detail: { integration_id, flow, scope_config_id }`.
 * @fires relink-exit - The end user left before completing: `detail: { step, reason }`.
 * @fires relink-error - A request failed: `detail: { code, message }` (never credentials).
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
  /** `en`, `de`, `fr`, `it` or `es`; default: the token's locale, then the browser's languages. */
  declare locale: string;
  /** Whether the modal is shown; `show()` and `hide()` set it. */
  declare open: boolean;
  /** `light`, `dark` or `auto` (default: follows `prefers-color-scheme`). */
  declare theme: "light" | "dark" | "auto" | undefined;

  #i18n = new LocaleController(this);
  #requests = new RequestController(this);
  #api?: ConnectApi;
  #serverUrl = "";
  #running = "";
  #flow?: ConnectFlow;
  #tools?: ConnectTool[];
  #picked?: string;
  #view: View = "loading";
  #problem?: Problem;
  #note = "";
  #announce = "";
  #confirming = false;
  #dismissed = false;
  #completed = false;
  /** What the completed flow reported: the remote account connected and any warnings. */
  #outcome?: { remote_account?: RemoteAccount; warnings?: FlowWarning[] };
  #waiting = false;
  #opener?: HTMLElement;
  /** The credential values: private, never in an attribute, event, URL, storage or log. */
  #values = new Map<string, string>();
  #revealed = new Set<string>();
  #fieldErrors = new Map<string, string>();
  #optedOut = new Set<string>();

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
    this.#dismissed = false;
    this.open = true;
    this.requestUpdate();
  }

  /** Closes the flow; before completion this is an exit (`relink-exit` with reason `HOST_CLOSED`). */
  hide(): void {
    this.#close("HOST_CLOSED");
  }

  get #modal(): boolean {
    return this.mode !== "inline";
  }

  get #visible(): boolean {
    return this.#modal ? this.open : !this.#dismissed;
  }

  get #tool(): ConnectTool | null {
    return this.#flow?.tool ?? this.#tools?.find((t) => t.id === this.#picked) ?? null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("focusin", this.#keepFocus);
    // Disconnecting ended the flow; back in a document, it starts again.
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener("focusin", this.#keepFocus);
    this.#reset();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("locale")) void this.#i18n.use([this.locale, this.#flow?.locale]);
    // The flow starts once connected, asked to start (modal: open; inline: not hidden) and given a
    // token; until then it waits, without an error.
    const key = this.#visible && this.isConnected && this.token ? `${this.server}\n${this.token}` : "";
    if (key !== this.#running) {
      this.#reset();
      this.#running = key;
      if (key) this.#start();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has("open") || !this.#modal) return;
    if (this.open) {
      this.#opener ??= deepActiveElement();
      this.#panel()?.focus();
    } else if (changed.get("open") === true) {
      const opener = this.#opener;
      this.#opener = undefined;
      if (opener?.isConnected) opener.focus();
    }
  }

  #panel(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>("[part~=panel]");
  }

  #reset(): void {
    this.#requests.abort();
    this.#running = "";
    this.#flow = this.#tools = this.#picked = this.#problem = this.#outcome = undefined;
    this.#view = "loading";
    this.#note = this.#announce = "";
    this.#confirming = this.#completed = this.#waiting = false;
    this.#values.clear();
    this.#revealed.clear();
    this.#fieldErrors.clear();
    this.#optedOut.clear();
  }

  #start(): void {
    this.#serverUrl = (this.server || location.origin).replace(/\/+$/, "");
    this.#api = connectApi(this.#serverUrl, this.token);
    void this.#i18n.use([this.locale]);
    void this.#load();
  }

  async #load(tool?: string): Promise<void> {
    const api = this.#api!;
    const needsTools = !tool && !this.#tools;
    this.#go("loading");
    const out = await this.#requests.run(async (signal) => {
      const flow = await api.flow(signal, tool, this.#labelLocale());
      const tools = !flow.tool && needsTools ? (await api.tools(signal)).data : undefined;
      // The flow's locale is known only now: load its terms before the first paint of the intro.
      await this.#i18n.use([this.locale, flow.locale]);
      return { flow, tools };
    });
    if (!out) return;
    if ("error" in out) return this.#fail(out.error, () => void this.#load(tool));
    this.#flow = out.value.flow;
    if (out.value.tools) this.#tools = out.value.tools;
    this.#go(tool ? this.#afterTool() : "intro");
  }

  /** The `locale` attribute, when it names a supported locale: the tool's labels come in it too. */
  #labelLocale(): string | undefined {
    const lang = this.locale.toLowerCase().split(/[-_]/)[0];
    return pickLocale([lang]) === lang ? lang : undefined;
  }

  /** On the relink server's own page (`/link`, opened from a link it sent), the terms speak of that link. */
  get #t(): Translation {
    const t = this.#i18n.terms;
    return location.origin + location.pathname === `${this.#serverUrl}/link` ? t : { ...t, ...t.embedded };
  }

  #afterTool(): View {
    return this.#permissions().length ? "permissions" : "credentials";
  }

  /** Steps that count in "Step n of m". */
  #steps(): View[] {
    const steps: View[] = ["intro"];
    if (this.#tools) steps.push("tool");
    if (!this.#tool || this.#flow?.required_permissions.length) steps.push("permissions");
    steps.push("credentials");
    return steps;
  }

  #go(view: View, focus = view === "credentials"): void {
    const hadFocus = this.matches(":focus-within") || this.#modal;
    this.#view = view;
    this.#confirming = false;
    this.requestUpdate();
    if (view !== "loading") this.#emit("relink-step", { step: view });
    if (!hadFocus) return;
    void this.updateComplete.then(() => {
      const input = focus && this.renderRoot.querySelector<HTMLInputElement>("[part~=input]");
      if (input) {
        input.focus();
        input.select();
      } else this.renderRoot.querySelector<HTMLElement>("[part~=title]")?.focus();
    });
  }

  #emit<K extends keyof RelinkEventMap>(type: K, detail: RelinkEventMap[K]["detail"]): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Shows a message above the form and announces it. */
  #notify(text: string): void {
    this.#note = text;
    this.#say(text);
  }

  #say(text: string): void {
    this.#announce = text;
    this.requestUpdate();
  }

  #fail(error: unknown, retry?: () => void): void {
    const e =
      error instanceof ConnectApiError
        ? error
        : new ConnectApiError(0, "INTERNAL_ERROR", "Unexpected error.");
    this.#emit("relink-error", { code: e.code, message: e.message });
    const t = this.#t;
    if (e.code === "CREDENTIALS_INVALID") {
      // What was typed stays, selected: a typo is fixed in place, a wrong key replaced by typing.
      this.#problem = { code: e.code };
      this.#say(t.invalidTitle);
      this.#go("credentials");
      return;
    }
    this.#problem = { code: e.code, details: e.details, retry };
    this.#say(this.#errorTitle());
    this.#go("error");
  }

  #forgetSecrets(): void {
    for (const field of this.#tool?.auth.fields ?? []) {
      if (field.type === "secret") this.#values.delete(field.id);
    }
  }

  #typed(): boolean {
    return [...this.#values.values()].some((v) => v !== "");
  }

  #requestClose = (): void => {
    if (!this.#completed && this.#typed() && !this.#confirming) {
      this.#confirming = true;
      this.requestUpdate();
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("[data-keep]")?.focus());
      return;
    }
    const reason = this.#view === "error" && this.#problem ? this.#problem.code : "USER_CANCELLED";
    this.#close(reason);
  };

  #close(reason: string): void {
    if (!this.#visible) return;
    if (!this.#completed && this.#running) {
      const step = this.#view === "loading" ? "intro" : this.#view;
      this.#emit("relink-exit", { step, reason });
      if (this.token) void this.#api?.exit({ step, reason });
    }
    this.#dismissed = true;
    this.open = false;
    this.requestUpdate();
  }

  #keepFocus = (event: FocusEvent): void => {
    if (!this.#modal || !this.open || event.composedPath().includes(this)) return;
    this.#panel()?.focus();
  };

  #onKeydown = (event: KeyboardEvent): void => {
    if (!this.#modal) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      if (this.#confirming) this.#keepEditing();
      else this.#requestClose();
      return;
    }
    if (event.key !== "Tab") return;
    const items = [
      ...this.renderRoot.querySelectorAll<HTMLElement>(
        "button:not([disabled]),input:not([disabled]),a[href],[tabindex='0']",
      ),
    ].filter((el) => el.getClientRects().length > 0);
    const first = items[0];
    const last = items[items.length - 1];
    const active = (this.renderRoot as ShadowRoot).activeElement;
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

  #keepEditing(): void {
    this.#confirming = false;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("[part~=title]")?.focus());
  }

  // ---- actions ----

  #pickTool(id: string): void {
    this.#picked = id;
    this.#values.clear();
    void this.#load(id);
  }

  #submit = (event: Event): void => {
    event.preventDefault();
    const t = this.#t;
    this.#fieldErrors.clear();
    for (const field of this.#tool?.auth.fields ?? []) {
      if (field.required && !this.#values.get(field.id)?.trim()) {
        this.#fieldErrors.set(field.id, t.required(field.label));
      }
    }
    this.#problem = undefined;
    if (this.#fieldErrors.size) {
      this.requestUpdate();
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>("[aria-invalid=true]")?.focus(),
      );
      return;
    }
    void this.#check();
  };

  async #check(): Promise<void> {
    const api = this.#api!;
    const values: Record<string, string> = {};
    for (const field of this.#tool?.auth.fields ?? []) {
      const value = this.#values.get(field.id);
      if (value) values[field.id] = field.type === "secret" ? value : value.trim();
    }
    this.#say(this.#t.checkingTitle);
    this.#go("checking");
    const out = await this.#requests.run((signal) => api.credentials({ ...this.#choice(), values }, signal));
    if (!out) return;
    if ("error" in out) return this.#fail(out.error, () => void this.#check());
    this.#succeed(out.value);
  }

  #choice(): { tool?: string; opted_out?: string[] } {
    return {
      ...(this.#picked ? { tool: this.#picked } : {}),
      ...(this.#optedOut.size ? { opted_out: [...this.#optedOut] } : {}),
    };
  }

  #cancelCheck = (): void => {
    this.#requests.abort();
    this.#problem = undefined;
    this.#go("credentials");
  };

  async #oauth(): Promise<void> {
    const t = this.#t;
    const api = this.#api!;
    this.#note = "";
    this.#problem = undefined;
    const popup = openPopup();
    if (!popup) {
      this.#emit("relink-error", { code: "POPUP_BLOCKED", message: "The browser blocked the pop-up." });
      this.#notify(t.popupBlocked);
      return;
    }
    this.#waiting = true;
    this.#say(t.oauthWaiting(this.#tool?.name ?? ""));
    const serverOrigin = new URL(this.#serverUrl).origin;
    const out = await this.#requests.run(async (signal) => {
      const { authorize_url } = await api.oauthStart({ ...this.#choice(), origin: location.origin }, signal);
      const url = new URL(authorize_url);
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw new ConnectApiError(0, "INTERNAL_ERROR", "The authorization URL is not http(s).");
      }
      popup.location.href = url.href;
      return waitForCallback(popup, serverOrigin, signal);
    });
    this.#waiting = false;
    this.requestUpdate();
    if (!out) return popup.close();
    if ("error" in out) {
      popup.close();
      if (out.error instanceof PopupClosedError) {
        this.#notify(t.popupClosed);
        return;
      }
      return this.#fail(out.error, () => void this.#oauth());
    }
    const message = out.value;
    if (message.status === "COMPLETED") return this.#succeed(message);
    if (message.code === "OAUTH_DENIED") {
      this.#emit("relink-error", { code: message.code as RelinkErrorCode, message: message.message });
      this.#notify(t.oauthDenied(this.#tool?.name ?? ""));
      return;
    }
    this.#fail(
      new ConnectApiError(0, message.code as RelinkErrorCode, message.message, message.details),
      () => this.#go("credentials"),
    );
  }

  #cancelOAuth = (): void => {
    this.#requests.abort();
    this.#waiting = false;
    this.#say("");
  };

  #succeed(result: RelinkSuccessDetail & { remote_account?: RemoteAccount; warnings?: FlowWarning[] }): void {
    this.#completed = true;
    this.#values.clear();
    this.#outcome = { remote_account: result.remote_account, warnings: result.warnings };
    this.#emit("relink-success", {
      integration_id: result.integration_id,
      flow: result.flow,
      scope_config_id: result.scope_config_id,
    });
    this.#say(this.#t.successTitle);
    this.#go("success");
  }

  // ---- rendering ----

  override render() {
    // Inline, nothing shows before the token; a modal that was opened shows its loading state.
    if (!this.#visible || (!this.#modal && !this.token)) return nothing;
    const t = this.#t;
    const panel = html`<section
      part="panel"
      lang=${t.lang}
      role=${this.#modal ? "dialog" : "region"}
      aria-modal=${this.#modal ? "true" : nothing}
      aria-labelledby="title"
      tabindex="-1"
      @keydown=${this.#onKeydown}
    >
      ${this.#header()}
      <div part="body">${this.#confirming ? this.#confirmView() : this.#body()}</div>
      <div class="sr-only" role="status">${this.#announce}</div>
    </section>`;
    if (!this.#modal) return panel;
    return html`<div
      part="backdrop"
      @click=${(e: Event) => e.target === e.currentTarget && this.#requestClose()}
    >
      ${panel}
    </div>`;
  }

  #header() {
    const t = this.#t;
    const tool = this.#tool;
    const org = this.#flow?.end_user.organization_name;
    if (!tool && !org && !this.#modal) return nothing;
    return html`<div part="header">
      ${tool?.logo_url ? html`<img part="logo" src=${tool.logo_url} alt="" />` : nothing}
      <div class="brand">
        ${tool ? html`<strong>${tool.name}</strong>` : nothing}
        ${org ? html`<span class="muted">${org}</span>` : nothing}
      </div>
      ${
        this.#modal
          ? html`<button type="button" part="close-button" aria-label=${t.close} @click=${this.#requestClose}>
              <span aria-hidden="true">×</span>
            </button>`
          : nothing
      }
    </div>`;
  }

  #title(text: string): TemplateResult {
    const steps = this.#steps();
    const index = steps.indexOf(this.#view);
    return html`${
      index >= 0 ? html`<p part="progress">${this.#t.stepOf(index + 1, steps.length)}</p>` : nothing
    }<h2 id="title" part="title" tabindex="-1">${text}</h2>`;
  }

  #actions(...buttons: (TemplateResult | false | undefined)[]): TemplateResult {
    return html`<div part="actions">${buttons.filter(Boolean)}</div>`;
  }

  #button(label: string, onClick: () => void, primary = false, type: "button" | "submit" = "button") {
    return html`<button type=${type} class=${primary ? "primary" : ""} @click=${type === "submit" ? nothing : onClick}>
      ${label}
    </button>`;
  }

  #cancelButton(): TemplateResult | false {
    return (
      !this.#modal &&
      html`<button type="button" class="plain" @click=${this.#requestClose}>${this.#t.cancel}</button>`
    );
  }

  #body(): TemplateResult {
    switch (this.#view) {
      case "loading":
        return html`<h2 id="title" part="title" class="sr-only" tabindex="-1">${this.#t.loading}</h2>
          <div part="spinner" aria-hidden="true"></div>`;
      case "intro":
        return this.#introView();
      case "tool":
        return this.#toolView();
      case "permissions":
        return this.#permissionsView();
      case "credentials":
        return this.#credentialsView();
      case "checking":
        return this.#checkingView();
      case "success":
        return this.#successView();
      default:
        return this.#errorView();
    }
  }

  #introView(): TemplateResult {
    const t = this.#t;
    const flow = this.#flow!;
    const tool = this.#tool?.name ?? null;
    const org = flow.end_user.organization_name;
    const added = flow.newly_required_permissions.length;
    const from = flow.current_scope_config;
    const to = flow.target_scope_config;
    const expires = new Intl.DateTimeFormat(t.lang, { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(flow.expires_at),
    );
    const relink = flow.flow === "relink";
    const next = this.#tools && !this.#picked ? "tool" : this.#afterTool();
    return html`${this.#title(relink ? t.introTitleRelink(tool ?? "") : t.introTitleConnect(tool))}
      <p>${relink ? t.introLeadRelink(org, tool ?? "") : t.introLeadConnect(org, tool)}</p>
      ${relink ? html`<p>${added ? t.introNewPermissions(added) : t.introCredentials}</p>` : nothing}
      ${from && to && from.id !== to.id ? html`<p>${t.introScope(from.name, to.name)}</p>` : nothing}
      <p class="muted">${t.introExpires(expires)}</p>
      ${this.#actions(
        this.#cancelButton(),
        this.#button(t.start, () => this.#go(next), true),
      )}`;
  }

  #toolView(): TemplateResult {
    const t = this.#t;
    return html`${this.#title(t.toolTitle)}
      <p>${t.toolLead(this.#flow!.end_user.organization_name)}</p>
      <ul>
        ${this.#tools!.map(
          (tool) => html`<li>
            <button type="button" part="tool-option" @click=${() => this.#pickTool(tool.id)}>
              ${tool.logo_url ? html`<img src=${tool.logo_url} alt="" />` : html`<span class="initial" aria-hidden="true">${tool.name[0]}</span>`}${tool.name}
            </button>
          </li>`,
        )}
      </ul>
      ${this.#actions(
        this.#cancelButton(),
        this.#button(t.back, () => this.#go("intro")),
      )}`;
  }

  /** The permissions still needed, the newly required first; those only opted-out parts need drop out. */
  #permissions() {
    const flow = this.#flow;
    if (!flow) return [];
    const parts = flow.optional_parts;
    return flow.required_permissions
      .filter(
        (p) =>
          !p.optional ||
          !parts.some((part) => part.permission === p.id) ||
          parts.some((part) => part.permission === p.id && !this.#optedOut.has(part.id)),
      )
      .sort((a, b) => Number(b.newly_required) - Number(a.newly_required));
  }

  #permissionsView(): TemplateResult {
    const t = this.#t;
    const flow = this.#flow!;
    const permissions = this.#permissions();
    const back = this.#tools ? "tool" : "intro";
    return html`${this.#title(t.permissionsTitle)}
      <p>${(this.#oauth2() ? t.permissionsLeadOAuth : t.permissionsLead)(this.#tool?.name ?? "", permissions.length)}</p>
      <ul>
        ${permissions.map(
          (p) => html`<li part="permission" class=${p.newly_required ? "new" : ""}>
            <strong>${p.label}</strong>${p.newly_required ? html`<span part="badge">${t.newBadge}</span>` : nothing}
            ${this.#permissionText(p)}
          </li>`,
        )}
      </ul>
      ${
        flow.optional_parts.length
          ? html`<fieldset>
              <legend>${t.optionalTitle}</legend>
              <p class="muted">${t.optionalLead}</p>
              ${flow.optional_parts.map(
                (part) => html`<label class="check">
                  <input
                    type="checkbox"
                    .checked=${!this.#optedOut.has(part.id)}
                    @change=${(e: Event) => {
                      if ((e.target as HTMLInputElement).checked) this.#optedOut.delete(part.id);
                      else this.#optedOut.add(part.id);
                      this.requestUpdate();
                    }}
                  />
                  <span>${part.label}</span>
                </label>`,
              )}
            </fieldset>`
          : nothing
      }
      ${this.#actions(
        this.#cancelButton(),
        this.#button(t.back, () => this.#go(back)),
        this.#button(t.continue, () => this.#go("credentials"), true),
      )}`;
  }

  #oauth2(): boolean {
    return this.#tool?.auth.method === "OAUTH2";
  }

  /** What a permission is for and, for API keys, where to grant it (OAuth asks in the tool's consent). */
  #permissionText(p: { description: string; where_to_grant: string }) {
    return html`<p>${p.description}</p>
      ${this.#oauth2() ? nothing : html`<p class="muted">${this.#t.whereToGrant} ${p.where_to_grant}</p>`}`;
  }

  #credentialsView(): TemplateResult {
    const t = this.#t;
    const tool = this.#tool!;
    const org = this.#flow!.end_user.organization_name;
    const back = this.#permissions().length ? "permissions" : this.#tools ? "tool" : "intro";
    const alert =
      this.#problem?.code === "CREDENTIALS_INVALID"
        ? html`<div part="alert" role="alert"><strong>${t.invalidTitle}</strong><p>${t.invalidLead(tool.name)}</p></div>`
        : this.#note
          ? html`<div part="alert" role="alert"><p>${this.#note}</p></div>`
          : nothing;
    if (tool.auth.method === "OAUTH2") {
      return html`${this.#title(t.oauthTitle(tool.name))} ${alert}
        <p>${t.oauthLead(tool.name)}</p>
        ${this.#waiting ? html`<div part="spinner" aria-hidden="true"></div><p class="center">${t.oauthWaiting(tool.name)}</p>` : nothing}
        ${
          this.#waiting
            ? this.#actions(this.#button(t.cancel, this.#cancelOAuth))
            : this.#actions(
                this.#cancelButton(),
                this.#button(t.back, () => this.#go(back)),
                this.#button(t.oauthButton(tool.name), () => void this.#oauth(), true),
              )
        }`;
    }
    return html`${this.#title(t.credentialsTitle(tool.name))}
      <p>${t.credentialsLead(org, tool.name)}</p>
      ${alert}
      <form novalidate @submit=${this.#submit}>
        ${tool.auth.fields.map((field, i) => {
          const id = `field-${i}`;
          const error = this.#fieldErrors.get(field.id);
          const secret = field.type === "secret";
          const shown = this.#revealed.has(field.id);
          const invalid = !!error || (this.#problem?.code === "CREDENTIALS_INVALID" && i === 0);
          const describedBy = [
            field.help && `${id}-help`,
            error && `${id}-error`,
            !error && invalid && "credentials-error",
          ]
            .filter(Boolean)
            .join(" ");
          return html`<div part="field">
            <label part="label" for=${id}
              >${field.label}${field.required ? nothing : html` <span class="muted">(${t.optionalField})</span>`}</label
            >
            <div class="control">
              <input
                part="input"
                id=${id}
                name=${field.id}
                type=${secret && !shown ? "password" : field.type === "url" ? "url" : "text"}
                .value=${this.#values.get(field.id) ?? ""}
                placeholder=${field.placeholder ?? nothing}
                aria-required=${field.required ? "true" : "false"}
                aria-invalid=${invalid ? "true" : "false"}
                aria-describedby=${describedBy || nothing}
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                @input=${(e: Event) => {
                  this.#values.set(field.id, (e.target as HTMLInputElement).value);
                  if (this.#fieldErrors.delete(field.id)) this.requestUpdate();
                }}
              />
              ${
                secret
                  ? html`<button
                      type="button"
                      part="reveal-button"
                      aria-label=${t.showSecret(field.label)}
                      aria-pressed=${shown ? "true" : "false"}
                      aria-controls=${id}
                      @click=${() => {
                        if (!this.#revealed.delete(field.id)) this.#revealed.add(field.id);
                        this.requestUpdate();
                      }}
                    >
                      ${eye}
                    </button>`
                  : nothing
              }
            </div>
            ${field.help ? html`<div part="help" id="${id}-help">${field.help}</div>` : nothing}
            ${error ? html`<div part="field-error" id="${id}-error">${error}</div>` : nothing}
          </div>`;
        })}
        ${
          this.#problem?.code === "CREDENTIALS_INVALID"
            ? html`<span id="credentials-error" hidden>${t.invalidTitle}</span>`
            : nothing
        }
        ${this.#actions(
          this.#cancelButton(),
          this.#button(t.back, () => this.#go(back)),
          this.#button(t.submit, () => {}, true, "submit"),
        )}
      </form>`;
  }

  #checkingView(): TemplateResult {
    const t = this.#t;
    return html`<div class="center">
      <div part="spinner" aria-hidden="true"></div>
      ${this.#title(t.checkingTitle)}
      <p>${t.checkingLead(this.#tool?.name ?? "")}</p>
      ${this.#actions(this.#button(t.cancel, this.#cancelCheck))}
    </div>`;
  }

  #successView(): TemplateResult {
    const t = this.#t;
    const organization = this.#flow?.end_user.organization_name ?? "";
    const tool = this.#tool?.name ?? "";
    // The account the tool says the credentials belong to, not the organisation the token names:
    // signing in to the wrong company must be visible here.
    const account = this.#outcome?.remote_account;
    const accountName = account ? (account.name ?? account.id) : null;
    const shared = this.#outcome?.warnings?.some((w) => w.code === "ACCOUNT_ALREADY_CONNECTED");
    return html`<div class="center">
      <div part="status-icon" class="ok" aria-hidden="true">✓</div>
      ${this.#title(t.successTitle)}
      <p>
        ${accountName === null ? t.successLead(organization, tool) : t.successAccountLead(accountName, tool)}
      </p>
      ${shared ? html`<div part="alert" role="alert"><p>${t.accountAlreadyConnected(tool, organization)}</p></div>` : nothing}
      ${this.#actions(this.#button(t.done, () => this.#close("DONE"), true))}
    </div>`;
  }

  #errorTitle(): string {
    const t = this.#t;
    const code = this.#problem?.code ?? "";
    const tool = this.#tool?.name ?? "";
    switch (code) {
      case "PERMISSIONS_MISSING":
        return t.missingTitle(this.#missing().length);
      case "ACCOUNT_MISMATCH":
        return t.mismatchTitle;
      case "TOKEN_EXPIRED":
        return t.expiredTitle;
      case "TOKEN_ALREADY_USED":
        return t.usedTitle;
      case "TOOL_UNREACHABLE":
        return t.unreachableTitle(tool);
      case "RATE_LIMITED":
        return t.rateTitle;
      case "NETWORK_ERROR":
        return t.networkTitle;
      default:
        return TOKEN_CODES.test(code) ? t.tokenTitle : t.genericTitle;
    }
  }

  #missing(): MissingPermissionDetail[] {
    const missing = (this.#problem?.details as { missing?: MissingPermissionDetail[] } | undefined)?.missing;
    return Array.isArray(missing) ? missing : [];
  }

  #errorView(): TemplateResult {
    const t = this.#t;
    const problem = this.#problem ?? { code: "INTERNAL_ERROR" };
    const code = problem.code;
    const tool = this.#tool?.name ?? "";
    const org = this.#flow?.end_user.organization_name ?? "";
    const other = this.#button(t.otherCredentials, () => {
      this.#forgetSecrets();
      this.#problem = undefined;
      this.#go("credentials");
    });
    const retry = problem.retry && this.#button(t.tryAgain, problem.retry, true);
    let body: unknown;
    let actions: TemplateResult;
    if (code === "PERMISSIONS_MISSING") {
      body = html`<p>${t.missingLead(tool)}</p>
        <ul>
          ${this.#missing().map((m) => {
            // The flow's own description of the permission is in the flow's language.
            const p = this.#flow?.required_permissions.find((r) => r.id === m.permission) ?? m;
            return html`<li part="permission"><strong>${p.label}</strong>${this.#permissionText(p)}</li>`;
          })}
        </ul>`;
      actions = this.#actions(
        this.#cancelButton(),
        other,
        problem.retry && this.#button(t.checkAgain, problem.retry, true),
      );
    } else if (code === "ACCOUNT_MISMATCH") {
      body = html`<p>${t.mismatchLead(org, tool)}</p>`;
      actions = this.#actions(this.#cancelButton(), other);
    } else if (TOKEN_CODES.test(code)) {
      const lead =
        code === "TOKEN_EXPIRED" ? t.expiredLead : code === "TOKEN_ALREADY_USED" ? t.usedLead : t.tokenLead;
      body = html`<p>${lead}</p>
        <p><strong>${t.newLink}</strong></p>`;
      actions = this.#actions(this.#modal && this.#button(t.close, this.#requestClose));
    } else {
      const lead =
        code === "TOOL_UNREACHABLE"
          ? t.unreachableLead
          : code === "RATE_LIMITED"
            ? t.rateLead
            : code === "NETWORK_ERROR"
              ? t.networkLead
              : t.genericLead;
      body = html`<p>${lead}</p>`;
      actions = this.#actions(this.#cancelButton(), retry);
    }
    return html`<div class="center">
      <div part="status-icon" class="bad" aria-hidden="true">!</div>
      ${this.#title(this.#errorTitle())} ${body} ${actions}
    </div>`;
  }

  #confirmView(): TemplateResult {
    const t = this.#t;
    return html`<h2 id="title" part="title" tabindex="-1">${t.confirmTitle}</h2>
      <p>${t.confirmLead}</p>
      ${this.#actions(
        html`<button type="button" data-keep @click=${() => this.#keepEditing()}>${t.keepEditing}</button>`,
        this.#button(t.discard, () => this.#close("USER_CANCELLED"), true),
      )}`;
  }
}

function deepActiveElement(): HTMLElement | undefined {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : undefined;
}
