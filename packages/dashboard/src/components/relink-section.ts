import type {
  Integration,
  LinkType,
  RelinkLink,
  RelinkLinkCreated,
  ScopeConfig,
  Tool,
} from "@relink/sdk/contract";
import { LOCALES, type Locale } from "@relink/sdk/names";
import { css, html, LitElement, nothing } from "lit";
import { type Api, errorText, routeMissing } from "../api.ts";
import { dateTime, relative } from "../format.ts";
import { errorBox } from "../page.ts";
import { allOf, diffPermissions } from "../scope.ts";
import { shared, tokens } from "../styles.ts";
import "./copy-field.ts";
import "./qr-code.ts";

/** Each language the hosted page speaks, in its own name. */
const LANGUAGE_NAMES: Record<Locale, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  it: "Italiano",
  es: "Español",
  nl: "Nederlands",
  pl: "Polski",
  sv: "Svenska",
  da: "Dansk",
  ja: "日本語",
};

const LANGUAGES: Array<[Locale | "", string]> = [
  ["", "The end user's browser language"],
  ...LOCALES.map((locale): [Locale, string] => [locale, LANGUAGE_NAMES[locale]]),
];

const EXPIRIES: Record<LinkType, Array<[string, string]>> = {
  MAGIC_LINK: [
    ["1h", "1 hour"],
    ["1d", "1 day"],
    ["3d", "3 days"],
    ["7d", "7 days"],
    ["14d", "14 days"],
    ["30d", "30 days"],
  ],
  EMBEDDED: [
    ["15m", "15 minutes"],
    ["30m", "30 minutes"],
    ["1h", "1 hour"],
  ],
};
const DEFAULT_EXPIRY: Record<LinkType, string> = { MAGIC_LINK: "7d", EMBEDDED: "1h" };

/**
 * "Relink integration": choose the target scope config (with the permissions it adds or removes),
 * the link type, language and expiry; create the link; copy it or scan its QR code; and see the
 * integration's outstanding links.
 */
