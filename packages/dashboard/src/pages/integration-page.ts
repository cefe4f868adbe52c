import type {
  AuthCheck,
  EventLogEntry,
  GrantRevocation,
  Integration,
  ScopeConfig,
  SyncRun,
  SyncSession,
  Tool,
} from "@relink/sdk/contract";
import { css, html, nothing } from "lit";
import { errorText, refusedWith, routeMissing } from "../api.ts";
import { authHealth, STATE_LABELS } from "../format.ts";
import { errorBox, loading, Page } from "../page.ts";
import { href, navigate } from "../router.ts";
import { renderEvents } from "./integration-events.ts";
import { renderFacts } from "./integration-facts.ts";
import { renderMissing, renderRevocations, renderSharing } from "./integration-notices.ts";
import { renderSessions, renderSyncs } from "./integration-syncs.ts";
import "../components/auth-timeline.ts";
import "../components/relink-section.ts";

const REFRESH_MS = 15_000;

/** One integration: facts, auth-health timeline, relink, sync history, missing permissions, events, actions. */
export class IntegrationPage extends Page {
  static override styles = [
    ...Page.styles,
    css`
      .head {
        display: flex;
        justify-content: space-between;
        align-items: flex-start;
        gap: 1rem;
        flex-wrap: wrap;
      }
      .head h1 {
        margin-bottom: 0.25rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(20rem, 100%), 1fr));
        gap: 1rem;
      }
      .grid .card {
        margin: 0;
      }
      section.card {
        margin-top: 1rem;
      }
      .warning {
        color: var(--warn);
        font-size: 0.85rem;
      }
      .event-data {
        font-size: 0.8rem;
        color: var(--muted);
        word-break: break-word;
      }
    `,
  ];

  static override properties = {
    ...Page.properties,
    integrationId: { attribute: false },
    integration: { state: true },
    error: { state: true },
    tool: { state: true },
    scopeConfig: { state: true },
    checks: { state: true },
    checksError: { state: true },
    syncs: { state: true },
    sessions: { state: true },
    syncsCursor: { state: true },
    syncsError: { state: true },
    events: { state: true },
    eventsError: { state: true },
    pausedAt: { state: true },
    busy: { state: true },
    actionResult: { state: true },
    actionError: { state: true },
    now: { state: true },
    sharing: { state: true },
    revocations: { state: true },
  };

  declare integrationId: string;
  declare integration: Integration | null;
  declare error: unknown;
  declare tool: Tool | null;
  declare scopeConfig: ScopeConfig | null;
  declare checks: AuthCheck[] | null;
  declare checksError: unknown;
  declare syncs: SyncRun[] | null;
  /** Who took the credentials (sync sessions), newest first; null until loaded or when refused. */
  declare sessions: SyncSession[] | null;
  declare syncsCursor: string | null;
  declare syncsError: unknown;
  declare events: EventLogEntry[] | null;
  declare eventsError: unknown;
  declare pausedAt: string | null;
  declare busy: string | null;
  declare actionResult: string | null;
  declare actionError: unknown;
  declare now: number;
  /** The other integrations of the workspace connected to the same remote account. */
  declare sharing: Integration[];
  /** What became of the OAuth grants its relinks replaced, newest first (none for most tools). */
  declare revocations: GrantRevocation[];

