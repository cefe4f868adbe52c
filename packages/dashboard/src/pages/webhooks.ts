import type { WebhookDelivery, WebhookEndpoint } from "@relink/sdk/contract";
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryStatus, type WebhookEventType } from "@relink/sdk/names";
import { css, html, nothing } from "lit";
import { repeat } from "lit/directives/repeat.js";
import { errorText } from "../api.ts";
import { dateTime, relative } from "../format.ts";
import { errorBox, loading, Page } from "../page.ts";
import "../components/copy-field.ts";

/** Webhook endpoints (create, edit filters, rotate secret, test, disable) and the delivery log. */
export class WebhooksPage extends Page {
  static override styles = [
    ...Page.styles,
    css`
      .types {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
        gap: 0.25rem 1rem;
      }
      form.endpoint {
        display: grid;
        gap: 0.75rem;
      }
      details summary {
        cursor: pointer;
      }
      .attempts td {
        font-size: 0.82rem;
      }
      pre {
        white-space: pre-wrap;
        word-break: break-all;
        margin: 0;
        font-size: 0.78rem;
      }
    `,
  ];

  static override properties = {
    ...Page.properties,
    endpoints: { state: true },
    endpointsError: { state: true },
    editing: { state: true },
    formError: { state: true },
    secret: { state: true },
    deliveries: { state: true },
    deliveriesCursor: { state: true },
    deliveriesError: { state: true },
    filterEndpoint: { state: true },
    filterStatus: { state: true },
    actionError: { state: true },
  };

  declare endpoints: WebhookEndpoint[] | null;
  declare endpointsError: unknown;
  /** The endpoint being edited, `"new"` for the create form, null for none. */
  declare editing: WebhookEndpoint | "new" | null;
  declare formError: unknown;
  /** A secret just created or rotated: shown until dismissed, never fetched again. */
  declare secret: { endpoint: string; value: string; rotated: boolean } | null;
  declare deliveries: WebhookDelivery[] | null;
  declare deliveriesCursor: string | null;
  declare deliveriesError: unknown;
  declare filterEndpoint: string;
  declare filterStatus: string;
  declare actionError: unknown;
  /** Deliveries the operator expanded: a refresh keeps them open. */
  readonly #openDeliveries = new Set<string>();
  /** Only the newest deliveries request may render (an older answer arriving late is dropped). */
  #deliveriesRequest = 0;

  constructor() {
    super();
    this.endpoints = null;
    this.endpointsError = null;
    this.editing = null;
    this.formError = null;
    this.secret = null;
    this.deliveries = null;
    this.deliveriesCursor = null;
    this.deliveriesError = null;
    this.filterEndpoint = "";
    this.filterStatus = "";
    this.actionError = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadEndpoints();
    void this.loadDeliveries();
  }

  async loadEndpoints(): Promise<void> {
    try {
      this.endpoints = (await this.api.webhookEndpoints.list({ limit: 200 })).data;
      this.endpointsError = null;
    } catch (error) {
      this.endpointsError = error;
    }
  }

