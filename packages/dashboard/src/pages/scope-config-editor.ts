import { RelinkApiError } from "@relink/sdk";
import type { ScopeConfigModels, Setting, Tool } from "@relink/sdk/contract";
import { css, html, nothing } from "lit";
import { errorBox, loading, Page } from "../page.ts";
import { href, navigate } from "../router.ts";
import { impliedPermissions } from "../scope.ts";
import "./campaign-panel.ts";
import { permissionList } from "./scope-configs.ts";

interface CatalogModel {
  id: string;
  label: string;
  fields: Array<{ id: string; label: string; permissions: Set<string> }>;
  permissions: Set<string>;
}

const SETTING_LABELS: Record<Setting, string> = {
  ENABLED: "Enabled",
  OPTIONAL: "Optional",
  DISABLED: "Disabled",
};

/** The models and fields of a category across its tools (a config is per category, not per tool). */
export function catalogModels(tools: readonly Tool[]): CatalogModel[] {
  const models = new Map<string, CatalogModel>();
  for (const tool of tools) {
    for (const m of tool.models) {
      const model = models.get(m.id) ?? {
        id: m.id,
        label: m.label,
        fields: [],
        permissions: new Set<string>(),
      };
      model.permissions.add(m.permission);
      for (const f of m.fields) {
        let field = model.fields.find((x) => x.id === f.id);
        if (!field) {
          field = { id: f.id, label: f.label, permissions: new Set() };
          model.fields.push(field);
        }
        field.permissions.add(f.permission);
      }
      models.set(m.id, model);
    }
  }
  return [...models.values()];
}

