import { RelinkApiError, RelinkConnectionError } from "@relink/sdk";
import type { Integration, IntegrationStats, Tool } from "@relink/sdk/contract";
import { css, html, nothing } from "lit";
import { live } from "lit/directives/live.js";
import type { Api } from "../api.ts";
import { authHealth, dateTime, plural, relative, STATE_LABELS } from "../format.ts";
import { errorBox, loading, Page } from "../page.ts";
import { href } from "../router.ts";

interface Filters {
  state: string;
  tool: string;
  auth_status: string;
  q: string;
}

/** The list's query as the client takes it. */
type ListQuery = NonNullable<Parameters<Api["integrations"]["list"]>[0]>;

const PAGE_SIZE = 50;
const FILTER_NAMES = ["state", "tool", "auth_status", "q"] as const;

/** The integrations list: counts per state, filters, search, cursor pagination. */
export class IntegrationsList extends Page {
  static override styles = [
    ...Page.styles,
    css`
      .counts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr));
        gap: 0.6rem;
        margin: 0 0 1rem;
        padding: 0;
        list-style: none;
      }
      .counts button {
        width: 100%;
        flex-direction: column;
        align-items: flex-start;
        text-align: left;
        padding: 0.6rem 0.8rem;
        gap: 0.1rem;
      }
      .counts button[aria-pressed="true"] {
        border-color: var(--accent);
        box-shadow: inset 0 0 0 1px var(--accent);
      }
      .counts .n {
        font-size: 1.5rem;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .counts .label {
        font-size: 0.8rem;
        color: var(--muted);
      }
      .filters {
        margin-bottom: 1rem;
      }
      .filters input[type="search"] {
        min-width: 16rem;
      }
      td .origin {
        display: block;
        color: var(--muted);
        font-size: 0.8rem;
      }
      .more {
        display: flex;
        align-items: center;
        gap: 1rem;
        margin-top: 1rem;
      }
    `,
  ];

  static override properties = {
    ...Page.properties,
    query: { attribute: false },
    filters: { state: true },
    items: { state: true },
    nextCursor: { state: true },
    busy: { state: true },
    error: { state: true },
    stats: { state: true },
    statsError: { state: true },
    tools: { state: true },
    pausedAt: { state: true },
  };

  declare query: URLSearchParams;
  declare filters: Filters;
  declare items: Integration[] | null;
  declare nextCursor: string | null;
  declare busy: boolean;
  declare error: unknown;
  declare stats: IntegrationStats | null;
  declare statsError: unknown;
  declare tools: Tool[];
  declare pausedAt: Map<string, string>;

  #controller: AbortController | null = null;
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.query = new URLSearchParams();
    this.filters = { state: "", tool: "", auth_status: "", q: "" };
    this.items = null;
    this.nextCursor = null;
    this.busy = false;
    this.error = null;
    this.stats = null;
    this.statsError = null;
    this.tools = [];
    this.pausedAt = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.filters = {
      state: this.query.get("state") ?? "",
      tool: this.query.get("tool") ?? "",
      auth_status: this.query.get("auth_status") ?? "",
      q: this.query.get("q") ?? "",
    };
    void this.load();
    void this.loadStats();
    this.api.tools
      .list()
      .then((tools) => {
        this.tools = tools;
      })
      .catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#controller?.abort();
    clearTimeout(this.#searchTimer);
  }

  async loadStats(): Promise<void> {
    try {
      this.stats = await this.api.integrations.stats();
      this.statsError = null;
    } catch (error) {
      this.statsError = error;
    }
  }

