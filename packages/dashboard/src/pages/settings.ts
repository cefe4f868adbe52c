import type {
  ApiKey,
  Branding,
  SigningKey,
  SigningKeyCreate,
  SigningKeyCreated,
  ToolListItem,
} from "@relink/sdk/contract";
import { API_KEY_SCOPES, type ApiKeyScope } from "@relink/sdk/names";
import { css, html, nothing } from "lit";
import { errorText, routeMissing } from "../api.ts";
import { dateTime, relative } from "../format.ts";
import { errorBox, loading, Page } from "../page.ts";
import "../components/copy-field.ts";

/** What a scope lets a key do, beside its name, where the name does not say it. */
const SCOPE_HINTS: Record<ApiKeyScope, string> = {
  management: "",
  "credentials:read": " (sync sessions)",
  "records:read": "",
};

/**
 * API keys, flow-token signing keys, the origins allowed to embed the connect flow, and the tools
 * this server offers: each ready, or with the settings it lacks.
 */
export class SettingsPage extends Page {
  static override styles = [
    ...Page.styles,
    css`
      section form {
        margin-top: 0.75rem;
      }
      .origins li {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.3rem 0;
      }
    `,
  ];

  static override properties = {
    ...Page.properties,
    apiKeys: { state: true },
    apiKeysError: { state: true },
    signingKeys: { state: true },
    signingKeysError: { state: true },
    origins: { state: true },
    originsError: { state: true },
    branding: { state: true },
    brandingError: { state: true },
    tools: { state: true },
    toolsError: { state: true },
    shown: { state: true },
    formError: { state: true },
  };

  declare apiKeys: ApiKey[] | null;
  declare apiKeysError: unknown;
  declare signingKeys: SigningKey[] | null;
  declare signingKeysError: unknown;
  declare origins: string[] | null;
  declare originsError: unknown;
  declare branding: Branding | null;
  declare brandingError: unknown;
  declare tools: ToolListItem[] | null;
  declare toolsError: unknown;
  /** A key or secret just created: the only time it is on screen. */
  declare shown: { section: "api" | "signing"; title: string; value: string } | null;
  declare formError: { section: string; error: unknown } | null;

  constructor() {
    super();
    this.apiKeys = null;
    this.apiKeysError = null;
    this.signingKeys = null;
    this.signingKeysError = null;
    this.origins = null;
    this.originsError = null;
    this.branding = null;
    this.brandingError = null;
    this.tools = null;
    this.toolsError = null;
    this.shown = null;
    this.formError = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadApiKeys();
    void this.loadSigningKeys();
    void this.loadOrigins();
    void this.loadBranding();
    void this.loadTools();
  }

  async loadTools() {
    try {
      this.tools = await this.api.tools.list();
      this.toolsError = null;
    } catch (error) {
      this.toolsError = error;
    }
  }

  async loadBranding() {
    try {
      this.branding = await this.api.settings.getBranding();
      this.brandingError = null;
    } catch (error) {
      this.brandingError = error;
    }
  }