export class RelinkSection extends LitElement {
  static override styles = [
    tokens,
    shared,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.9rem;
      }
      .diff {
        display: grid;
        gap: 0.4rem;
        font-size: 0.9rem;
      }
      .diff ul {
        margin: 0.2rem 0 0;
        padding-left: 1.2rem;
      }
      .added {
        color: var(--ok);
      }
      .removed {
        color: var(--bad);
      }
      .result {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 1rem;
        align-items: start;
      }
      @media (max-width: 700px) {
        .result {
          grid-template-columns: 1fr;
        }
      }
      .types {
        display: flex;
        gap: 1.5rem;
        flex-wrap: wrap;
      }
    `,
  ];

  static override properties = {
    api: { attribute: false },
    integration: { attribute: false },
    tool: { attribute: false },
    configs: { state: true },
    configsError: { state: true },
    target: { state: true },
    linkType: { state: true },
    language: { state: true },
    expiry: { state: true },
    busy: { state: true },
    error: { state: true },
    created: { state: true },
    links: { state: true },
    linksError: { state: true },
    revokeError: { state: true },
    used: { state: true },
  };

  declare api: Api;
  declare integration: Integration;
  declare tool: Tool | null;
  declare configs: ScopeConfig[] | null;
  declare configsError: unknown;
  declare target: string;
  declare linkType: LinkType;
  declare language: Locale | "";
  declare expiry: string;
  declare busy: boolean;
  declare error: unknown;
  declare created: RelinkLinkCreated | null;
  declare links: RelinkLink[] | null;
  declare linksError: unknown;
  /** A revocation that failed (`DELETE …/relink-links/:link_id`). */
  declare revokeError: unknown;
  /** The link created here can no longer be used: it is no longer shown (nor its QR code). */
  declare used: { completed_at: string | null } | null;

  constructor() {
    super();
    this.tool = null;
    this.configs = null;
    this.configsError = null;
    this.target = "";
    this.linkType = "MAGIC_LINK";
    this.language = "";
    this.expiry = DEFAULT_EXPIRY.MAGIC_LINK;
    this.busy = false;
    this.error = null;
    this.created = null;
    this.links = null;
    this.linksError = null;
    this.revokeError = null;
    this.used = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.api.scopeConfigs
      .list({ limit: 200 })
      .then((page) => {
        this.configs = page.data;
      })
      .catch((error) => {
        this.configsError = error;
      });
    void this.loadLinks();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    // A relink (or any change) of the integration may have used up a link: list them again.
    const before = changed.get("integration") as Integration | undefined;
    if (before && before.updated_at !== this.integration.updated_at) void this.loadLinks();
  }

  async loadLinks(): Promise<void> {
    try {
      const page = await this.api.integrations.relinkLinks(this.integration.id, {
        limit: 50,
        status: "OUTSTANDING",
      });
      this.links = page.data;
      this.linksError = null;
      await this.#retireUsedLink(page.data);
    } catch (error) {
      this.linksError = error;
    }
  }

  /**
   * Once the link created here is no longer outstanding (its relink completed, or it expired), it
   * leaves the screen with its QR code: a used link on display invites scanning it for nothing.
   */
  async #retireUsedLink(outstanding: RelinkLink[]): Promise<void> {
    const created = this.created;
    if (!created || outstanding.some((l) => l.id === created.id)) return;
    let completedAt: string | null = null;
    try {
      const done = await this.api.integrations.relinkLinks(this.integration.id, {
        limit: 50,
        status: "COMPLETED",
      });
      completedAt = done.data.find((l) => l.id === created.id)?.completed_at ?? null;
    } catch {
      // Said less precisely below.
    }
    if (this.created !== created) return;
    this.created = null;
    this.used = { completed_at: completedAt };
  }

  async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.busy = true;
    this.error = null;
    try {
      const answer = await this.api.integrations.relink(this.integration.id, {
        ...(this.target ? { scope_config_id: this.target } : {}),
        link_type: this.linkType,
        ...(this.language ? { language: this.language } : {}),
        expires_in: this.expiry,
      });
      this.created = answer;
      this.used = null;
      this.dispatchEvent(
        new CustomEvent("dashboard-announce", {
          detail: `Relink link created; it expires ${relative(answer.expires_at)}.`,
          bubbles: true,
          composed: true,
        }),
      );
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("#created-title")?.focus();
      void this.loadLinks();
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  #diff() {
    if (!this.tool || !this.configs) return nothing;
    const current = this.configs.find((c) => c.id === this.integration.scope_config_id) ?? null;
    const target = this.target ? this.configs.find((c) => c.id === this.target) : current;
    if (!target) return nothing;
    const label = new Map(this.tool.permissions.map((p) => [p.id, p.label]));
    const name = (id: string) => html`${label.get(id) ?? id} <code>${id}</code>`;
    const before = allOf(current?.permissions[this.tool.id]);
    const after = allOf(target.permissions[this.tool.id]);
    const diff = diffPermissions(before, after);
    const missing = this.integration.missing_permissions.map((m) => m.permission);
    return html`<div class="diff notice" aria-live="polite" data-testid="permission-diff">
      ${
        target === current
          ? html`<div>Same scope config as now (${current?.name ?? "none"}): the end user re-enters credentials for the same permissions.</div>`
          : html`<div>Compared with the current scope config (${current?.name ?? "none"}):</div>`
      }
      ${
        diff.added.length
          ? html`<div class="added">
              <strong>Adds ${diff.added.length}:</strong>
              <ul>
                ${diff.added.map((p) => html`<li>${name(p)}</li>`)}
              </ul>
            </div>`
          : target === current
            ? nothing
            : html`<div>Adds no permission.</div>`
      }
      ${
        diff.removed.length
          ? html`<div class="removed">
              <strong>Removes ${diff.removed.length}:</strong>
              <ul>
                ${diff.removed.map((p) => html`<li>${name(p)}</li>`)}
              </ul>
            </div>`
          : nothing
      }
      <div class="muted">${diff.kept.length} unchanged.</div>
      ${
        missing.length
          ? html`<div class="text-warn">
              The current credentials lack ${missing.map((p, i) => html`${i ? ", " : ""}${name(p)}`)}.
            </div>`
          : nothing
      }
    </div>`;
  }

  override render() {
    const configs = (this.configs ?? []).filter((c) => c.category === this.integration.category);
    const current = configs.find((c) => c.id === this.integration.scope_config_id);
    return html`
      <form @submit=${this.create} aria-describedby="relink-help">
        <p id="relink-help" class="muted small" style="margin: 0">
          A relink replaces this integration's credentials in place (same id, same data). Until it completes, the
          old credentials and scope keep being used.
        </p>
        ${this.configsError ? errorBox(this.configsError, "Scope configs") : nothing}
        <div class="field"><label for="f-scope-config-for-the-new-credentials">Scope config for the new credentials</label>
          <select id="f-scope-config-for-the-new-credentials"
            name="scope_config_id"
            @change=${(e: Event) => {
              this.target = (e.target as HTMLSelectElement).value;
            }}
          >
            <option value="" ?selected=${this.target === ""}>Keep the current one${current ? ` (${current.name})` : ""}</option>
            ${configs
              .filter((c) => c.id !== this.integration.scope_config_id)
              .map(
                (c) =>
                  html`<option value=${c.id} ?selected=${this.target === c.id}>${c.name}${c.is_default ? " (workspace default)" : ""}</option>`,
              )}
          </select>
        </div>
        ${this.#diff()}
        <fieldset>
          <legend>Link type</legend>
          <div class="types">
            <label class="inline"
              ><input
                type="radio"
                name="link_type"
                value="MAGIC_LINK"
                .checked=${this.linkType === "MAGIC_LINK"}
                @change=${() => this.#setType("MAGIC_LINK")}
              />Magic link: a page to send by email or chat</label
            >
            <label class="inline"
              ><input
                type="radio"
                name="link_type"
                value="EMBEDDED"
                .checked=${this.linkType === "EMBEDDED"}
                @change=${() => this.#setType("EMBEDDED")}
              />Embedded: a token for &lt;relink-connect&gt; in your app</label
            >
          </div>
        </fieldset>
        <div class="row">
          <div class="field"><label for="f-language">Language</label>
            <select id="f-language" name="language" @change=${(e: Event) => (this.language = (e.target as HTMLSelectElement).value as Locale | "")}>
              ${LANGUAGES.map(([value, label]) => html`<option value=${value} ?selected=${this.language === value}>${label}</option>`)}
            </select>
          </div>
          <div class="field"><label for="f-expires-after">Expires after</label>
            <select id="f-expires-after" name="expires_in" @change=${(e: Event) => (this.expiry = (e.target as HTMLSelectElement).value)}>
              ${EXPIRIES[this.linkType].map(([value, label]) => html`<option value=${value} ?selected=${this.expiry === value}>${label}</option>`)}
            </select>
          </div>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? "Creating…" : "Create relink link"}</button>
        </div>
        ${this.error ? errorBox(this.error, "Could not create the link") : nothing}
      </form>
      ${this.created ? this.#renderCreated(this.created) : nothing}
      ${
        this.used
          ? html`<div class="notice" role="status" data-testid="relink-used">
              ${
                this.used.completed_at
                  ? html`The link created above was used: the relink completed ${dateTime(this.used.completed_at)}
                      (${relative(this.used.completed_at)}).`
                  : html`The link created above can no longer be used (it expired or was used).`
              }
              It is no longer shown; create a new one if needed.
            </div>`
          : nothing
      }
      <h3 style="margin-top: 1.25rem">Outstanding links</h3>
      ${this.#renderLinks()}
    `;
  }

  #setType(type: LinkType): void {
    this.linkType = type;
    this.expiry = DEFAULT_EXPIRY[type];
  }

  #renderCreated(created: RelinkLinkCreated) {
    return html`<div class="notice success" data-testid="relink-created">
      <h3 id="created-title" tabindex="-1">Link created</h3>
      <p class="small">
        Expires ${dateTime(created.expires_at)} (${relative(created.expires_at)}). It is shown only now: copy it before
        leaving this page. Anyone with it can enter credentials for this integration, once.
      </p>
      <div class="result">
        <div style="display: grid; gap: 0.6rem">
          <relink-copy-field label="Link" .value=${created.link}></relink-copy-field>
          ${
            created.link_type === "EMBEDDED"
              ? html`<relink-copy-field label="Token for &lt;relink-connect token=…&gt;" .value=${created.token}></relink-copy-field>`
              : nothing
          }
          <p class="small" style="margin: 0">
            <a href=${created.link} target="_blank" rel="noopener noreferrer">Preview the link in a new tab</a>
            <span class="muted">(opening it does not use it up; completing it does)</span>
          </p>
        </div>
        <relink-qr-code .value=${created.link} label="QR code of the relink link"></relink-qr-code>
      </div>
    </div>`;
  }

  /** Revokes an outstanding link: its token stops working at once, and the hosted page says it was revoked. */
  async revokeLink(link: RelinkLink): Promise<void> {
    const what = `the ${link.link_type === "EMBEDDED" ? "embedded link" : "magic link"} created ${dateTime(link.created_at)}`;
    if (!confirm(`Revoke ${what}? It stops working at once; whoever opens it is told it was revoked.`))
      return;
    this.revokeError = null;
    try {
      await this.api.integrations.relinkLinks.revoke(this.integration.id, link.id);
      if (this.created?.id === link.id) this.created = null;
      await this.loadLinks();
      this.dispatchEvent(
        new CustomEvent("dashboard-announce", {
          detail: "Relink link revoked.",
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.revokeError = error;
    }
  }

  #renderLinks() {
    if (this.linksError) {
      if (routeMissing(this.linksError)) {
        return html`<p class="muted">Listing the outstanding links is not available on this server.</p>`;
      }
      return html`<p class="notice error" role="alert">${errorText(this.linksError)}</p>`;
    }
    if (!this.links) return html`<p class="muted">Loading links…</p>`;
    const now = Date.now();
    const open = this.links.filter((l) => l.status === "OUTSTANDING" && Date.parse(l.expires_at) > now);
    if (open.length === 0) return html`<p class="muted">No outstanding links.</p>`;
    const names = new Map((this.configs ?? []).map((c) => [c.id, c.name]));
    return html`<div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Type</th>
            <th scope="col">Scope config</th>
            <th scope="col">Language</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${open.map(
            (l) => html`<tr>
              <td>${dateTime(l.created_at)}</td>
              <td>${l.link_type === "EMBEDDED" ? "Embedded" : "Magic link"}</td>
              <td>${l.scope_config_id ? (names.get(l.scope_config_id) ?? l.scope_config_id) : "current"}</td>
              <td>${l.language ?? "auto"}</td>
              <td>${relative(l.expires_at, now)}</td>
              <td>${l.exited_at ? "opened, left by the end user" : "waiting"}</td>
              <td>
                <button type="button" class="danger" aria-label="Revoke the link created ${dateTime(l.created_at)}" @click=${() => this.revokeLink(l)}>Revoke</button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${this.revokeError ? errorBox(this.revokeError, "Could not revoke the link") : nothing}`;
  }
}

customElements.define("relink-relink-section", RelinkSection);