  /** Loads the first page for the current filters, or (`more`) the next page. */
  async load(more = false): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.busy = true;
    if (!more) this.error = null;
    try {
      // An empty filter is no filter; the server checks the values (a state from the URL).
      const filters = Object.fromEntries(Object.entries(this.filters).filter(([, value]) => value !== ""));
      const page = await this.api.integrations.list(
        { ...(filters as ListQuery), limit: PAGE_SIZE, cursor: (more && this.nextCursor) || undefined },
        { signal: controller.signal },
      );
      const before = more ? (this.items?.length ?? 0) : 0;
      this.items = more ? [...(this.items ?? []), ...page.data] : page.data;
      this.nextCursor = page.next_cursor;
      this.error = null;
      void this.loadPauses(page.data);
      if (more) {
        this.announce(`Loaded ${plural(page.data.length, "more integration")}.`);
        await this.updateComplete;
        this.renderRoot.querySelectorAll<HTMLAnchorElement>("tbody a")[before]?.focus();
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      this.error = error;
      if (!more) this.items = null;
    } finally {
      if (this.#controller === controller) this.busy = false;
    }
  }

  /** "Paused since …" comes from the event log, for the paused rows of a page. */
  async loadPauses(rows: Integration[]): Promise<void> {
    const ids = rows.filter((r) => r.state === "INVALID").map((r) => r.id);
    if (ids.length === 0) return;
    try {
      const answer = await this.api.integrations.pauses(ids);
      const next = new Map(this.pausedAt);
      for (const p of answer.data) next.set(p.integration_id, p.paused_at);
      this.pausedAt = next;
    } catch (error) {
      if (!(error instanceof RelinkApiError || error instanceof RelinkConnectionError)) throw error;
      // Older servers: the list then says "Paused: auth failing since …".
    }
  }

  #refresh = (): void => {
    void this.load();
    void this.loadStats();
  };

  setFilters(change: Partial<Filters>): void {
    this.filters = { ...this.filters, ...change };
    const params = new URLSearchParams();
    for (const name of FILTER_NAMES) if (this.filters[name]) params.set(name, this.filters[name]);
    const qs = params.toString();
    history.replaceState(null, "", `${href("integrations")}${qs ? `?${qs}` : ""}`);
    this.nextCursor = null;
    void this.load();
  }

  #onSearch(event: InputEvent): void {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => this.setFilters({ q: value.trim() }), 300);
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    clearTimeout(this.#searchTimer);
    const form = event.target as HTMLFormElement;
    const q = (form.elements.namedItem("q") as HTMLInputElement).value.trim();
    this.setFilters({ q });
  }