  async loadDeliveries(more = false): Promise<void> {
    const request = ++this.#deliveriesRequest;
    try {
      // An empty filter is no filter.
      const page = await this.api.webhookDeliveries.list({
        limit: 25,
        endpoint_id: this.filterEndpoint || undefined,
        status: (this.filterStatus as WebhookDeliveryStatus | "") || undefined,
        cursor: (more && this.deliveriesCursor) || undefined,
      });
      if (request !== this.#deliveriesRequest) return;
      this.deliveries = more ? [...(this.deliveries ?? []), ...page.data] : page.data;
      this.deliveriesCursor = page.next_cursor;
      this.deliveriesError = null;
    } catch (error) {
      if (request === this.#deliveriesRequest) this.deliveriesError = error;
    }
  }

  #filterDeliveries(change: { endpoint?: string; status?: string }): void {
    if (change.endpoint !== undefined) this.filterEndpoint = change.endpoint;
    if (change.status !== undefined) this.filterStatus = change.status;
    void this.loadDeliveries();
  }

  async #submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    // The form offers only WEBHOOK_EVENT_TYPES; the server refuses anything else.
    const types = data.getAll("event_types").map(String) as WebhookEventType[];
    const body = {
      url: String(data.get("url") ?? "").trim(),
      description: String(data.get("description") ?? "").trim() || null,
      event_types: types.length === 0 || types.length === WEBHOOK_EVENT_TYPES.length ? null : types,
    };
    this.formError = null;
    try {
      if (this.editing === "new") {
        const created = await this.api.webhookEndpoints.create(body);
        this.secret = { endpoint: created.url, value: created.secret, rotated: false };
        this.announce("Endpoint created. Copy its signing secret now: it is shown only once.");
      } else if (this.editing) {
        await this.api.webhookEndpoints.update(this.editing.id, body);
        this.announce("Endpoint saved.");
      }
      this.editing = null;
      await this.loadEndpoints();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("#secret-title")?.focus();
    } catch (error) {
      this.formError = error;
    }
  }