/** Create or edit one scope config, per model and field, with a live preview of the permissions per tool. */
export class ScopeConfigEditor extends Page {
  static override styles = [
    ...Page.styles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 2fr) minmax(16rem, 1fr);
        gap: 1rem;
        align-items: start;
      }
      @media (max-width: 900px) {
        .layout {
          grid-template-columns: 1fr;
        }
      }
      .preview {
        position: sticky;
        top: 1rem;
      }
      fieldset.model {
        margin-bottom: 0.75rem;
      }
      fieldset.model table {
        margin-top: 0.5rem;
      }
      fieldset.model td,
      fieldset.model th {
        padding: 0.3rem 0.5rem;
      }
      .model-head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 1rem;
      }
    `,
  ];

  static override properties = {
    ...Page.properties,
    configId: { attribute: false },
    tools: { state: true },
    name: { state: true },
    isDefault: { state: true },
    models: { state: true },
    loaded: { state: true },
    error: { state: true },
    saveError: { state: true },
    saving: { state: true },
  };

  declare configId: string | null;
  declare tools: Tool[];
  declare name: string;
  declare isDefault: boolean;
  declare models: ScopeConfigModels;
  declare loaded: boolean;
  declare error: unknown;
  declare saveError: unknown;
  declare saving: boolean;

  constructor() {
    super();
    this.configId = null;
    this.tools = [];
    this.name = "";
    this.isDefault = false;
    this.models = {};
    this.loaded = false;
    this.error = null;
    this.saveError = null;
    this.saving = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const tools = await this.api.tools.list();
      this.tools = tools.filter((t) => t.category === "HRIS");
      if (this.configId) {
        const config = await this.api.scopeConfigs.get(this.configId);
        this.name = config.name;
        this.isDefault = config.is_default;
        this.models = structuredClone(config.models);
      } else {
        this.models = { employees: { setting: "ENABLED" } };
      }
      this.loaded = true;
    } catch (error) {
      this.error = error;
    }
  }

  #setModel(model: string, setting: Setting): void {
    const current = this.models[model];
    this.models = {
      ...this.models,
      [model]: { ...(current?.fields ? { fields: current.fields } : {}), setting },
    };
  }

  #setField(model: string, field: string, value: Setting | ""): void {
    const current = this.models[model] ?? { setting: "DISABLED" as Setting };
    const fields = { ...(current.fields ?? {}) };
    if (value === "") delete fields[field];
    else fields[field] = value;
    this.models = {
      ...this.models,
      [model]: { setting: current.setting, ...(Object.keys(fields).length ? { fields } : {}) },
    };
  }

  /** The models as saved: disabled models are left out (the contract reads a missing model as disabled). */
  #cleanModels(): ScopeConfigModels {
    return Object.fromEntries(
      Object.entries(this.models).filter(([, m]) => m.setting !== "DISABLED" || m.fields),
    );
  }

  async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.saving = true;
    this.saveError = null;
    const models = this.#cleanModels();
    try {
      const saved = this.configId
        ? await this.api.scopeConfigs.update(this.configId, {
            name: this.name,
            models,
            ...(this.isDefault ? { is_default: true } : {}),
          })
        : await this.api.scopeConfigs.create({
            name: this.name,
            category: "HRIS",
            is_default: this.isDefault,
            models,
          });
      this.announce(`Scope config ${saved.name} saved.`);
      navigate(href("scope-configs"));
    } catch (error) {
      this.saveError = error;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("[role=alert]")?.focus();
    } finally {
      this.saving = false;
    }
  }

  override render() {
    const title = this.configId
      ? `Edit scope config${this.name ? `: ${this.name}` : ""}`
      : "New scope config";
    if (this.error) return html`<h1>${title}</h1>${errorBox(this.error, "Could not load")}`;
    if (!this.loaded) return html`<h1>${title}</h1>${loading("the tool catalog")}`;
    const issues =
      this.saveError instanceof RelinkApiError
        ? ((this.saveError.details as { issues?: Array<{ path: string; message: string }> } | undefined)
            ?.issues ?? [])
        : [];
    return html`
      <p class="small" style="margin: 0 0 0.5rem"><a href=${href("scope-configs")}>← Scope configs</a></p>
      <h1>${title}</h1>
      <form @submit=${this.save}>
        <div class="layout">
          <div>
            <div class="card row">
              <label style="flex: 1"
                >Name
                <input required maxlength="200" name="name" .value=${this.name} @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} />
              </label>
              <label>Category <input value="HRIS" readonly aria-readonly="true" size="6" /></label>
              <label class="inline"
                ><input type="checkbox" name="is_default" .checked=${this.isDefault} @change=${(e: Event) => (this.isDefault = (e.target as HTMLInputElement).checked)} />
                Workspace default for HRIS</label
              >
            </div>
            ${catalogModels(this.tools).map((m) => this.#renderModel(m))}
          </div>
          <aside class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">Permissions this implies</h2>
            <div aria-live="polite">
              ${this.tools.map((tool) => {
                const p = impliedPermissions(tool, this.models);
                return html`<h3>${tool.name}</h3>
                  <p class="small" data-testid="implied-${tool.id}">
                    Required: ${permissionList(p.required, this.tools)}<br />
                    Optional: ${permissionList(p.optional, this.tools)}
                  </p>`;
              })}
            </div>
            ${
              this.saveError
                ? html`<div class="notice error" role="alert" tabindex="-1">
                    ${this.saveError instanceof Error ? this.saveError.message : String(this.saveError)}
                    ${issues.length > 1 ? html`<ul>${issues.map((i) => html`<li><code>${i.path}</code>: ${i.message}</li>`)}</ul>` : nothing}
                  </div>`
                : nothing
            }
            <button class="primary" type="submit" ?disabled=${this.saving}>${this.saving ? "Saving…" : "Save scope config"}</button>
            ${
              this.configId
                ? html`<relink-campaign-panel .api=${this.api} .configId=${this.configId} .models=${this.#cleanModels()}></relink-campaign-panel>`
                : nothing
            }
          </aside>
        </div>
      </form>
    `;
  }

  #renderModel(m: CatalogModel) {
    const config = this.models[m.id];
    const setting: Setting = config?.setting ?? "DISABLED";
    const id = `model-${m.id}`;
    return html`<fieldset class="card model" aria-labelledby="${id}-legend">
      <legend id="${id}-legend">${m.label} <code class="muted">${m.id}</code></legend>
      <div class="model-head">
        <label class="inline"
          ><span class="visually-hidden">${m.label}:</span> Model
          <select data-model=${m.id} @change=${(e: Event) => this.#setModel(m.id, (e.target as HTMLSelectElement).value as Setting)}>
            ${(["ENABLED", "OPTIONAL", "DISABLED"] as const).map((s) => html`<option value=${s} ?selected=${setting === s}>${SETTING_LABELS[s]}</option>`)}
          </select>
        </label>
      </div>
      <div class="small muted">Needs ${[...m.permissions].map((p) => html`<code>${p}</code> `)}</div>
      ${
        m.fields.length && setting !== "DISABLED"
          ? html`<table>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Setting</th>
                  <th scope="col">Permission</th>
                </tr>
              </thead>
              <tbody>
                ${m.fields.map((f) => {
                  const own = config?.fields?.[f.id] ?? "";
                  return html`<tr>
                    <td>${f.label}</td>
                    <td>
                      <select
                        aria-label="${m.label} ${f.label}"
                        data-field="${m.id}.${f.id}"
                        @change=${(e: Event) => this.#setField(m.id, f.id, (e.target as HTMLSelectElement).value as Setting | "")}
                      >
                        <option value="" ?selected=${own === ""}>Like the model (${SETTING_LABELS[setting].toLowerCase()})</option>
                        ${(["ENABLED", "OPTIONAL", "DISABLED"] as const).map((s) => html`<option value=${s} ?selected=${own === s}>${SETTING_LABELS[s]}</option>`)}
                      </select>
                    </td>
                    <td>${[...f.permissions].map((p) => html`<code>${p}</code> `)}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
          : nothing
      }
    </fieldset>`;
  }
}

customElements.define("relink-scope-config-editor", ScopeConfigEditor);
