import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { type Api, type ApiHooks, connect, errorText, refusedWith } from "./api.ts";
import type { Page } from "./page.ts";
import { BASE, href, navigate, parseRoute, type Route } from "./router.ts";
import { shared, tokens } from "./styles.ts";
import "./pages/integration-page.ts";
import "./pages/integrations-list.ts";
import "./pages/scope-config-editor.ts";
import "./pages/scope-configs.ts";
import "./pages/settings.ts";
import "./pages/webhooks.ts";

const NAV: Array<{ label: string; to: string; pages: Route["page"][] }> = [
  { label: "Integrations", to: href("integrations"), pages: ["integrations", "integration"] },
  { label: "Scope configs", to: href("scope-configs"), pages: ["scope-configs", "scope-config"] },
  { label: "Webhooks", to: href("webhooks"), pages: ["webhooks"] },
  { label: "Settings", to: href("settings"), pages: ["settings"] },
];

const TITLES: Record<Route["page"], string> = {
  integrations: "Integrations",
  integration: "Integration",
  "scope-configs": "Scope configs",
  "scope-config": "Scope config",
  webhooks: "Webhooks",
  settings: "Settings",
  "not-found": "Page not found",
};

/**
 * `<relink-dashboard>`: sign-in, the shell (skip link, header, navigation, main) and the router.
 * The API key is held only in memory by the `Api` object: reloading the page signs out.
 */
export class RelinkDashboard extends LitElement {
  static override styles = [
    tokens,
    shared,
    css`
      :host {
        /* flow-root: the sign-in card's top margin stays inside, instead of pushing the whole app
           down and showing a band of the page's own background above it. */
        display: flow-root;
        min-height: 100vh;
        background: var(--bg);
      }
      .skip {
        position: absolute;
        left: 0.5rem;
        top: -3rem;
        background: var(--surface);
        padding: 0.5rem 0.75rem;
        border-radius: var(--radius);
        z-index: 10;
      }
      .skip:focus {
        top: 0.5rem;
      }
      header {
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .bar {
        max-width: 80rem;
        margin: 0 auto;
        padding: 0.6rem 1.25rem;
        display: flex;
        align-items: center;
        gap: 1.5rem;
        flex-wrap: wrap;
      }
      .brand {
        font-weight: 800;
        font-size: 1.1rem;
        letter-spacing: -0.01em;
        color: var(--text);
        text-decoration: none;
      }
      .brand span {
        color: var(--accent);
      }
      nav ul {
        display: flex;
        gap: 0.25rem;
        list-style: none;
        margin: 0;
        padding: 0;
        flex-wrap: wrap;
      }
      nav a {
        display: block;
        padding: 0.4rem 0.75rem;
        border-radius: var(--radius);
        color: var(--text);
        text-decoration: none;
        font-size: 0.92rem;
      }
      nav a:hover {
        background: var(--surface-2);
      }
      nav a[aria-current="page"] {
        background: var(--surface-2);
        font-weight: 600;
        box-shadow: inset 0 -2px 0 var(--accent);
      }
      .signout {
        margin-left: auto;
        display: flex;
        align-items: center;
        gap: 0.75rem;
      }
      main {
        max-width: 80rem;
        margin: 0 auto;
        padding: 1.25rem;
      }
      .signin {
        max-width: 28rem;
        margin: 10vh auto 0;
        padding: 0 1rem;
      }
      .signin form {
        display: grid;
        gap: 0.9rem;
      }
      .signin input {
        width: 100%;
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
      }
    `,
  ];

  static override properties = {
    api: { state: true },
    route: { state: true },
    signInError: { state: true },
    signingIn: { state: true },
    announcement: { state: true },
  };

  declare api: Api | null;
  declare route: Route;
  declare signInError: string | null;
  declare signingIn: boolean;
  declare announcement: string;

  #focusAfterRender = false;

  constructor() {
    super();
    this.api = null;
    this.route = parseRoute(new URL(location.href));
    this.signInError = null;
    this.signingIn = false;
    this.announcement = "";
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("popstate", this.#onPopState);
    this.addEventListener("click", this.#onClick);
    this.addEventListener("dashboard-announce", this.#onAnnounce as EventListener);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("popstate", this.#onPopState);
  }

  #onPopState = () => {
    this.route = parseRoute(new URL(location.href));
    this.#focusAfterRender = true;
  };

  /** Same-app links move without a reload; modified clicks and new tabs keep the browser's behaviour. */
  #onClick = (event: MouseEvent) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const anchor = event.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    event.preventDefault();
    if (url.href !== location.href) navigate(url.pathname + url.search);
  };

  #onAnnounce = (event: CustomEvent<string>) => {
    // Re-set so that the same message twice is read twice.
    this.announcement = "";
    requestAnimationFrame(() => {
      this.announcement = event.detail;
    });
  };

