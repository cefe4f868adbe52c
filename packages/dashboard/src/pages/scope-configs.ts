import type { ScopeConfig, Tool } from "@relink/sdk/contract";
import { css, html, nothing } from "lit";
import { errorText } from "../api.ts";
import { errorBox, loading, Page } from "../page.ts";
import { href } from "../router.ts";

/** Permission ids as their labels, with the id in code. */
export function permissionList(ids: readonly string[], tools: readonly Tool[]) {
  const labels = new Map(tools.flatMap((t) => t.permissions.map((p) => [p.id, p.label] as const)));
  if (ids.length === 0) return html`<span class="muted">none</span>`;
  return html`${ids.map((id, i) => html`${i ? ", " : ""}<span title=${labels.get(id) ?? id}><code>${id}</code></span>`)}`;
}

/** Scope configs: which models and fields the product asks for, the permissions that implies, the default. */
export class ScopeConfigsPage extends Page {
  static override styles = [
    ...Page.styles,
    css`
      td ul {
        margin: 0;
        padding-left: 1rem;
      }
    `,
  ];
  static override properties = {
    ...Page.properties,
    configs: { state: true },
    tools: { state: true },
    error: { state: true },
    actionError: { state: true },
    pendingDelete: { state: true },
  };

  declare configs: ScopeConfig[] | null;
  declare tools: Tool[];
  declare error: unknown;
  declare actionError: unknown;
  declare pendingDelete: ScopeConfig | null;

  constructor() {
    super();
    this.configs = null;
    this.tools = [];
    this.error = null;
    this.actionError = null;
    this.pendingDelete = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const [configs, tools] = await Promise.all([
        this.api.scopeConfigs.list({ limit: 200 }),
        this.api.tools.list(),
      ]);
      this.configs = configs.data;
      this.tools = tools;
      this.error = null;
    } catch (error) {
      this.error = error;
    }
  }

  async makeDefault(config: ScopeConfig): Promise<void> {
    this.actionError = null;
    try {
      await this.api.scopeConfigs.update(config.id, { is_default: true });
      this.announce(`${config.name} is now the workspace default for ${config.category}.`);
      await this.load();
    } catch (error) {
      this.actionError = error;
    }
  }

  #askDelete(config: ScopeConfig): void {
    this.pendingDelete = config;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLDialogElement>("dialog")?.showModal(),
    );
  }

  async #confirmDelete(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const config = this.pendingDelete;
    this.renderRoot.querySelector<HTMLDialogElement>("dialog")?.close();
    if (!config) return;
    this.actionError = null;
    try {
      await this.api.scopeConfigs.delete(config.id);
      this.announce(`Scope config ${config.name} deleted.`);
      await this.load();
    } catch (error) {
      this.actionError = error;
      this.announce(errorText(error));
    }
  }

  override render() {
    return html`
      <div class="spread">
        <h1>Scope configs</h1>
        <a class="button primary" href=${href("scope-configs", "new")}>New scope config</a>
      </div>
      <p class="muted" style="margin-top: 0">
        What your product reads from each tool category. Each model and field is enabled, optional (the end user may
        opt out) or disabled; the permissions follow per tool.
      </p>
      ${this.actionError ? errorBox(this.actionError) : nothing} ${this.#renderList()}
      <dialog aria-labelledby="delete-title">
        <form method="dialog" @submit=${this.#confirmDelete}>
          <h2 id="delete-title">Delete ${this.pendingDelete?.name}?</h2>
          <p>Integrations that use it would lose their scope, so a config still in use is refused. This cannot be undone.</p>
          <div class="row" style="justify-content: flex-end">
            <button type="button" autofocus @click=${() => this.renderRoot.querySelector<HTMLDialogElement>("dialog")?.close()}>
              Cancel
            </button>
            <button type="submit" class="danger">Delete</button>
          </div>
        </form>
      </dialog>
    `;
  }

  #renderList() {
    if (this.error) return errorBox(this.error, "Could not load the scope configs");
    if (!this.configs) return loading("scope configs");
    if (this.configs.length === 0) {
      return html`<div class="card empty">
        No scope configs yet. Without one, integrations read nothing beyond what their credentials allow.
        <a href=${href("scope-configs", "new")}>Create the first one</a>.
      </div>`;
    }
    const toolName = new Map(this.tools.map((t) => [t.id, t.name]));
    return html`<div class="card table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Models</th>
            <th scope="col">Permissions per tool</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${this.configs.map(
            (c) => html`<tr>
              <td>
                <a href=${href("scope-configs", c.id)}>${c.name}</a>
                ${c.is_default ? html`<span class="badge tone-ok">default</span>` : nothing}
                <div class="muted small">${c.category} · <span class="mono">${c.id}</span></div>
              </td>
              <td class="small">
                ${Object.entries(c.models)
                  .filter(([, m]) => m.setting !== "DISABLED")
                  .map(
                    ([id, m], i) =>
                      html`${i ? ", " : ""}${id}${m.setting === "OPTIONAL" ? " (optional)" : ""}`,
                  )}
              </td>
              <td class="small">
                <ul>
                  ${Object.entries(c.permissions).map(
                    ([tool, p]) => html`<li>
                      <strong>${toolName.get(tool) ?? tool}</strong>: ${permissionList(p.required, this.tools)}${
                        p.optional.length
                          ? html`; optional ${permissionList(p.optional, this.tools)}`
                          : nothing
                      }
                    </li>`,
                  )}
                </ul>
              </td>
              <td>
                <div class="row">
                  ${c.is_default ? nothing : html`<button type="button" @click=${() => this.makeDefault(c)}>Make default</button>`}
                  <button type="button" class="danger" @click=${() => this.#askDelete(c)} aria-label="Delete ${c.name}">Delete</button>
                </div>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

customElements.define("relink-scope-configs-page", ScopeConfigsPage);