  #saveBranding(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => {
      const value = String(data.get(name) ?? "").trim();
      return value === "" ? null : value;
    };
    return this.#run("branding", async () => {
      this.branding = await this.api.settings.setBranding({
        product_name: field("product_name"),
        logo_url: field("logo_url"),
        accent_color: field("accent_color"),
      });
      return "Branding saved.";
    });
  }

  async loadApiKeys() {
    try {
      this.apiKeys = (await this.api.apiKeys.list({ limit: 200 })).data;
      this.apiKeysError = null;
    } catch (error) {
      this.apiKeysError = error;
    }
  }
  async loadSigningKeys() {
    try {
      this.signingKeys = (await this.api.signingKeys.list({ limit: 200 })).data;
      this.signingKeysError = null;
    } catch (error) {
      this.signingKeysError = error;
    }
  }
  async loadOrigins() {
    try {
      this.origins = (await this.api.settings.getAllowedOrigins()).allowed_origins;
      this.originsError = null;
    } catch (error) {
      this.originsError = error;
    }
  }

  async #run(section: string, work: () => Promise<string | undefined>, focus?: string) {
    this.formError = null;
    try {
      const message = await work();
      if (message) this.announce(message);
      if (focus) {
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>(focus)?.focus();
      }
    } catch (error) {
      this.formError = { section, error };
      this.announce(errorText(error));
    }
  }

  #createApiKey(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    // The form offers only API_KEY_SCOPES; the server refuses anything else.
    const scopes = data.getAll("scopes").map(String) as ApiKeyScope[];
    return this.#run(
      "api",
      async () => {
        const created = await this.api.apiKeys.create({
          name,
          scopes: scopes.length > 0 ? scopes : ["management"],
        });
        this.shown = { section: "api", title: `API key “${created.name}”`, value: created.key };
        form.reset();
        await this.loadApiKeys();
        return "API key created. Copy it now: it is shown only once.";
      },
      "#shown-api",
    );
  }

  #revokeApiKey(key: ApiKey) {
    if (!confirm(`Revoke the API key “${key.name}” (${key.prefix}…)? Requests with it are refused at once.`))
      return;
    return this.#run("api", async () => {
      await this.api.apiKeys.revoke(key.id);
      await this.loadApiKeys();
      return "API key revoked.";
    });
  }

  #createSigningKey(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const algorithm = String(data.get("algorithm"));
    return this.#run(
      "signing",
      async () => {
        let body: SigningKeyCreate = { algorithm: "HS256" };
        if (algorithm === "EdDSA" || algorithm === "ES256") {
          let jwk: unknown;
          try {
            jwk = JSON.parse(String(data.get("public_jwk") ?? ""));
          } catch {
            throw new Error(
              'The public key must be a JWK in JSON, e.g. {"kty":"OKP","crv":"Ed25519","x":"…"}.',
            );
          }
          // The server checks the key's shape against the algorithm.
          body = { algorithm, public_jwk: jwk } as SigningKeyCreate;
        }
        const created: SigningKeyCreated = await this.api.signingKeys.create(body);
        if (created.algorithm === "HS256") {
          this.shown = { section: "signing", title: `HS256 secret of ${created.id}`, value: created.secret };
        }
        form.reset();
        await this.loadSigningKeys();
        return created.algorithm === "HS256"
          ? "Signing key created. Copy its secret now: it is shown only once."
          : "Public key registered.";
      },
      "#shown-signing",
    );
  }

  #revokeSigningKey(key: SigningKey) {
    if (!confirm(`Revoke the signing key ${key.id}? Tokens it signed are refused at once.`)) return;
    return this.#run("signing", async () => {
      await this.api.signingKeys.revoke(key.id);
      await this.loadSigningKeys();
      return "Signing key revoked.";
    });
  }

  #saveOrigins(next: string[], message: string) {
    return this.#run("origins", async () => {
      const saved = await this.api.settings.setAllowedOrigins({
        allowed_origins: next,
      });
      this.origins = saved.allowed_origins;
      return message;
    });
  }

  #addOrigin(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const origin = String(new FormData(form).get("origin") ?? "").trim();
    if (!origin) return;
    return this.#saveOrigins([...(this.origins ?? []), origin], `${origin} added.`).then(() => {
      if (!this.formError) form.reset();
    });
  }

  #shownBox(section: "api" | "signing") {
    if (this.shown?.section !== section) return nothing;
    return html`<div class="notice secret">
      <h3 id="shown-${section}" tabindex="-1">${this.shown.title}</h3>
      <p class="small">Shown only this once: copy it to where it is used. relink stores it ${section === "api" ? "hashed" : "encrypted"} and never shows it again.</p>
      <relink-copy-field label=${section === "api" ? "API key" : "Secret"} .value=${this.shown.value}></relink-copy-field>
      <button type="button" style="margin-top: 0.5rem" @click=${() => (this.shown = null)}>I have copied it</button>
    </div>`;
  }

  #sectionError(section: string) {
    return this.formError?.section === section ? errorBox(this.formError.error) : nothing;
  }

  override render() {
    return html`
      <h1>Settings</h1>
      <section class="card" aria-labelledby="api-keys-title">
        <h2 id="api-keys-title">API keys</h2>
        <p class="muted small">For your backend and this dashboard. Keys are shown once and stored hashed.</p>
        ${this.#shownBox("api")} ${this.#sectionError("api")}
        ${
          this.apiKeysError
            ? errorBox(this.apiKeysError, "API keys")
            : !this.apiKeys
              ? loading("API keys")
              : html`<div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Key starts with</th>
                        <th scope="col">Scopes</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col"><span class="visually-hidden">Actions</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${this.apiKeys.map(
                        (k) => html`<tr>
                          <td>${k.name}</td>
                          <td class="mono">${k.prefix}…</td>
                          <td class="small">${k.scopes.join(", ")}</td>
                          <td>${dateTime(k.created_at)}</td>
                          <td>${k.last_used_at ? relative(k.last_used_at) : "never"}</td>
                          <td><button type="button" class="danger" aria-label="Revoke ${k.name}" @click=${() => this.#revokeApiKey(k)}>Revoke</button></td>
                        </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
        }
        <form class="row" @submit=${this.#createApiKey}>
          <label>New key name <input name="name" required maxlength="200" placeholder="e.g. production backend" /></label>
          <fieldset class="row">
            <legend>Scopes</legend>
            ${API_KEY_SCOPES.map(
              (scope) =>
                html`<label><input type="checkbox" name="scopes" value=${scope} ?checked=${scope === "management"} /> ${scope}${SCOPE_HINTS[scope]}</label>`,
            )}
          </fieldset>
          <button type="submit">Create API key</button>
        </form>
      </section>

      <section class="card" aria-labelledby="signing-keys-title">
        <h2 id="signing-keys-title">Signing keys</h2>
        <p class="muted small">
          Your backend signs relink and connect tokens with these (<code>mintRelinkToken</code>). An HS256 secret is shown
          once; for EdDSA or ES256 register only the public key.
        </p>
        ${this.#shownBox("signing")} ${this.#sectionError("signing")}
        ${
          this.signingKeysError
            ? errorBox(this.signingKeysError, "Signing keys")
            : !this.signingKeys
              ? loading("signing keys")
              : this.signingKeys.length === 0
                ? html`<p class="muted">No signing keys yet. Links made from this dashboard use the server's own key.</p>`
                : html`<div class="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Key id (kid)</th>
                          <th scope="col">Algorithm</th>
                          <th scope="col">Created</th>
                          <th scope="col"><span class="visually-hidden">Actions</span></th>
                        </tr>
                      </thead>
                      <tbody>
                        ${this.signingKeys.map(
                          (k) => html`<tr>
                            <td class="mono">${k.id}</td>
                            <td>${k.algorithm}${k.public_jwk ? html` <span class="muted small">(${k.public_jwk.crv} public key)</span>` : nothing}</td>
                            <td>${dateTime(k.created_at)}</td>
                            <td><button type="button" class="danger" aria-label="Revoke ${k.id}" @click=${() => this.#revokeSigningKey(k)}>Revoke</button></td>
                          </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
        }
        <form @submit=${this.#createSigningKey} style="display: grid; gap: 0.6rem">
          <div class="field"><label for="f-algorithm">Algorithm</label>
            <select id="f-algorithm" name="algorithm">
              <option value="HS256">HS256: the server generates a secret</option>
              <option value="EdDSA">EdDSA (Ed25519): register a public key</option>
              <option value="ES256">ES256 (P-256): register a public key</option>
            </select>
          </div>
          <label>Public key as JWK (EdDSA and ES256 only) <textarea name="public_jwk" rows="3" placeholder='{"kty":"OKP","crv":"Ed25519","x":"…"}'></textarea></label>
          <div><button type="submit">Add signing key</button></div>
        </form>
      </section>

      <section class="card" aria-labelledby="branding-title">
        <h2 id="branding-title">Branding</h2>
        <p class="muted small">
          The hosted link page shows your product's name and logo, so end users know who asks them to reconnect; the
          widget gets the accent colour as its default.
        </p>
        ${this.#sectionError("branding")} ${this.#renderBranding()}
      </section>

      <section class="card" aria-labelledby="origins-title">
        <h2 id="origins-title">Allowed origins</h2>
        <p class="muted small">Pages on these origins may run the connect flow (<code>&lt;relink-connect&gt;</code>). The hosted link page always may.</p>
        ${this.#sectionError("origins")} ${this.#renderOrigins()}
      </section>

      <section class="card" aria-labelledby="tools-title">
        <h2 id="tools-title">Tools</h2>
        <p class="muted small">The tools this server connects to. One that is not ready lacks the settings listed: set them where the server runs (see the configuration reference) and restart it.</p>
        ${this.#renderTools()}
      </section>
    `;
  }

  #renderBranding() {
    if (this.brandingError) {
      if (routeMissing(this.brandingError)) {
        return html`<p class="muted">Branding is not available on this server.</p>`;
      }
      return errorBox(this.brandingError, "Branding");
    }
    if (!this.branding) return loading("branding");
    const b = this.branding;
    return html`<form @submit=${this.#saveBranding} style="display: grid; gap: 0.6rem">
      <label>Product name <input name="product_name" maxlength="80" .value=${b.product_name ?? ""} placeholder="e.g. Acme Payroll" /></label>
      <label>Logo URL (https) <input name="logo_url" type="url" pattern="https://.*" maxlength="2000" .value=${b.logo_url ?? ""} placeholder="https://cdn.example.com/logo.png" /></label>
      <label>Accent colour (hex) <input name="accent_color" maxlength="7" pattern="#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})" .value=${b.accent_color ?? ""} placeholder="#4f46e5" /></label>
      <div><button type="submit">Save branding</button></div>
    </form>`;
  }

  #renderTools() {
    if (this.toolsError) return errorBox(this.toolsError, "Tools");
    if (!this.tools) return loading("tools");
    if (this.tools.length === 0) return html`<p class="muted">No tools are enabled on this server.</p>`;
    return html`<ul class="plain tools">
      ${this.tools.map(
        (t) => html`<li data-tool=${t.id}>
          <strong>${t.name}</strong> <span class="mono small">${t.id}</span>:
          ${
            t.ready
              ? html`<span class="badge tone-ok">ready</span>`
              : html`<span class="badge tone-warn">not ready</span> lacks
                  ${t.missing.map((name, i) => html`${i > 0 ? ", " : ""}<code>${name}</code>`)}`
          }
        </li>`,
      )}
    </ul>`;
  }

  #renderOrigins() {
    if (this.originsError) {
      if (routeMissing(this.originsError)) {
        return html`<p class="muted">Allowed origins are not available on this server.</p>`;
      }
      return errorBox(this.originsError, "Allowed origins");
    }
    if (!this.origins) return loading("allowed origins");
    return html`${
      this.origins.length === 0
        ? html`<p class="muted">None yet: only the hosted link page can run flows.</p>`
        : html`<ul class="plain origins">
            ${this.origins.map(
              (o) => html`<li>
                <span class="mono">${o}</span>
                <button
                  type="button"
                  class="danger"
                  aria-label="Remove ${o}"
                  @click=${() =>
                    this.#saveOrigins(
                      (this.origins ?? []).filter((x) => x !== o),
                      `${o} removed.`,
                    )}
                >
                  Remove
                </button>
              </li>`,
            )}
          </ul>`
    }
      <form class="row" @submit=${this.#addOrigin}>
        <label>Origin <input name="origin" required placeholder="https://app.example.com" /></label>
        <button type="submit">Add origin</button>
      </form>`;
  }
}

customElements.define("relink-settings-page", SettingsPage);