  #countButton(label: string, n: number | undefined, filters: Partial<Filters>, tone: string) {
    const pressed =
      (filters.state ?? "") === this.filters.state &&
      (filters.auth_status ?? "") === this.filters.auth_status &&
      !this.filters.tool &&
      !this.filters.q;
    return html`<li>
      <button
        type="button"
        aria-pressed=${pressed ? "true" : "false"}
        @click=${() => this.setFilters({ state: "", auth_status: "", tool: "", q: "", ...filters })}
      >
        <span class="n ${tone}">${n === undefined ? "…" : n.toLocaleString()}</span>
        <span class="label">${label}</span>
      </button>
    </li>`;
  }

  override render() {
    const s = this.stats ?? undefined;
    return html`
      <div class="spread">
        <h1>Integrations</h1>
        <button type="button" @click=${this.#refresh} ?disabled=${this.busy}>Refresh</button>
      </div>
      <section aria-labelledby="counts-title">
        <h2 id="counts-title" class="visually-hidden">Counts per state</h2>
        ${this.statsError ? errorBox(this.statsError, "Counts") : nothing}
        <ul class="counts">
          ${this.#countButton("All integrations", s?.total, {}, "")}
          ${this.#countButton("Active", s?.ACTIVE, { state: "ACTIVE" }, "text-ok")}
          ${this.#countButton("Failing auth, not yet paused", s?.failing, { state: "ACTIVE", auth_status: "FAILING" }, "text-warn")}
          ${this.#countButton("Paused (INVALID)", s?.INVALID, { state: "INVALID" }, "text-bad")}
          ${this.#countButton("Inactive", s?.INACTIVE, { state: "INACTIVE" }, "")}
        </ul>
      </section>
      <form class="card filters row" role="search" aria-label="Filter integrations" @submit=${this.#onSubmit}>
        <div class="field"><label for="f-state">State</label>
          <select id="f-state" name="state" .value=${live(this.filters.state)} @change=${(e: Event) => this.setFilters({ state: (e.target as HTMLSelectElement).value })}>
            <option value="">Any state</option>
            <option value="ACTIVE" ?selected=${this.filters.state === "ACTIVE"}>Active</option>
            <option value="INVALID" ?selected=${this.filters.state === "INVALID"}>Paused (INVALID)</option>
            <option value="INACTIVE" ?selected=${this.filters.state === "INACTIVE"}>Inactive</option>
          </select>
        </div>
        <div class="field"><label for="f-auth-status">Auth status</label>
          <select id="f-auth-status" .value=${live(this.filters.auth_status)}
            name="auth_status"
            @change=${(e: Event) => this.setFilters({ auth_status: (e.target as HTMLSelectElement).value })}
          >
            <option value="">Any</option>
            <option value="OK" ?selected=${this.filters.auth_status === "OK"}>Healthy</option>
            <option value="FAILING" ?selected=${this.filters.auth_status === "FAILING"}>Failing</option>
            <option value="UNKNOWN" ?selected=${this.filters.auth_status === "UNKNOWN"}>Not checked yet</option>
          </select>
        </div>
        <div class="field"><label for="f-tool">Tool</label>
          <select id="f-tool" name="tool" .value=${live(this.filters.tool)} @change=${(e: Event) => this.setFilters({ tool: (e.target as HTMLSelectElement).value })}>
            <option value="">Any tool</option>
            ${this.tools.map((t) => html`<option value=${t.id} ?selected=${this.filters.tool === t.id}>${t.name}</option>`)}
          </select>
        </div>
        <label
          >Organisation or origin id
          <input
            type="search"
            name="q"
            .value=${live(this.filters.q)}
            placeholder="Search…"
            autocomplete="off"
            @input=${this.#onSearch}
          />
        </label>
        <button type="submit">Search</button>
      </form>
      ${this.#renderTable()}
    `;
  }

  #renderTable() {
    if (this.error && !this.items) return errorBox(this.error, "Could not load the integrations");
    if (!this.items) return loading("integrations");
    const filtered = FILTER_NAMES.some((name) => this.filters[name]);
    if (this.items.length === 0) {
      return html`<div class="card empty" role="status">
        ${
          filtered
            ? "No integration matches these filters."
            : html`No integrations yet. Import one with <code>POST /v1/integrations</code>, or send a connect link
                from your product.`
        }
      </div>`;
    }
    const now = Date.now();
    const toolName = new Map(this.tools.map((t) => [t.id, t.name]));
    return html`
      <div class="card table-wrap" aria-busy=${this.busy ? "true" : "false"}>
        <table>
          <caption class="visually-hidden">
            Integrations, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Organisation</th>
              <th scope="col">Tool</th>
              <th scope="col">State</th>
              <th scope="col">Auth health</th>
              <th scope="col">Last sync</th>
              <th scope="col">Next sync</th>
            </tr>
          </thead>
          <tbody>
            ${this.items.map((i) => {
              const health = authHealth(i, now, this.pausedAt.get(i.id) ?? null);
              const tone =
                i.state === "ACTIVE" ? "tone-ok" : i.state === "INVALID" ? "tone-bad" : "tone-muted";
              return html`<tr data-row=${i.id}>
                <td>
                  <a href=${href("integrations", i.id)}>${i.end_user.organization_name}</a>
                  <span class="origin mono">${i.end_user.origin_id}</span>
                </td>
                <td>${toolName.get(i.tool) ?? i.tool}</td>
                <td><span class="badge ${tone}">${STATE_LABELS[i.state]}</span></td>
                <td class="text-${health.tone}">${health.text}</td>
                <td>
                  ${
                    i.last_sync
                      ? html`${i.last_sync.sync_state ?? i.last_sync.status}
                          <span class="muted small"
                            >${relative(i.last_sync.ended_at ?? i.last_sync.queued_at, now)}</span
                          >`
                      : html`<span class="muted">never</span>`
                  }
                </td>
                <td>
                  ${
                    i.next_sync_at
                      ? html`<span title=${dateTime(i.next_sync_at)}>${relative(i.next_sync_at, now)}</span>`
                      : html`<span class="muted">not scheduled</span>`
                  }
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${this.error ? errorBox(this.error, "Could not load more") : nothing}
      <div class="more">
        <span class="muted small" role="status">Showing ${plural(this.items.length, "integration")}</span>
        ${
          this.nextCursor
            ? html`<button type="button" @click=${() => this.load(true)} ?disabled=${this.busy}>
                ${this.busy ? "Loading…" : "Load more"}
              </button>`
            : html`<span class="muted small">End of the list.</span>`
        }
      </div>
    `;
  }
}

customElements.define("relink-integrations-list", IntegrationsList);