  #timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.integrationId = "";
    this.integration = null;
    this.error = null;
    this.tool = null;
    this.scopeConfig = null;
    this.checks = null;
    this.checksError = null;
    this.syncs = null;
    this.sessions = null;
    this.syncsCursor = null;
    this.syncsError = null;
    this.events = null;
    this.eventsError = null;
    this.pausedAt = null;
    this.busy = null;
    this.actionResult = null;
    this.actionError = null;
    this.now = Date.now();
    this.sharing = [];
    this.revocations = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh(true);
    this.#timer = setInterval(() => {
      if (document.visibilityState === "visible" && !this.busy) void this.refresh();
    }, REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  /** Reloads everything on the page (the integration first: the rest depends on it). */
  async refresh(first = false): Promise<void> {
    try {
      const integration = await this.api.integrations.get(this.integrationId);
      this.integration = integration;
      this.error = null;
      this.now = Date.now();
      if (first || this.tool?.id !== integration.tool) {
        this.api.tools
          .get(integration.tool)
          .then((tool) => {
            this.tool = tool;
          })
          .catch(() => {});
      }
      if (integration.scope_config_id && this.scopeConfig?.id !== integration.scope_config_id) {
        this.api.scopeConfigs
          .get(integration.scope_config_id)
          .then((config) => {
            this.scopeConfig = config;
          })
          .catch(() => {});
      }
    } catch (error) {
      this.error = error;
      return;
    }
    await Promise.all([
      this.loadChecks(),
      this.loadSyncs(),
      this.loadEvents(),
      this.loadSharing(),
      this.loadSessions(),
      this.loadRevocations(),
    ]);
  }

  async loadRevocations(): Promise<void> {
    try {
      this.revocations = (
        await this.api.integrations.grantRevocations(this.integrationId, { limit: 20 })
      ).data;
    } catch {
      // Only a notice: the page works without it (an older server has no such list).
      this.revocations = [];
    }
  }

  async loadSharing(): Promise<void> {
    const account = this.integration?.remote_account;
    if (!account || !this.integration) {
      this.sharing = [];
      return;
    }
    try {
      const page = await this.api.integrations.list({
        tool: this.integration.tool,
        remote_account_id: account.id,
        limit: 20,
      });
      this.sharing = page.data.filter((other) => other.id !== this.integrationId);
    } catch {
      // Only a warning: the page works without it.
      this.sharing = [];
    }
  }

  async loadChecks(): Promise<void> {
    try {
      this.checks = (await this.api.integrations.authChecks(this.integrationId, { limit: 200 })).data;
      this.checksError = null;
    } catch (error) {
      this.checksError = error;
    }
  }

  async loadSessions(): Promise<void> {
    try {
      this.sessions = (await this.api.integrations.syncSessions(this.integrationId, { limit: 20 })).data;
    } catch {
      this.sessions = null;
    }
  }

  async loadSyncs(more = false): Promise<void> {
    try {
      const page = await this.api.integrations.syncs(this.integrationId, {
        limit: 20,
        cursor: (more && this.syncsCursor) || undefined,
      });
      this.syncs = more ? [...(this.syncs ?? []), ...page.data] : page.data;
      this.syncsCursor = page.next_cursor;
      this.syncsError = null;
    } catch (error) {
      this.syncsError = error;
    }
  }

  async loadEvents(): Promise<void> {
    try {
      const page = await this.api.events.list({
        integration_id: this.integrationId,
        limit: 50,
      });
      this.events = page.data;
      this.eventsError = null;
      const pause = page.data.find(
        (e) => e.type === "integration-state-changed" && e.data.state === "INVALID",
      );
      this.pausedAt = this.integration?.state === "INVALID" && pause ? pause.created_at : null;
    } catch (error) {
      this.eventsError = error;
    }
  }

  async #act(name: string, work: () => Promise<string>): Promise<void> {
    this.busy = name;
    this.actionError = null;
    this.actionResult = null;
    try {
      this.actionResult = await work();
      this.announce(this.actionResult);
    } catch (error) {
      this.actionError = error;
      this.announce(errorText(error));
    } finally {
      this.busy = null;
    }
  }

  syncNow() {
    return this.#act("sync", async () => {
      const answer = await this.api.integrations.sync(this.integrationId);
      setTimeout(() => void this.refresh(), 1500);
      return answer.already_queued
        ? "A sync was already queued or running: no second one was queued."
        : `Sync queued (${answer.sync_id}); it checks auth first.`;
    });
  }

  checkAuth() {
    return this.#act("check", async () => {
      const answer = await this.api.integrations.checkAuth(this.integrationId);
      this.integration = answer.integration;
      await Promise.all([this.loadChecks(), this.loadEvents()]);
      const outcome = {
        OK: "OK: the tool accepted the credentials",
        AUTH_FAILED: "failed: the tool rejected the credentials",
        INCONCLUSIVE: "inconclusive: the tool could not be reached properly",
      }[answer.outcome];
      return `Auth check ${outcome}. The integration is ${STATE_LABELS[answer.integration.state].toLowerCase()}.`;
    });
  }

  setEnabled(value: boolean) {
    return this.#act("enabled", async () => {
      this.integration = await this.api.integrations.setEnabled(this.integrationId, value);
      void this.loadEvents();
      return value
        ? "Integration enabled: syncs are scheduled again."
        : "Integration disabled (INACTIVE): no syncs until enabled.";
    });
  }

  /** Jumps to the relink form, focused on its first choice. */
  async #goToRelink(): Promise<void> {
    const section = this.renderRoot.querySelector<HTMLElement & { updateComplete: Promise<boolean> }>(
      "relink-relink-section",
    );
    if (!section) return;
    section.scrollIntoView({ block: "start" });
    await section.updateComplete;
    section.shadowRoot?.querySelector<HTMLElement>("select")?.focus();
  }

  #openDelete(): void {
    this.renderRoot.querySelector<HTMLDialogElement>("#delete-dialog")?.showModal();
  }

  async #confirmDelete(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const dialog = this.renderRoot.querySelector<HTMLDialogElement>("#delete-dialog");
    this.busy = "delete";
    try {
      await this.api.integrations.delete(this.integrationId);
      dialog?.close();
      this.announce(`Integration of ${this.integration?.end_user.organization_name} deleted.`);
      navigate(href("integrations"));
    } catch (error) {
      this.actionError = error;
      dialog?.close();
    } finally {
      this.busy = null;
    }
  }

  override render() {
    if (this.error) {
      return html`<h1>Integration</h1>
        ${
          refusedWith(this.error, 404) && !routeMissing(this.error)
            ? html`<div class="notice error" role="alert">
                No integration <code>${this.integrationId}</code> in this workspace. It may have been deleted.
                <a href=${href("integrations")}>Back to the list</a>
              </div>`
            : errorBox(this.error, "Could not load the integration")
        }`;
    }
    const i = this.integration;
    if (!i) return html`<h1>Integration</h1>${loading("the integration")}`;
    const health = authHealth(i, this.now, this.pausedAt);
    const tone = i.state === "ACTIVE" ? "tone-ok" : i.state === "INVALID" ? "tone-bad" : "tone-muted";
    return html`
      <p class="small" style="margin: 0 0 0.5rem"><a href=${href("integrations")}>← Integrations</a></p>
      <div class="head">
        <div>
          <h1>${i.end_user.organization_name}</h1>
          <div class="row" style="align-items: center">
            <span class="badge ${tone}" data-testid="state">${STATE_LABELS[i.state]} <span class="visually-hidden">(${i.state})</span></span>
            <span class="text-${health.tone}" data-testid="health">${health.text}</span>
          </div>
        </div>
        <div class="actions" role="group" aria-label="Actions">
          ${
            i.state === "INVALID" || i.auth.status === "FAILING" || i.missing_permissions.length
              ? html`<button type="button" class="primary" @click=${this.#goToRelink}>Send a relink link</button>`
              : nothing
          }
          <button type="button" @click=${() => this.syncNow()} ?disabled=${!!this.busy || i.state !== "ACTIVE"}>
            ${this.busy === "sync" ? "Queuing…" : "Sync now"}
          </button>
          <button type="button" @click=${() => this.checkAuth()} ?disabled=${!!this.busy || i.state === "INACTIVE"}>
            ${this.busy === "check" ? "Checking…" : "Check auth now"}
          </button>
          ${
            i.state === "INACTIVE"
              ? html`<button type="button" @click=${() => this.setEnabled(true)} ?disabled=${!!this.busy}>Enable</button>`
              : html`<button type="button" @click=${() => this.setEnabled(false)} ?disabled=${!!this.busy}>Disable</button>`
          }
          <button type="button" class="danger" @click=${this.#openDelete} ?disabled=${!!this.busy}>Delete…</button>
          <button type="button" @click=${() => this.refresh()} ?disabled=${!!this.busy}>Refresh</button>
        </div>
      </div>
      ${this.actionResult ? html`<div class="notice success" role="status">${this.actionResult}</div>` : nothing}
      ${renderSharing(i, this.sharing, this.tool)}
      ${renderRevocations(this.revocations, this.tool?.name ?? i.tool)}
      ${this.actionError ? errorBox(this.actionError) : nothing}

      ${renderFacts(i, this.tool, this.scopeConfig, this.now, this.pausedAt)}

      <section class="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Auth health timeline</h2>
        ${
          this.checksError
            ? errorBox(this.checksError, "Auth checks")
            : this.checks
              ? html`<relink-auth-timeline
                  .checks=${this.checks}
                  .failingSince=${i.auth.failing_since}
                  .pausedAt=${this.pausedAt}
                  .pausesAt=${i.auth.pauses_at}
                  .now=${this.now}
                ></relink-auth-timeline>`
              : loading("auth checks")
        }
      </section>

      <section class="card" aria-labelledby="missing-title">
        <h2 id="missing-title">Missing permissions</h2>
        ${renderMissing(i, this.tool)}
      </section>

      <section class="card" aria-labelledby="relink-title">
        <h2 id="relink-title">Relink integration</h2>
        <relink-relink-section .api=${this.api} .integration=${i} .tool=${this.tool}></relink-relink-section>
      </section>

      <section class="card" aria-labelledby="syncs-title">
        <h2 id="syncs-title">Sync history</h2>
        ${renderSyncs(this.syncs, this.syncsError, this.syncsCursor, () => this.loadSyncs(true))}
      </section>

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Credentials taken</h2>
        <p class="muted small">Sync sessions your product opened to run its own sync: which API key took the credentials, and when.</p>
        ${renderSessions(this.sessions)}
      </section>

      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        ${renderEvents(this.events, this.eventsError)}
      </section>

      <dialog id="delete-dialog" aria-labelledby="delete-title" aria-describedby="delete-desc">
        <form method="dialog" @submit=${this.#confirmDelete}>
          <h2 id="delete-title">Delete this integration?</h2>
          <p id="delete-desc">
            The integration of <strong>${i.end_user.organization_name}</strong> (${this.tool?.name ?? i.tool}) is deleted and
            its credentials destroyed. This cannot be undone; the end user would have to connect again.
          </p>
          <div class="row" style="justify-content: flex-end">
            <button type="button" autofocus @click=${() => this.renderRoot.querySelector<HTMLDialogElement>("#delete-dialog")?.close()}>
              Cancel
            </button>
            <button type="submit" class="danger" ?disabled=${this.busy === "delete"}>Delete integration</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

export { eventSummary } from "./integration-events.ts";

customElements.define("relink-integration-page", IntegrationPage);