  async #signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem("key") as HTMLInputElement;
    const key = input.value.trim();
    if (!key) return;
    this.signingIn = true;
    this.signInError = null;
    const hooks: ApiHooks = {};
    const api = connect(key, hooks);
    try {
      // The cheapest management call: it proves the key without touching the integrations.
      await api.tools.list();
      input.value = "";
      hooks.onUnauthorized = () =>
        this.signOut("Your API key is no longer accepted (revoked?). Sign in again.");
      this.api = api;
      this.#focusAfterRender = true;
    } catch (error) {
      this.signInError = refusedWith(error, 401)
        ? "This API key is unknown or was revoked."
        : errorText(error);
      await this.updateComplete;
      input.focus();
    } finally {
      this.signingIn = false;
    }
  }

  signOut(message: string | null = null): void {
    this.api = null;
    this.signInError = message;
    this.announcement = message ?? "Signed out.";
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>("#key")?.focus());
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    document.title = this.api
      ? `${TITLES[this.route.page]} · relink dashboard`
      : "Sign in · relink dashboard";
    if (this.#focusAfterRender && this.api) {
      this.#focusAfterRender = false;
      const page = this.renderRoot.querySelector<Page>("main > *");
      void page?.focusHeading?.();
      window.scrollTo(0, 0);
    }
  }

  override render() {
    return html`${this.api ? this.#renderShell(this.api) : this.#renderSignIn()}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>`;
  }

  #renderSignIn() {
    return html`<main class="signin">
      <div class="card">
        <h1><span aria-hidden="true">⟲</span> relink dashboard</h1>
        <form @submit=${this.#signIn}>
          <label for="key">API key</label>
          <input
            id="key"
            name="key"
            type="password"
            autocomplete="off"
            spellcheck="false"
            required
            placeholder="rlk_…"
            aria-describedby="key-help ${this.signInError ? "key-error" : ""}"
            aria-invalid=${this.signInError ? "true" : "false"}
          />
          <p id="key-help" class="muted small" style="margin: 0">
            The key is kept in this tab's memory only, never stored or put in a cookie: reloading or closing the page signs
            you out. Create one with <code>pnpm relink-server init</code>.
          </p>
          ${this.signInError ? html`<div id="key-error" class="notice error" role="alert">${this.signInError}</div>` : nothing}
          <button class="primary" type="submit" ?disabled=${this.signingIn}>${this.signingIn ? "Signing in…" : "Sign in"}</button>
        </form>
      </div>
    </main>`;
  }

  #renderShell(api: Api) {
    const route = this.route;
    return html`<header>
        <button type="button" class="skip" @click=${this.#skip}>Skip to content</button>
        <div class="bar">
          <a class="brand" href=${href("integrations")}>relink <span>dashboard</span></a>
          <nav aria-label="Main">
            <ul>
              ${NAV.map(
                (item) => html`<li>
                  <a href=${item.to} aria-current=${item.pages.includes(route.page) ? "page" : "false"}>${item.label}</a>
                </li>`,
              )}
            </ul>
          </nav>
          <div class="signout">
            <span class="muted small">Reloading signs out</span>
            <button type="button" @click=${() => this.signOut()}>Sign out</button>
          </div>
        </div>
      </header>
      <main id="main" tabindex="-1">${this.#renderPage(api, route)}</main>`;
  }

  #skip(event: Event) {
    event.preventDefault();
    this.renderRoot.querySelector<HTMLElement>("main")?.focus();
  }

  #renderPage(api: Api, route: Route) {
    switch (route.page) {
      case "integrations":
        return keyed(
          `list?${route.query}`,
          html`<relink-integrations-list .api=${api} .query=${route.query}></relink-integrations-list>`,
        );
      case "integration":
        // Keyed by id: a new element per integration, so no state leaks between them.
        return keyed(
          route.id,
          html`<relink-integration-page .api=${api} .integrationId=${route.id}></relink-integration-page>`,
        );
      case "scope-configs":
        return html`<relink-scope-configs-page .api=${api}></relink-scope-configs-page>`;
      case "scope-config":
        return keyed(
          route.id ?? "new",
          html`<relink-scope-config-editor .api=${api} .configId=${route.id}></relink-scope-config-editor>`,
        );
      case "webhooks":
        return html`<relink-webhooks-page .api=${api}></relink-webhooks-page>`;
      case "settings":
        return html`<relink-settings-page .api=${api}></relink-settings-page>`;
      default:
        return html`<h1 tabindex="-1">Page not found</h1>
          <p>Nothing at <code>${route.path}</code>. <a href=${href("integrations")}>Go to the integrations</a>.</p>`;
    }
  }
}

customElements.define("relink-dashboard", RelinkDashboard);