  async #action(work: () => Promise<string>): Promise<void> {
    this.actionError = null;
    try {
      this.announce(await work());
    } catch (error) {
      this.actionError = error;
      this.announce(errorText(error));
    }
  }

  rotate(endpoint: WebhookEndpoint) {
    if (!confirm(`Rotate the signing secret of ${endpoint.url}? The old one keeps signing for 24 hours.`))
      return;
    return this.#action(async () => {
      const rotated = await this.api.webhookEndpoints.rotateSecret(endpoint.id);
      this.secret = { endpoint: rotated.url, value: rotated.secret, rotated: true };
      await this.loadEndpoints();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>("#secret-title")?.focus();
      return "Secret rotated. Copy the new one now: it is shown only once.";
    });
  }

  setEnabled(endpoint: WebhookEndpoint, enabled: boolean) {
    return this.#action(async () => {
      await this.api.webhookEndpoints.update(endpoint.id, { enabled });
      await this.loadEndpoints();
      return enabled ? "Endpoint enabled." : "Endpoint disabled: deliveries wait until it is enabled again.";
    });
  }

  sendTest(endpoint: WebhookEndpoint) {
    return this.#action(async () => {
      await this.api.webhookEndpoints.test(endpoint.id);
      await this.loadDeliveries();
      return "Test event queued; follow it in the delivery log.";
    });
  }

  deleteEndpoint(endpoint: WebhookEndpoint) {
    if (!confirm(`Delete the endpoint ${endpoint.url}? Its pending deliveries are dropped.`)) return;
    return this.#action(async () => {
      await this.api.webhookEndpoints.delete(endpoint.id);
      await this.loadEndpoints();
      return "Endpoint deleted.";
    });
  }

  retry(delivery: WebhookDelivery) {
    return this.#action(async () => {
      await this.api.webhookDeliveries.retry(delivery.id);
      await this.loadDeliveries();
      return "Delivery queued again.";
    });
  }

  override render() {
    return html`
      <div class="spread">
        <h1>Webhooks</h1>
        <button type="button" class="primary" @click=${() => this.#edit("new")} ?disabled=${this.editing === "new"}>
          Add endpoint
        </button>
      </div>
      ${
        this.secret
          ? html`<div class="notice secret" data-testid="secret-once">
              <h2 id="secret-title" tabindex="-1">${this.secret.rotated ? "New signing secret" : "Signing secret"} for ${this.secret.endpoint}</h2>
              <p class="small">
                Copy it into your receiver now (verify with <code>verifyWebhook</code> from <code>@relink/sdk/server</code>). It
                is shown only this once and never again.
              </p>
              <relink-copy-field label="Secret" .value=${this.secret.value}></relink-copy-field>
              <button type="button" style="margin-top: 0.5rem" @click=${() => (this.secret = null)}>I have copied it</button>
            </div>`
          : nothing
      }
      ${this.actionError ? errorBox(this.actionError) : nothing}
      ${this.editing === "new" ? this.#renderForm(null) : nothing}
      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        ${this.#renderEndpoints()}
      </section>
      <section class="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Delivery log</h2>
        ${this.#renderDeliveries()}
      </section>
    `;
  }

  async #edit(target: WebhookEndpoint | "new") {
    this.editing = target;
    this.formError = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>("form.endpoint input[name=url]")?.focus();
  }

  #renderForm(endpoint: WebhookEndpoint | null) {
    const selected = new Set(endpoint?.event_types ?? WEBHOOK_EVENT_TYPES);
    return html`<form class="endpoint card" @submit=${this.#submit} aria-label=${endpoint ? "Edit endpoint" : "New endpoint"}>
      <label
        >URL (https)
        <input name="url" type="url" required .value=${endpoint?.url ?? ""} placeholder="https://api.example.com/relink-webhooks" />
      </label>
      <label>Description <input name="description" .value=${endpoint?.description ?? ""} /></label>
      <fieldset>
        <legend>Event types (all checked = every type, including future ones)</legend>
        <div class="types">
          ${WEBHOOK_EVENT_TYPES.map(
            (type) => html`<label class="inline"
              ><input type="checkbox" name="event_types" value=${type} .checked=${selected.has(type)} /><code>${type}</code></label
            >`,
          )}
        </div>
      </fieldset>
      ${this.formError ? errorBox(this.formError, "Could not save") : nothing}
      <div class="row">
        <button type="submit" class="primary">${endpoint ? "Save endpoint" : "Create endpoint"}</button>
        <button type="button" @click=${() => (this.editing = null)}>Cancel</button>
      </div>
    </form>`;
  }

  #renderEndpoints() {
    if (this.endpointsError) return errorBox(this.endpointsError, "Endpoints");
    if (!this.endpoints) return loading("endpoints");
    if (this.endpoints.length === 0) {
      return html`<p class="empty">No endpoints yet: add one to receive state changes and auth warnings.</p>`;
    }
    return html`<ul class="plain">
      ${this.endpoints.map(
        (e) => html`<li style="border-bottom: 1px solid var(--border); padding: 0.75rem 0">
          <div class="spread">
            <div>
              <strong class="mono">${e.url}</strong>
              <span class="badge ${e.enabled ? "tone-ok" : "tone-muted"}">${e.enabled ? "enabled" : "disabled"}</span>
              <div class="muted small">
                ${e.description ? html`${e.description} · ` : nothing}
                ${e.event_types ? e.event_types.join(", ") : "all event types"}
                ${
                  e.previous_secret_expires_at && Date.parse(e.previous_secret_expires_at) > Date.now()
                    ? html` · previous secret still signs until ${dateTime(e.previous_secret_expires_at)}`
                    : nothing
                }
              </div>
            </div>
            <div class="row" role="group" aria-label="Actions for ${e.url}">
              <button type="button" @click=${() => this.#edit(e)}>Edit</button>
              <button type="button" @click=${() => this.sendTest(e)} ?disabled=${!e.enabled}>Send test event</button>
              <button type="button" @click=${() => this.rotate(e)}>Rotate secret</button>
              <button type="button" @click=${() => this.setEnabled(e, !e.enabled)}>${e.enabled ? "Disable" : "Enable"}</button>
              <button type="button" class="danger" @click=${() => this.deleteEndpoint(e)}>Delete</button>
            </div>
          </div>
          ${this.editing !== "new" && this.editing?.id === e.id ? this.#renderForm(e) : nothing}
        </li>`,
      )}
    </ul>`;
  }

  #renderDeliveries() {
    return html`
      <div class="row" style="margin-bottom: 0.75rem">
        <div class="field"><label for="f-endpoint">Endpoint</label>
          <select id="f-endpoint" @change=${(e: Event) => this.#filterDeliveries({ endpoint: (e.target as HTMLSelectElement).value })}>
            <option value="">All endpoints</option>
            ${(this.endpoints ?? []).map((e) => html`<option value=${e.id}>${e.url}</option>`)}
          </select>
        </div>
        <div class="field"><label for="f-status">Status</label>
          <select id="f-status" @change=${(e: Event) => this.#filterDeliveries({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">Any</option>
            <option value="PENDING">Pending (retrying)</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="FAILED">Failed</option>
          </select>
        </div>
        <button type="button" @click=${() => this.loadDeliveries()}>Refresh</button>
      </div>
      ${this.#renderDeliveryRows()}
    `;
  }

  #toggleDelivery(id: string, open: boolean): void {
    if (open) this.#openDeliveries.add(id);
    else this.#openDeliveries.delete(id);
  }

  #renderDeliveryRows() {
    if (this.deliveriesError) return errorBox(this.deliveriesError, "Deliveries");
    if (!this.deliveries) return loading("deliveries");
    if (this.deliveries.length === 0) return html`<p class="empty">No deliveries match.</p>`;
    const urls = new Map((this.endpoints ?? []).map((e) => [e.id, e.url]));
    return html`<ul class="plain">
        ${repeat(
          this.deliveries,
          (d) => d.id,
          (d) => {
            const tone =
              d.status === "SUCCEEDED" ? "tone-ok" : d.status === "FAILED" ? "tone-bad" : "tone-warn";
            return html`<li style="border-bottom: 1px solid var(--border); padding: 0.5rem 0">
            <details
              ?open=${this.#openDeliveries.has(d.id)}
              @toggle=${(e: Event) => this.#toggleDelivery(d.id, (e.currentTarget as HTMLDetailsElement).open)}
            >
              <summary>
                <span class="badge ${tone}">${d.status}</span>
                <code>${d.event_type}</code>
                <span class="muted small"
                  >to ${urls.get(d.endpoint_id) ?? d.endpoint_id} · ${d.attempt_count}
                  ${d.attempt_count === 1 ? "attempt" : "attempts"} · ${relative(d.created_at)}
                  ${d.next_attempt_at ? html` · next ${relative(d.next_attempt_at)}` : nothing}</span
                >
              </summary>
              <div style="padding: 0.5rem 0 0.5rem 1rem">
                <div class="row" style="align-items: center">
                  <span class="small muted">Event <span class="mono">${d.event_id}</span>${d.integration_id ? html` · integration <span class="mono">${d.integration_id}</span>` : nothing}</span>
                  <button type="button" @click=${() => this.retry(d)}>${d.status === "SUCCEEDED" ? "Send again" : "Retry now"}</button>
                </div>
                ${
                  d.attempts.length
                    ? html`<table class="attempts">
                        <thead>
                          <tr>
                            <th scope="col">Attempted</th>
                            <th scope="col">Answer</th>
                            <th scope="col">Latency</th>
                            <th scope="col">Body or error</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${d.attempts.map(
                            (a) => html`<tr>
                              <td>${dateTime(a.attempted_at)}</td>
                              <td>${a.response_status ?? "no answer"}</td>
                              <td>${a.latency_ms} ms</td>
                              <td><pre>${a.error ?? a.response_body ?? ""}</pre></td>
                            </tr>`,
                          )}
                        </tbody>
                      </table>`
                    : html`<p class="muted small">Not attempted yet.</p>`
                }
              </div>
            </details>
          </li>`;
          },
        )}
      </ul>
      ${this.deliveriesCursor ? html`<button type="button" @click=${() => this.loadDeliveries(true)}>Load older deliveries</button>` : nothing}`;
  }
}

customElements.define("relink-webhooks-page", WebhooksPage);
